"""The GraphQL endpoint: one view for HTTP and WebSocket, with a per-request context."""

from __future__ import annotations

from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.auth import viewer_for
from resolvers.context import Context
from store.database import Database
from store.signals import Signals

INIT_TIMEOUT_SECONDS = 10
GRAPHIQL_PAGE = (Path(__file__).parent / "static" / "graphiql.html").read_text()


def graphiql_assets() -> Path:
    """GraphiQL's files, installed from a package: the IDE works with no network at all."""
    spec = find_spec("graphene_django_graphiql_static")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "static" / "graphene_django_graphiql_static"


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Any, database: Database, signals: Signals, graphiql: bool):
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # A client that opens a socket must authenticate promptly or be closed (4408).
            connection_init_wait_timeout=timedelta(seconds=INIT_TIMEOUT_SECONDS),
        )
        self.database = database
        self.signals = signals

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        # HTTP requests arrive authenticated (see RequireToken); WebSockets in connection_init.
        viewer = getattr(request.state, "viewer", None)
        metrics = getattr(request.app.state, "metrics", None)
        gauge = None if metrics is None else metrics.subscriptions
        return Context(self.database, viewer=viewer, signals=self.signals, gauge=gauge)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        context.viewer = await viewer_for(self.database, header)
        if context.viewer is None:
            raise ConnectionRejectionError()
        return UNSET

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(GRAPHIQL_PAGE)
