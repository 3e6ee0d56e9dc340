"""graphql-transport-ws, with every message checked before Strawberry reads it.

A message that cannot be read (not an object, no string `type`, no usable `id`) closes the
socket with 4400, as the protocol says. A `subscribe` whose payload is malformed gets an `error`
for its id naming the member (api/request_members.py, as over HTTP), as does one whose operation
cannot be told: the connection and its other operations go on. A request error of a query or
mutation is an `error` too, never a `next` carrying `data: null`.
"""

from __future__ import annotations

from typing import Any, cast

from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types.execution import PreExecutionError

from api.request_members import (
    MalformedRequest,
    kind,
    never_ran,
    plain_variable_message,
    request_data,
)
from resolvers.context import Context
from schema.validation import operation_refusal

# A close frame's reason holds at most 123 bytes.
LONGEST_REASON = 123


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each running operation's variables, to write the values in its errors as JSON.
        self.variables: dict[str, Any] = {}

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            await self.handle_invalid_message(f"A message must be an object, not {kind(message)}.")
            return
        if not isinstance(message.get("type"), str):
            await self.handle_invalid_message("A message needs a `type` that is a string.")
            return
        if message["type"] in ("subscribe", "complete"):
            identifier = message.get("id")
            if not isinstance(identifier, str) or not identifier:
                await self.handle_invalid_message(
                    f"A `{message['type']}` message needs an `id` that is a non-empty string."
                )
                return
        await super().handle_message(cast(Message, message))

    async def handle_subscribe(self, message: Any) -> None:
        identifier = message["id"]
        # Unauthenticated, or an id in use: Strawberry closes the socket as the protocol says.
        if self.connection_acknowledged and identifier not in self.operations:
            try:
                data = request_data(message.get("payload"), "A `subscribe` message's payload")
            except MalformedRequest as refusal:
                payload = [refusal.as_error().formatted]
                await self.send_message({"id": identifier, "type": "error", "payload": payload})
                return
            message = {
                "id": identifier,
                "type": "subscribe",
                "payload": {
                    "query": data.query,
                    "variables": data.variables,
                    "operationName": data.operation_name,
                },
            }
            self.variables[identifier] = data.variables
        await super().handle_subscribe(message)

    async def handle_complete(self, message: Any) -> None:
        self.variables.pop(message["id"], None)
        await super().handle_complete(message)

    async def _handle_pre_execution_error(
        self, operation: Operation[Context, None], result: PreExecutionError
    ) -> None:
        # Strawberry closes the socket when the operation to run cannot be told: it is a request
        # error of this operation alone.
        original = result.errors[0].original_error if result.errors else None
        if isinstance(original, CannotGetOperationTypeError):
            refusal = operation_refusal(operation.query, operation.operation_name)
            await operation.send_initial_errors([refusal])
            return
        await super()._handle_pre_execution_error(operation, result)

    async def send_message(self, message: Any) -> None:
        identifier = message.get("id")
        payload = message.get("payload")
        if message["type"] in ("next", "error") and identifier in self.variables:
            errors = payload if message["type"] == "error" else payload.get("errors")
            for error in errors or ():
                error["message"] = plain_variable_message(
                    error["message"], self.variables[identifier]
                )
        if message["type"] == "next" and never_ran(payload.get("data"), payload.get("errors")):
            # Ended as an `error` ends an operation: Strawberry sends no `complete` after it.
            operation = self.operations.get(identifier)
            if operation is not None:
                operation.completed = True
                self.forget_id(identifier)
            message = {"id": identifier, "type": "error", "payload": payload["errors"]}
        if message["type"] in ("complete", "error"):
            self.variables.pop(identifier, None)
        await super().send_message(message)

    async def handle_task_exception(self, error: Exception) -> None:
        # A client that closed its socket while an event was on its way has simply left: that is
        # no fault of ours to log as an error.
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    async def handle_invalid_message(self, error_message: str) -> None:
        reason = error_message.encode()[:LONGEST_REASON].decode(errors="ignore")
        await self.websocket.close(code=4400, reason=reason)
