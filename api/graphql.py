"""The GraphQL endpoint: one view for HTTP and WebSocket, with a per-request context.

Over HTTP it follows the GraphQL-over-HTTP specification: the response media type is negotiated
from `Accept` (406 when neither JSON type is acceptable); with `application/graphql-response+json`
a request that never reached execution gets 400, with plain JSON 200, and either way no `data`; a
mutation over GET gets 405; a body over the size limit gets 413, a body that is not JSON 400 or
415, and a request whose members are malformed (api/request_members.py) 400. Every refusal is
a GraphQL response naming what was wrong. Over a WebSocket the same checks answer with an `error`
message for the operation, or close the socket (4400) when a message cannot be read at all.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from api.auth import viewer_for
from api.graphiql import graphiql_page
from api.media import GRAPHQL_RESPONSE, JSON, error_response, response_media_type
from api.request_members import (
    MalformedRequest,
    from_parameters,
    never_ran,
    plain_variable_message,
    request_data,
)
from api.transport_ws import TransportWSHandler
from resolvers.budget import Budgets
from resolvers.context import Context
from resolvers.errors import OUTAGE_RETRY_SECONDS
from schema.text import repaired
from schema.validation import operation_refusal
from store.database import Database
from store.signals import Signals

INIT_TIMEOUT_SECONDS = 10


def graphiql_assets() -> Path:
    """GraphiQL's files, installed from a package: the IDE works with no network at all."""
    spec = find_spec("graphene_django_graphiql_static")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "static" / "graphene_django_graphiql_static"


@dataclass(frozen=True)
class Limits:
    """What one HTTP request may take: its body, its time, and its token's budget."""

    max_body_bytes: int
    timeout_seconds: float
    budgets: Budgets | None


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        schema: Any,
        database: Database,
        signals: Signals,
        graphiql: bool,
        limits: Limits,
        graphiql_token_file: Path | None = None,
    ):
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # A client that opens a socket must authenticate promptly or be closed (4408).
            connection_init_wait_timeout=timedelta(seconds=INIT_TIMEOUT_SECONDS),
        )
        self.database = database
        self.signals = signals
        self.limits = limits
        # The development token GraphiQL may fill in for a browser on this machine.
        self.graphiql_token_file = graphiql_token_file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = response_media_type(request.headers.get("accept"))
        if media_type is None and self.should_render_graphql_ide(StarletteRequestAdapter(request)):
            media_type = JSON  # a browser asking for GraphiQL's page, which run() serves
        if media_type is None:
            message = (
                f"This endpoint answers in {GRAPHQL_RESPONSE} or {JSON}; `Accept` allows neither."
            )
            await error_response(message, "NOT_ACCEPTABLE", 406, JSON)(scope, receive, send)
            return
        request.state.media_type = media_type
        try:
            body = await _bounded_body(request, self.limits.max_body_bytes)
        except ClientDisconnect:
            return  # the client left before it finished asking: there is no one to answer
        if body is None:
            message = f"The request body is larger than {self.limits.max_body_bytes} bytes."
            await error_response(message, "PAYLOAD_TOO_LARGE", 413, media_type)(
                scope, receive, send
            )
            return
        try:
            response = await self.run(Request(scope, _replay(body, receive)))
        except MalformedRequest as refusal:
            response = error_response(
                refusal.message, "BAD_REQUEST", 400, media_type, member=refusal.member
            )
        except HTTPException as refusal:
            headers = {"Allow": "POST"} if refusal.status_code == 405 else {}
            code = "METHOD_NOT_ALLOWED" if refusal.status_code == 405 else "BAD_REQUEST"
            response = error_response(
                refusal.reason, code, refusal.status_code, media_type, headers
            )
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        response = await super().get_sub_response(request)
        response.media_type = getattr(request.state, "media_type", JSON)
        # The view answers through `response`; the result's status is decided in process_result.
        request.state.response = response
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        # HTTP requests arrive authenticated (see RequireToken); WebSockets in connection_init.
        viewer = getattr(request.state, "viewer", None)
        metrics = getattr(request.app.state, "metrics", None)
        gauge = None if metrics is None else metrics.subscriptions
        return Context(
            self.database,
            viewer=viewer,
            signals=self.signals,
            gauge=gauge,
            budgets=self.limits.budgets,
        )

    def encode_json(self, data: object) -> str:
        # Text, not bytes: the view sends WebSocket messages as whatever this returns, and
        # graphql-transport-ws messages are JSON text frames; standard clients refuse binary ones.
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            # Text no UTF-8 can carry (stored before inputs were checked, or echoed from a
            # request) is shown as U+FFFD: a stored value must never make an answer fail.
            return orjson.dumps(repaired(data)).decode()

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = json.loads(data)
        except RecursionError as problem:
            raise HTTPException(400, "The request body nests JSON too deeply.") from problem
        except ValueError as problem:  # not JSON, or not UTF-8
            raise HTTPException(400, "The request body is not valid UTF-8 JSON.") from problem
        return parsed

    def decode_json(self, data: str | bytes) -> object:
        # What a WebSocket message is read with: too deep a nesting is no JSON message either.
        try:
            return json.loads(data)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """The request, its members checked before either read path sees it."""
        if request.method == "GET":
            return from_parameters(request.query_params)
        content_type, _ = parse_content_type(request.content_type or "")
        if content_type != JSON:
            raise HTTPException(
                415, f"Send the request as {JSON}, not {content_type or 'nothing'}."
            )
        return request_data(self.parse_json(await request.get_body()))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        method = request_adapter.method
        request.state.variables = request_data.variables  # for the messages, in process_result
        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                return await self.schema.execute(
                    request_data.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=OperationType.from_http(method),
                    operation_extensions=request_data.extensions,
                )
        except TimeoutError:
            # Cancelled inside its transaction, a write was rolled back; cancelled as its COMMIT
            # went out, it may have landed whole. Either way nothing is half-written.
            message = (
                f"The request took longer than {self.limits.timeout_seconds:g} s and was "
                "stopped. A write it made was kept whole or not at all: retry it with the same "
                "idempotencyKey to learn which. Ask for less, or retry later."
            )
            return ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": "TIMEOUT"})]
            )
        except InvalidOperationTypeError as refusal:
            status = 405 if method == "GET" else 400
            raise HTTPException(status, refusal.as_http_error_reason(method)) from refusal
        except CannotGetOperationTypeError:
            # A request error like any other, answered as the media type says.
            unknown = operation_refusal(request_data.query, request_data.operation_name)
            return ExecutionResult(data=None, errors=[unknown])
        except MissingQueryError as refusal:  # request_data() lets no such request through
            raise MalformedRequest("No GraphQL query in the request.", "query") from refusal

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        variables = getattr(request.state, "variables", None)
        for error in result.errors or ():
            error.message = plain_variable_message(error.message, variables)
        body = process_result(result)
        request.state.graphql_errors = bool(result.errors)  # for the metrics
        response: Response = request.state.response
        codes = {(error.extensions or {}).get("code") for error in result.errors or ()}
        if "THROTTLED" in codes:
            wait = max(
                (error.extensions or {}).get("retryAfterSeconds", 1)
                for error in result.errors or ()
            )
            response.status_code = 429
            response.headers["Retry-After"] = str(wait)
        if codes == {"SERVICE_UNAVAILABLE"} and not any((result.data or {}).values()):
            # Nothing answered, only because the database is away: the whole request is to be
            # retried, as when the token could not be checked (api/auth.py).
            response.status_code = 503
            response.headers["Retry-After"] = str(OUTAGE_RETRY_SECONDS)
        if never_ran(result.data, result.errors):
            # A request error: `data` is absent, whatever the media type (GraphQL spec, 7.1.2).
            body.pop("data", None)
            if response.media_type == GRAPHQL_RESPONSE:
                response.status_code = response.status_code or 400
        return body

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
        return response

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        context.viewer = await viewer_for(self.database, header)
        if context.viewer is None:
            raise ConnectionRejectionError()
        accepted: UnsetType = UNSET  # no payload in the acknowledgement
        return accepted

    async def render_graphql_ide(self, request: Request) -> Response:
        return await graphiql_page(request, self.database, self.graphiql_token_file)


async def _bounded_body(request: Request, limit: int) -> bytes | None:
    """The whole body, or None once it passes `limit` bytes (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands over the body already read, then listens as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
