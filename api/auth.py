"""Bearer tokens at the door: no GraphQL request runs without a valid one."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.media import error_response, response_media_type
from resolvers.errors import OUTAGE_MESSAGE, OUTAGE_RETRY_SECONDS, is_outage
from resolvers.viewer import Viewer, authenticate
from store.database import Database


def bearer_secret(value: Any) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` value, if it is one."""
    if not isinstance(value, str):
        return None
    scheme, _, secret = value.strip().partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


async def viewer_for(database: Database, header: Any) -> Viewer | None:
    secret = bearer_secret(header)
    return None if secret is None else await authenticate(database, secret)


class RequireToken:
    """Wraps the GraphQL view: HTTP requests without a valid token get 401 and never reach it.

    The GraphiQL page itself (a browser's plain GET for HTML) is let through: it holds no data,
    and its requests carry the token the user enters. WebSocket connections authenticate in
    `connection_init` instead (see the view).
    """

    def __init__(self, app: ASGIApp, database: Database, graphiql: bool) -> None:
        self.app = app
        self.database = database
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            if not (self.graphiql and _wants_ide(request)):
                try:
                    viewer = await viewer_for(self.database, request.headers.get("authorization"))
                except Exception as problem:
                    if not is_outage(problem):
                        raise
                    await _unavailable(request)(scope, receive, send)
                    return
                if viewer is None:
                    await _unauthenticated(request)(scope, receive, send)
                    return
                scope.setdefault("state", {})["viewer"] = viewer
        await self.app(scope, receive, send)


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


def _unavailable(request: Request) -> JSONResponse:
    media_type = response_media_type(request.headers.get("accept"))
    return error_response(
        OUTAGE_MESSAGE,
        "SERVICE_UNAVAILABLE",
        503,
        media_type,
        {"Retry-After": str(OUTAGE_RETRY_SECONDS)},
    )


def _unauthenticated(request: Request) -> JSONResponse:
    message = (
        "A valid token is required: send `Authorization: Bearer <token>` "
        "(issue one with `python -m api token issue`)."
    )
    media_type = response_media_type(request.headers.get("accept"))
    return error_response(
        message, "UNAUTHENTICATED", 401, media_type, {"WWW-Authenticate": 'Bearer realm="graphql"'}
    )
