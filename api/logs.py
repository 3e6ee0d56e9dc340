"""Logging: one JSON object a line (or plain text), each carrying the id of its request."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
# A proxy's or client's id is reused only when it cannot forge or break a log line: no spaces,
# quotes or control characters, and short.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# uvicorn installs handlers of its own on these; sending them to the root handler instead keeps
# one format on the output, and puts the request id on its access lines (it writes them while
# the response starts, inside the request's context).
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Alembic announces its dialect at INFO whenever it opens a migration context, which the
# readiness probe does every few seconds.
QUIETER = {"alembic.runtime.migration": logging.WARNING}

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
log = logging.getLogger("api.requests")


def _request_id_of_record(record: logging.LogRecord) -> str | None:
    found = getattr(record, "request_id", None)
    return found if isinstance(found, str) else None


class StampRequestId:
    """A log record factory that copies the current request id onto each record as it is made.

    Stamped at creation rather than read when formatting, because a record may be formatted
    later, elsewhere (a queue handler, a test's capture), outside the request's context.
    """

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        record.request_id = request_id.get()
        return record


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the request id
    and exception when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = _request_id_of_record(record)
        if current is not None:
            entry["request_id"] = current
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal, with the request id at the end of the first line."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        current = _request_id_of_record(record)
        return line if current is None else f"{line} [request {current}]"


class ServiceHandler(logging.StreamHandler[IO[str]]):
    """The service's one handler on the root logger.

    It looks up `sys.stderr` on every record instead of keeping the stream it started with, so it
    never writes to a stream that was swapped and closed since (as test runners do).
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def configure_logging(level: str, as_json: bool) -> None:
    """Install the service's handler on the root logger, replacing the one an earlier app in this
    process installed, so creating several apps never duplicates a line."""
    if not isinstance(logging.getLogRecordFactory(), StampRequestId):
        logging.setLogRecordFactory(StampRequestId(logging.getLogRecordFactory()))
    root = logging.getLogger()
    for handler in [found for found in root.handlers if isinstance(found, ServiceHandler)]:
        root.removeHandler(handler)
    handler = ServiceHandler()
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True
    for name, quieter in QUIETER.items():
        logging.getLogger(name).setLevel(quieter)


def _request_id_of(headers: Headers) -> str:
    offered = headers.get(REQUEST_ID_HEADER, "")
    return offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every request and WebSocket an id: the caller's `X-Request-ID` when it is a sane
    token, a new one otherwise. It is sent back in the response headers, kept in
    `request.state.request_id`, and stamped on every log line written while the request runs.

    Pure ASGI rather than Starlette's BaseHTTPMiddleware, which buffers streamed responses and
    does not see WebSockets.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        current = _request_id_of(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = current
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] in {"http.response.start", "websocket.accept"}:
                started = True
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = current
            await send(message)

        token = request_id.set(current)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if started or scope["type"] != "http":
                raise  # too late to answer: the server reports it and drops the connection
            # Logged here, inside the request's context, so the traceback carries the id; the
            # client gets the same bare 500 as before, with the id to quote.
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            await PlainTextResponse("Internal Server Error", status_code=500)(
                scope, receive, send_with_id
            )
        finally:
            request_id.reset(token)
