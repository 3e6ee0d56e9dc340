"""The ASGI service: Starlette wiring, settings, the GraphQL view and the command line."""
