"""Running it: readiness, metrics, request ids and structured logs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from websockets.typing import Subprotocol

from api import health
from api.app import create_app
from api.logs import JsonFormatter, ServiceHandler, TextFormatter, configure_logging
from api.settings import Settings
from tests.conftest import Api, served

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/coordination"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@contextlib.asynccontextmanager
async def client_of(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await app.state.database.dispose()


@contextlib.asynccontextmanager
async def fresh_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own: its metrics count only this test's requests."""
    async with client_of(create_app(Settings(database_url=url))) as client:
        yield client


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


# Readiness


async def test_ready_on_the_migrated_seeded_database(api: Api) -> None:
    response = await api.client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_unready_at_once_when_the_database_is_unreachable() -> None:
    async with fresh_client(UNREACHABLE) as client:
        started = time.perf_counter()
        response = await client.get("/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    assert response.json() == {"status": "unready", "reason": "database unreachable"}
    assert elapsed < 3


async def test_unready_within_the_timeout_when_the_database_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a "database" that accepts connections and never says a word
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(health, "READY_TIMEOUT", 0.3)

    # When the probe asks
    async with (
        server,
        fresh_client(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/coordination") as client,
    ):
        started = time.perf_counter()
        response = await client.get("/readyz")
        elapsed = time.perf_counter() - started
        server.close()

    # Then it answers when its own timeout says so, not the driver's
    assert response.status_code == 503
    assert response.json()["reason"] == "database did not answer within 0.3 s"
    assert elapsed < 2


async def test_unready_when_the_migrations_are_behind(tmp_path: Path) -> None:
    async with fresh_client(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.sqlite3'}") as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unready"
    assert "migration" in body["reason"] and "python -m api migrate" in body["reason"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_probes_and_metrics_need_no_token(api: Api, path: str) -> None:
    assert (await api.client.get(path)).status_code == 200


# Metrics


async def test_metrics_count_requests_by_method_route_and_status(seeded_url: str, api: Api) -> None:
    secretariat = {"authorization": f"Bearer {api.tokens['secretariat']}"}
    async with fresh_client(seeded_url) as client:
        for _ in range(2):
            await client.get("/healthz")
        await client.post("/graphql", json={"query": "{ __typename }"})
        await client.post("/graphql", json={"query": "{ __typename }"}, headers=secretariat)
        await client.get("/wp-login.php")
        samples = await scrape(client)

    total = "http_requests_total"
    assert value(samples, total, method="GET", route="/healthz", status="200") == 2
    assert value(samples, total, method="POST", route="/graphql", status="401") == 1
    assert value(samples, total, method="POST", route="/graphql", status="200") == 1
    assert value(samples, total, method="GET", route="unmatched", status="404") == 1
    latency = "http_request_duration_seconds"
    assert value(samples, f"{latency}_count", route="/healthz") == 2
    assert value(samples, f"{latency}_bucket", route="/healthz", le="+Inf") == 2
    assert value(samples, f"{latency}_count", route="/graphql") == 2
    assert value(samples, "graphql_error_responses_total", status="401") == 1
    assert value(samples, "graphql_error_responses_total", status="200") is None
    assert value(samples, "websocket_connections_active") == 0
    assert value(samples, "graphql_subscriptions_active") == 0


async def test_metrics_read_the_pools_when_scraped(seeded_url: str, api: Api) -> None:
    async with fresh_client(seeded_url) as client:
        await client.get("/readyz")
        samples = await scrape(client)

    pools = {
        dict(labels)["pool"]: found
        for (name, labels), found in samples.items()
        if name == "database_pool_size_connections"
    }
    # PostgreSQL: one engine for reads and writes; SQLite: a reader and a writer on one file.
    assert set(pools) in ({"main"}, {"reads", "writes"})
    assert all(size > 0 for size in pools.values())
    for pool in pools:
        # The probe's connection went back to the pool.
        assert value(samples, "database_pool_checked_out_connections", pool=pool) == 0


@pytest.mark.parametrize(
    ("document", "has_errors"),
    [
        ("{ __typename }", False),
        # A field aliased `errors` is data, not an error, whatever it holds.
        ("{ errors: plans(first: 2) { nodes { code } } }", False),
        ("{ errors: __typename }", False),
        ("{ plans(first: 1000) { totalCount } }", True),
        ("{ noSuchField }", True),
        ("{ __typename plan(id: 42) { code } }", True),
    ],
)
async def test_graphql_errors_are_counted_from_the_body(
    seeded_url: str, api: Api, document: str, has_errors: bool
) -> None:
    secretariat = {"authorization": f"Bearer {api.tokens['secretariat']}"}
    async with fresh_client(seeded_url) as client:
        response = await client.post("/graphql", json={"query": document}, headers=secretariat)
        samples = await scrape(client)

    assert response.status_code == 200
    assert ("errors" in response.json()) is has_errors
    counted = value(samples, "graphql_error_responses_total", status="200")
    assert counted == (1 if has_errors else None)


async def test_metrics_track_open_websockets(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))

    async def open_sockets(client: httpx.AsyncClient) -> float | None:
        return value(await scrape(client), "websocket_connections_active")

    async with client_of(app) as client, served(app) as address:
        async with websockets.connect(
            f"ws://{address}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
        ):
            assert await open_sockets(client) == 1
        for _ in range(100):
            if await open_sockets(client) == 0:
                break
            await asyncio.sleep(0.02)
        assert await open_sockets(client) == 0


# Request ids and logs


async def test_a_sane_request_id_is_echoed(api: Api) -> None:
    response = await api.client.get("/healthz", headers={"x-request-id": "lb-7f3a.42:9"})

    assert response.headers["x-request-id"] == "lb-7f3a.42:9"


@pytest.mark.parametrize("offered", [None, "", "two words", "x" * 200, '"quoted"'])
async def test_a_request_id_is_made_when_none_or_no_sane_one_is_sent(
    api: Api, offered: str | None
) -> None:
    headers = {} if offered is None else {"x-request-id": offered}
    first = await api.client.get("/healthz", headers=headers)
    second = await api.client.get("/healthz", headers=headers)

    made = first.headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0  # a uuid4, in hex
    assert second.headers["x-request-id"] != made


async def test_401_answers_carry_the_request_id_too(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc"}
    )

    assert response.status_code == 401
    assert response.headers["x-request-id"] == "abc"


async def test_an_unhandled_error_is_a_500_logged_and_counted_with_its_request_id(
    seeded_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a route that fails outside GraphQL's own error handling
    async def broken(request: Request) -> Response:
        raise RuntimeError("broken on purpose")

    app = create_app(Settings(database_url=seeded_url))
    app.router.routes.append(Route("/broken", broken))

    # When it is called
    with caplog.at_level(logging.ERROR, logger="api.requests"):
        async with client_of(app) as client:
            response = await client.get("/broken", headers={"x-request-id": "crash-1"})
            samples = await scrape(client)

    # Then the caller gets a bare 500 with the id to quote, and the log has the traceback
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert response.headers["x-request-id"] == "crash-1"
    (record,) = [found for found in caplog.records if found.name == "api.requests"]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "crash-1"
    assert "RuntimeError: broken on purpose" in entry["exception"]
    status = {"method": "GET", "route": "/broken", "status": "500"}
    assert value(samples, "http_requests_total", **status) == 1


async def test_log_lines_are_json_objects_with_the_request_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an instance whose readiness probe logs why it is not ready
    url = f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.sqlite3'}"
    with caplog.at_level(logging.INFO, logger="api.health"):
        async with fresh_client(url) as client:
            await client.get("/readyz", headers={"x-request-id": "probe-1"})

    # Then the line it wrote is one JSON object carrying the request's id
    (record,) = [found for found in caplog.records if found.name == "api.health"]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == "probe-1"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "api.health"
    assert entry["message"].startswith("unready: database schema is not at")
    assert entry["time"].endswith("+00:00")


def test_json_lines_hold_the_exception_and_no_request_id_outside_requests() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("tests").makeRecord(
            "tests", logging.ERROR, __file__, 1, "failed: %s", ("why",), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "failed: why"
    assert "request_id" not in entry
    assert entry["exception"].startswith("Traceback") and "ValueError: boom" in entry["exception"]


def test_configuring_logging_again_replaces_the_handler() -> None:
    configure_logging("INFO", as_json=True)
    configure_logging("INFO", as_json=False)

    root = logging.getLogger()
    installed = [found for found in root.handlers if isinstance(found, ServiceHandler)]
    assert len(installed) == 1
    assert isinstance(installed[0].formatter, TextFormatter)


def test_the_log_format_follows_the_environment_unless_set() -> None:
    def json_logs(**environ: str) -> bool:
        return Settings.from_env(environ).json_logs

    assert json_logs() is False
    assert json_logs(ENVIRONMENT="production") is True
    assert json_logs(ENVIRONMENT="production", LOG_FORMAT="text") is False
    assert json_logs(LOG_FORMAT="JSON") is True
    with pytest.raises(SystemExit, match="LOG_FORMAT"):
        json_logs(LOG_FORMAT="xml")


def test_the_pool_timeout_is_a_positive_number_of_seconds() -> None:
    assert Settings.from_env({}).pool_timeout == 10
    assert Settings.from_env({"DATABASE_POOL_TIMEOUT": "2.5"}).pool_timeout == 2.5
    for wrong in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(SystemExit, match="DATABASE_POOL_TIMEOUT"):
            Settings.from_env({"DATABASE_POOL_TIMEOUT": wrong})


async def test_the_pool_timeout_reaches_the_engine() -> None:
    app = create_app(Settings(database_url=UNREACHABLE, pool_timeout=3.5))
    try:
        assert app.state.database.reader.pool.timeout() == 3.5
    finally:
        await app.state.database.dispose()
