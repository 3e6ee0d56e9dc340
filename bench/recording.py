"""What this API sends PostgreSQL for each request of the workloads, and what it answers,
recorded in this process: the script that bench/limit.py replays.

The app is made as `python -m api serve` makes it, from the same environment, and served through
ASGI inside its lifespan (so its LISTEN connection is up and it keeps the tokens it verified, as
the server does once it runs). Every call it makes to asyncpg is seen: transaction control as
sent, each statement with its arguments and its rows. Each request is sent three times, one
pass over all of them after another: the first warms the app up (it verifies each token once,
loads its caches) and only gives the token statement; the second and third must send the same
statements, and what differs between them is what must be filled in for each request: the
fresh external reference, the current time, and the keys that a `RETURNING` gave back (a value
counts as one only when it is one in both passes, so a number that merely happens to equal a
new key is kept as it is).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from asyncpg import connection as asyncpg_connection
from asyncpg import prepared_stmt

from api.app import create_app
from api.settings import Settings
from bench.common import BenchmarkError
from bench.limit import (
    Answer,
    Digest,
    Fill,
    Fresh,
    GlobalId,
    JsonText,
    Now,
    Recording,
    Request,
    Returned,
    Script,
    Step,
    respond,
)
from bench.workloads import Json, Workload

PASSES = 3
GLOBAL_ID = re.compile(rb'"id":"([A-Za-z0-9_-]+)"')


@dataclass
class Call:
    """One call to asyncpg: a simple query (no arguments), or a statement with arguments."""

    sql: str
    arguments: tuple[Any, ...]
    simple: bool
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@contextlib.contextmanager
def spying() -> Iterator[list[Call]]:
    """Every call this process makes to asyncpg while the block runs: SQLAlchemy's dialect
    prepares each statement once per connection and fetches through it; asyncpg's transactions
    send BEGIN and COMMIT as simple queries; a connection's own methods are seen too. Cursors
    and executemany, which the limit does not replay, are refused, so nothing goes unrecorded."""
    calls: list[Call] = []
    statement, connection = prepared_stmt.PreparedStatement, asyncpg_connection.Connection
    saved: dict[tuple[type, str], Any] = {}

    def recorded(owner: type, name: str) -> Any:
        original = saved[(owner, name)] = getattr(owner, name)

        async def call(self: Any, *arguments: Any, **options: Any) -> Any:
            query = self.get_query() if owner is statement else arguments[0]
            values = arguments if owner is statement else arguments[1:]
            seen = Call(query, tuple(values), simple=name == "execute" and not values)
            calls.append(seen)
            result = await original(self, *arguments, **options)
            if name == "fetch":
                seen.rows = [tuple(row) for row in result]
            elif name == "fetchrow":
                seen.rows = [] if result is None else [tuple(result)]
            elif name == "fetchval":
                seen.rows = [(result,)]
            return result

        return call

    def refused(owner: type, name: str) -> Any:
        saved[(owner, name)] = getattr(owner, name)

        def call(*_: Any, **__: Any) -> Any:
            raise BenchmarkError(f"the limit cannot replay asyncpg's {name}()")

        return call

    replacements = {
        (owner, name): recorded(owner, name)
        for owner, names in (
            (statement, ("fetch", "fetchrow", "fetchval")),
            (connection, ("execute", "fetch", "fetchrow", "fetchval")),
        )
        for name in names
    } | {
        (owner, name): refused(owner, name)
        for owner in (statement, connection)
        for name in ("executemany", "cursor")
    }
    try:
        for (owner, name), replacement in replacements.items():
            setattr(owner, name, replacement)
        yield calls
    finally:
        for (owner, name), original in saved.items():
            setattr(owner, name, original)


@dataclass
class Seen:
    """One request in one pass: its calls, its answer and what was fresh in it."""

    calls: list[Call]
    body: bytes
    fresh: str | None
    started: datetime
    ended: datetime

    def returned(self, before: int) -> dict[int, Returned]:
        """The integers the `RETURNING` statements before call `before` gave back (first row)."""
        found: dict[int, Returned] = {}
        for number, call in enumerate(self.calls[:before]):
            if "RETURNING" in call.sql.upper() and call.rows:
                for column, value in enumerate(call.rows[0]):
                    if type(value) is int:
                        found.setdefault(value, Returned(number, column))
        return found

    def now(self, value: Any) -> bool:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(value)
        return (
            isinstance(value, datetime)
            and value.tzinfo is not None
            and self.started <= value <= self.ended
        )


def unique_requests(workloads: Sequence[Workload]) -> list[Json]:
    """Every request this API is sent in the chosen workloads, once (mixed repeats the reads)."""
    found: dict[str, Json] = {}
    for workload in workloads:
        for request in workload.ours:
            found.setdefault(request["body"], request)
    return list(found.values())


async def record(env: dict[str, str], workloads: Sequence[Workload]) -> Recording:
    """Each request of the workloads through this API in process, three times (see above)."""
    settings = Settings.from_env(env)
    app = create_app(settings)
    requests = unique_requests(workloads)
    digests = {
        hashlib.sha256(request["headers"]["authorization"].split()[-1].encode()).hexdigest()
        for request in requests
    }
    run = uuid.uuid4().hex[:8]
    passes: list[dict[str, Seen]] = []
    transport = httpx.ASGITransport(app=app)
    with spying() as calls:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client,
        ):
            # Verified tokens are kept once the LISTEN connection is up, as on the server.
            connected = getattr(app.state.signals, "connected", None)
            if connected is not None:
                await connected.wait()
            for number in range(PASSES):
                seen: dict[str, Seen] = {}
                for index, request in enumerate(requests):
                    fresh = f"bench-capture-{run}-{number}-{index}"
                    body = request["body"].replace('"bench-__SEQ__"', json.dumps(fresh))
                    calls.clear()
                    started = datetime.now(UTC)
                    response = await client.post(
                        "/graphql",
                        content=body,
                        headers={"content-type": "application/json", **request["headers"]},
                    )
                    ended = datetime.now(UTC)
                    if response.status_code != 200 or b'"errors":' in response.content:
                        raise BenchmarkError(
                            f"recording: HTTP {response.status_code}: {response.text[:300]}"
                        )
                    uses_fresh = '"bench-__SEQ__"' in request["body"]
                    seen[request["body"]] = Seen(
                        list(calls), response.content, fresh if uses_fresh else None, started, ended
                    )
                passes.append(seen)
    token = token_statement(passes[0], digests)
    each_request = False
    scripts: dict[bytes, Script] = {}
    for key in passes[0]:
        second, third = passes[1][key], passes[2][key]
        for later in (second, third):
            kept = [call for call in later.calls if not is_token(call, digests)]
            each_request |= len(kept) != len(later.calls)
            later.calls = kept
        body = key.encode()
        scripts[body] = script(second, third, key)
    return Recording(scripts, token, each_request)


def is_token(call: Call, digests: set[str]) -> bool:
    return any(argument in digests for argument in call.arguments)


def token_statement(first: dict[str, Seen], digests: set[str]) -> Step:
    for seen in first.values():
        for call in seen.calls:
            if is_token(call, digests):
                arguments = tuple(
                    Digest() if argument in digests else Now() if seen.now(argument) else argument
                    for argument in call.arguments
                )
                return Step(call.sql, arguments)
    raise BenchmarkError("recording: this API never checked a token")


def script(second: Seen, third: Seen, key: str) -> Script:
    """The statements and the answer of one request, from its second and third passes."""
    if [(c.sql, c.simple) for c in second.calls] != [(c.sql, c.simple) for c in third.calls]:
        raise BenchmarkError(f"recording: this API sent other statements the second time: {key}")
    steps = []
    for number, (b, c) in enumerate(zip(second.calls, third.calls, strict=True)):
        context = (second, third, second.returned(number), third.returned(number))
        arguments = tuple(
            both(x, y, context, text=True) for x, y in zip(b.arguments, c.arguments, strict=True)
        )
        steps.append(Step(c.sql, arguments, c.simple))
    response = answer(second, third)
    # The answer must come out of its parts exactly as this API wrote it the third time.
    replayed = Request(
        now=third.ended,
        fresh=third.fresh,
        digest="",
        rows=[call.rows for call in third.calls],
    )
    if respond(response, replayed) != third.body:
        raise BenchmarkError(f"recording: the answer cannot be rebuilt: {key}")
    return Script(tuple(steps), response)


Context = tuple[Seen, Seen, dict[int, Returned], dict[int, Returned]]


def both(b: Any, c: Any, context: Context, text: bool = False) -> Any:
    """The argument the two passes sent, `b` and `c`: a fill when both are the same fill, else
    the third pass's value. `text`: a JSON text may hold fills in its values."""
    second, third, returned_b, returned_c = context
    if second.fresh is not None and b == second.fresh and c == third.fresh:
        return Fresh()
    if second.now(b) and third.now(c):
        return Now(text=isinstance(c, str))
    if type(b) is int and type(c) is int:
        key = returned_c.get(c)
        return key if key is not None and returned_b.get(b) == key else c
    if text and isinstance(b, str) and isinstance(c, str) and c[:1] in ("{", "["):
        try:
            tree_b, tree_c = json.loads(b), json.loads(c)
        except ValueError:
            return c
        if json.dumps(tree_c) == c:
            tree = both_trees(tree_b, tree_c, context)
            if has_fill(tree):
                return JsonText(tree)
    return c


def both_trees(b: Any, c: Any, context: Context) -> Any:
    if isinstance(b, dict) and isinstance(c, dict) and b.keys() == c.keys():
        return {key: both_trees(b[key], c[key], context) for key in c}
    if isinstance(b, list) and isinstance(c, list) and len(b) == len(c):
        return [both_trees(x, y, context) for x, y in zip(b, c, strict=True)]
    if isinstance(b, dict | list) or isinstance(c, dict | list):
        return c
    return both(b, c, context)


def has_fill(tree: Any) -> bool:
    if isinstance(tree, dict):
        return any(has_fill(item) for item in tree.values())
    if isinstance(tree, list):
        return any(has_fill(item) for item in tree)
    return isinstance(tree, Fill)


def answer(second: Seen, third: Seen) -> tuple[bytes | Fill, ...]:
    """The answer's parts: a compiled read's JSON text where the last statement's one value
    stands in it; a global ID where it names a key a `RETURNING` gave back in both passes;
    the recorded bytes around them."""
    body = third.body
    last = len(third.calls) - 1
    if last >= 0:
        rows = third.calls[last].rows
        if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], str):
            text = rows[0][0].encode()
            at = body.find(text)
            if len(text) > 2 and at >= 0 and body.find(text, at + 1) < 0:
                return (body[:at], Answer(last), body[at + len(text) :])
    parts: list[bytes | Fill] = []
    returned_b, returned_c = second.returned(len(second.calls)), third.returned(len(third.calls))
    ids_b = GLOBAL_ID.findall(second.body)
    start = 0
    for index, match in enumerate(GLOBAL_ID.finditer(body)):
        found = global_id(match.group(1), returned_c)
        if found is None or index >= len(ids_b):
            continue
        earlier = global_id(ids_b[index], returned_b)
        if earlier != found:
            continue
        parts += [body[start : match.start(1)], found]
        start = match.end(1)
    parts.append(body[start:])
    return tuple(parts)


def global_id(text: bytes, returned: dict[int, Returned]) -> GlobalId | None:
    try:
        raw = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4)).decode()
        type_name, _, key = raw.partition(":")
        value = int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    found = returned.get(value)
    return None if found is None else GlobalId(type_name, found)
