"""The limit of bench/compare.py: a bare HTTP server that runs, for each request of the
workloads, the statements this API sends PostgreSQL for it and answers the bytes this API answers.

    .venv/bin/python -m bench.limit --recording FILE --database-url URL --port PORT

It is a measuring instrument, not a GraphQL server: it knows only the requests recorded in FILE
(bench/recording.py writes it, from this API run in process), finds each by its body, sends the
recorded statements through asyncpg and writes the recorded answer (for a compiled read, around
the JSON text the last statement returns). Plain ASGI under uvicorn with the settings of `python
-m api serve --workers 1`; no framework, no GraphQL, no ORM. What this API does beyond that
(parsing, validation, the cost, resolvers, middleware) is what the ratio ours / limit measures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import pickle
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn

CONNECTIONS = 10  # as the API's pool (store/database.py); 10 clients never need its overflow
SHUTDOWN_SECONDS = 10  # as api/cli.py gives uvicorn
# A write's external reference, fresh in every request the load generator sends (`__SEQ__`).
FRESH = re.compile(rb'"bench-[^"\\]*"')
SEQUENCE = b'"bench-__SEQ__"'
JSON_TYPE = [(b"content-type", b"application/json; charset=utf-8")]


# The recording: what bench/recording.py writes and this server replays ------------------------


class Fill:
    """An argument, or part of an answer, that is not a constant: filled in for each request."""


@dataclass(frozen=True)
class Now(Fill):
    """The current time: a timestamp argument, or its ISO text inside a JSON argument."""

    text: bool = False


@dataclass(frozen=True)
class Fresh(Fill):
    """The request's fresh external reference."""


@dataclass(frozen=True)
class Digest(Fill):
    """The SHA-256 digest of the request's bearer secret (the token statement's argument)."""


@dataclass(frozen=True)
class Returned(Fill):
    """A value an earlier statement of the request returned (`RETURNING id`): first row."""

    step: int
    column: int


@dataclass(frozen=True)
class JsonText(Fill):
    """A JSON text argument (a change event's row) whose leaves may be fills; written as
    Python's json.dumps writes it, as this API does."""

    tree: Any


@dataclass(frozen=True)
class Answer(Fill):
    """The JSON text the statement `step` returned (one row, one column): a compiled read's
    answer, which goes into the response as it is."""

    step: int


@dataclass(frozen=True)
class GlobalId(Fill):
    """A global ID (`Type:key` in URL-safe base64, as resolvers/ids.py writes it) whose key
    an earlier statement returned: the new contribution's."""

    type_name: str
    key: Returned


@dataclass(frozen=True)
class Step:
    """One statement. `simple` ones (BEGIN, COMMIT) go as they are, as asyncpg's transactions
    send them; the others through asyncpg's per-connection cache of prepared statements, as
    SQLAlchemy's asyncpg dialect sends them."""

    sql: str
    arguments: tuple[Any, ...] = ()
    simple: bool = False


@dataclass(frozen=True)
class Script:
    """One request: its statements in order and its answer's parts."""

    steps: tuple[Step, ...]
    response: tuple[bytes | Fill, ...]


@dataclass
class Recording:
    # By the request's body as the load generator's spec holds it (`"bench-__SEQ__"` in a write).
    scripts: dict[bytes, Script]
    # The statement this API runs for a bearer secret it has not verified yet.
    token: Step
    # Whether this API ran it for every request (it keeps verified tokens only while it hears of
    # every revocation: on PostgreSQL, once its LISTEN connection is up).
    token_each_request: bool = False

    def save(self, path: Path) -> None:
        path.write_bytes(pickle.dumps(self))

    @staticmethod
    def load(path: Path) -> Recording:
        # The file is this run's own, written by bench/recording.py a moment before.
        recording = pickle.loads(path.read_bytes())
        if not isinstance(recording, Recording):
            raise TypeError(f"{path} holds no recording")
        return recording


# Filling in ----------------------------------------------------------------------------------


@dataclass
class Request:
    """What one request's fills are made of."""

    now: datetime
    fresh: str | None
    digest: str
    rows: list[Sequence[Any]] = field(default_factory=list)  # each step's rows, in order


def fill(value: Any, request: Request) -> Any:
    if not isinstance(value, Fill):
        return value
    if isinstance(value, Now):
        return request.now.isoformat() if value.text else request.now
    if isinstance(value, Fresh):
        return request.fresh
    if isinstance(value, Digest):
        return request.digest
    if isinstance(value, Returned):
        return request.rows[value.step][0][value.column]
    if isinstance(value, JsonText):
        return json.dumps(fill_tree(value.tree, request))
    raise TypeError(f"{value!r} is not an argument")


def fill_tree(tree: Any, request: Request) -> Any:
    if isinstance(tree, dict):
        return {key: fill_tree(item, request) for key, item in tree.items()}
    if isinstance(tree, list):
        return [fill_tree(item, request) for item in tree]
    return fill(tree, request)


def respond(parts: Sequence[bytes | Fill], request: Request) -> bytes:
    out = []
    for part in parts:
        if isinstance(part, bytes):
            out.append(part)
        elif isinstance(part, Answer):
            out.append(request.rows[part.step][0][0].encode())
        elif isinstance(part, GlobalId):
            key = fill(part.key, request)
            out.append(base64.urlsafe_b64encode(f"{part.type_name}:{key}".encode()).rstrip(b"="))
        else:
            raise TypeError(f"{part!r} is not part of an answer")
    return b"".join(out)


async def run(connection: Any, steps: Sequence[Step], request: Request) -> None:
    """The statements in order, each one's rows kept for the fills of the later ones."""
    try:
        for step in steps:
            if step.simple:
                await connection.execute(step.sql)
                request.rows.append(())
            else:
                arguments = [fill(argument, request) for argument in step.arguments]
                request.rows.append(await connection.fetch(step.sql, *arguments))
    except BaseException:
        if not connection.is_closed() and connection.is_in_transaction():
            await connection.execute("ROLLBACK")
        raise


# The server ----------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Limit:
    """The ASGI application: POST /graphql for the recorded requests, GET /healthz."""

    def __init__(self, recording: Recording, dsn: str, connections: int = CONNECTIONS) -> None:
        self.recording = recording
        self.dsn = dsn
        self.size = connections
        self.idle: asyncio.Queue[Any] = asyncio.Queue()
        # As this API's store/bearers.py: the expiry of each bearer digest already verified.
        self.verified: dict[str, datetime | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["path"] == "/healthz":
                await answer(send, 200, b'{"status":"ok"}')
            elif scope["path"] == "/graphql" and scope["method"] == "POST":
                await self.graphql(scope, receive, send)
            else:
                await answer(send, 404, error("not found"))

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for _ in range(self.size):
                    self.idle.put_nowait(await asyncpg.connect(self.dsn))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                while not self.idle.empty():
                    await self.idle.get_nowait().close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def graphql(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        secret = bearer(scope)
        if secret is None:
            await answer(send, 401, error("a bearer token is needed"))
            return
        fresh = FRESH.search(body)
        script = self.recording.scripts.get(FRESH.sub(SEQUENCE, body) if fresh else body)
        if script is None:
            await answer(send, 400, error("not a recorded request"))
            return
        request = Request(
            now=datetime.now(UTC),
            fresh=fresh.group()[1:-1].decode() if fresh else None,
            digest=hashlib.sha256(secret.encode()).hexdigest(),
        )
        connection = await self.idle.get()
        try:
            if not await self.authenticated(connection, request):
                await answer(send, 401, error("the token is unknown, expired or revoked"))
                return
            await run(connection, script.steps, request)
        except (asyncpg.PostgresError, OSError) as problem:
            await answer(send, 500, error(f"{type(problem).__name__}: {problem}"))
            return
        finally:
            self.idle.put_nowait(connection)
        await answer(send, 200, respond(script.response, request))

    async def authenticated(self, connection: Any, request: Request) -> bool:
        """The token check, as this API makes it. In its steady state on PostgreSQL it asks the
        database only for a secret it has not verified yet (resolvers/viewer.py authenticate,
        store/bearers.py), and checks the expiry of one it has every time; so does this."""
        known = request.digest in self.verified
        if self.recording.token_each_request or not known:
            token = self.recording.token
            rows = await connection.fetch(
                token.sql, *(fill(argument, request) for argument in token.arguments)
            )
            if not rows:
                self.verified.pop(request.digest, None)
                return False
            # The token's columns, as store/tokens.py selects them: id, participant, role, expiry.
            self.verified[request.digest] = rows[0][3]
        expires = self.verified[request.digest]
        return expires is None or request.now < expires


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").strip().partition(" ")
            return secret.strip() or None if scheme.lower() == "bearer" else None
    return None


def error(message: str) -> bytes:
    return json.dumps({"errors": [{"message": message}]}).encode()


async def answer(send: Send, status: int, body: bytes) -> None:
    headers = [*JSON_TYPE, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.limit", description=__doc__)
    parser.add_argument("--recording", type=Path, required=True)
    parser.add_argument("--database-url", required=True, help="a plain postgresql:// URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args(argv)
    application = Limit(Recording.load(arguments.recording), arguments.database_url)
    # As api/cli.py runs this API: uvicorn's own loop and HTTP implementation (uvloop and
    # httptools when installed), one worker.
    uvicorn.run(
        application,
        host=arguments.host,
        port=arguments.port,
        workers=1,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )


if __name__ == "__main__":
    # As bench.limit, not __main__: the recording's classes were pickled under that name.
    from bench import limit

    limit.main()
