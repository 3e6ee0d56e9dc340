"""The ASGI application: routes, lifespan, and the one place settings turn into objects."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from api import dashboard, heap
from api.auth import RequireToken
from api.graphql import GraphQLView, Limits, graphiql_assets
from api.health import healthz, readyz
from api.logs import RequestIdMiddleware, configure_logging
from api.metrics import Metrics, MetricsMiddleware, metrics_endpoint
from api.settings import Settings
from resolvers.budget import Budgets
from schema import build_schema
from schema.compiled_reads import CompiledReads
from store.database import Database
from store.signals import signals_for


def create_app(settings: Settings) -> Starlette:
    configure_logging(settings.log_level, as_json=settings.json_logs)
    database = Database.open(
        settings.database_url, pool_size=settings.pool_size, pool_timeout=settings.pool_timeout
    )
    metrics = Metrics.create(database)
    signals = signals_for(settings.database_url, database.bearers)
    compiled = CompiledReads() if settings.compiled_reads else None
    schema = build_schema(not settings.graphiql, settings.max_query_cost, compiled)
    limits = Limits(
        max_body_bytes=settings.max_body_bytes,
        timeout_seconds=settings.request_timeout,
        budgets=Budgets(settings.cost_budget, settings.cost_restore_rate),
    )
    view = GraphQLView(
        schema,
        database,
        signals,
        settings.graphiql,
        limits,
        graphiql_token_file=settings.graphiql_token_file,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await signals.start()
        async with heap.kept_short():
            yield
        await signals.stop()
        await database.dispose()

    # Route, not Mount, for /graphql: a Mount redirects to /graphql/ and breaks the WebSocket.
    routes: list[Route | WebSocketRoute | Mount] = [
        Route("/graphql", RequireToken(view, database, settings.graphiql), methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        # The probes and /metrics need no token: a load balancer or Prometheus has none.
        Route("/healthz", healthz),
        Route("/readyz", readyz(database)),
        Route("/metrics", metrics_endpoint(metrics)),
        *dashboard.routes(),
    ]
    if settings.graphiql:
        routes.append(Mount("/graphiql", StaticFiles(directory=graphiql_assets()), name="graphiql"))
    # The request id is outermost, so even the metrics' own failures are logged with it.
    middleware = [Middleware(RequestIdMiddleware), Middleware(MetricsMiddleware, metrics=metrics)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.database = database
    app.state.metrics = metrics
    app.state.signals = signals
    return app


def from_environment() -> Starlette:
    """The factory uvicorn calls in each worker process."""
    return create_app(Settings.from_env())
