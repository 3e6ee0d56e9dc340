"""One fixture set for both back ends: every API test runs on SQLite, and on PostgreSQL when
TEST_POSTGRES_URL is set. Each run gets fresh databases, so runs never see each other's rows."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.app import create_app
from api.cli import SHUTDOWN_SECONDS
from api.settings import Settings
from resolvers import tallying, tokens
from resolvers.vocabulary import Role
from seeds import generate, load_reference
from store.database import Database, copy_sqlite, create_engine, create_sessionmaker
from store.migrate import upgrade
from tests.thread_greenlets import keep_main_greenlets

keep_main_greenlets()  # before any test starts a thread: see tests/thread_greenlets.py

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
DEMO_SCALE = 0.02
# The app's own request timeout, for tests that are not about it: on a machine busy with other
# work a correct request may take longer than production's 15 s, and a test asserts behaviour,
# never speed. A request that is really stuck still fails on the per-test timeout (pyproject).
REQUEST_TIMEOUT = 600.0
# Connections each in-process test app may hold on PostgreSQL (twice this with overflow): the
# server's max_connections is shared by every test run on the machine, and each app keeps its
# idle connections, so a module holding several apps at once would otherwise exhaust it when a
# second run goes on beside this one. Requests beyond it wait their turn for a connection.
POOL_SIZE = 2


class Databases:
    """Fresh, migrated databases on one back end, each removed by `close`."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self.folder = folder
        self.engines: list[AsyncEngine] = []
        self.created: list[str] = []

    async def new_url(self) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        template = await asyncio.to_thread(_migrated, self.backend)
        if self.backend == "sqlite":
            path = self.folder / f"{name}.sqlite3"
            await asyncio.to_thread(copy_sqlite, template, path)
            return f"sqlite+aiosqlite:///{path}"
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.created.append(name)
        return _postgres_url(name)

    async def new(self) -> async_sessionmaker[AsyncSession]:
        engine = create_engine(await self.new_url())
        self.engines.append(engine)
        return create_sessionmaker(engine)

    async def close(self) -> None:
        for engine in self.engines:
            await engine.dispose()
        for name in self.created:
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# A fresh database is a copy of one migrated once per worker and back end: migrating from scratch
# takes about a second under coverage, for each of the hundred or so databases a run makes. The
# migrations still make every template, so test_store still checks what they build; the tests of
# a migration move a database of their own down and up (tests/migrations.py).
_templates: dict[str, str] = {}
_templates_lock = threading.Lock()


def _migrated(backend: str) -> str:
    """The migrated template for `backend`: its file on SQLite, its name on PostgreSQL. Made on
    first use, in a thread of its own (alembic runs its own event loop)."""
    with _templates_lock:
        if backend not in _templates:
            name = f"test_template_{uuid.uuid4().hex[:16]}"
            if backend == "sqlite":
                path = Path(tempfile.mkdtemp(prefix="migrated-")) / f"{name}.sqlite3"
                upgrade(f"sqlite+aiosqlite:///{path}")
                _templates[backend] = str(path)
            else:
                asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
                try:
                    upgrade(_postgres_url(name))
                except BaseException:
                    asyncio.run(_admin(f'DROP DATABASE "{name}"'))
                    raise
                _templates[backend] = name
        return _templates[backend]


def _postgres_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    yield
    if "postgresql" in _templates:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{_templates["postgresql"]}" WITH (FORCE)'))
    if "sqlite" in _templates:
        shutil.rmtree(Path(_templates["sqlite"]).parent, ignore_errors=True)


async def _admin(ddl: str) -> None:
    # CREATE/DROP DATABASE cannot run in a transaction and has no SQLAlchemy construct; the names
    # are generated above, never taken from input.
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(ddl))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def databases(backend: str, tmp_path: Path) -> AsyncIterator[Databases]:
    """Fresh databases for a test that writes."""
    found = Databases(backend, tmp_path)
    yield found
    await found.close()


@pytest.fixture(scope="session")
async def seeded_databases(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Databases]:
    found = Databases(backend, tmp_path_factory.mktemp(backend))
    yield found
    await found.close()


@pytest.fixture(scope="session")
async def seeded(seeded_databases: Databases) -> async_sessionmaker[AsyncSession]:
    """The reference data and a small generated data set, shared by every test: read only."""
    sessions = await seeded_databases.new()
    await load_reference(sessions)
    await generate(sessions, DEMO_SCALE)
    await tallying.rebuild(sessions)
    return sessions


@pytest.fixture(scope="session")
def seeded_url(seeded: async_sessionmaker[AsyncSession]) -> str:
    engine = seeded.kw["bind"]
    return str(engine.url.render_as_string(hide_password=False))


@dataclass
class StatementLog:
    """Every SQL statement the application sends, to catch an N+1 the moment it appears."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        self.statements.clear()


# Who the tests act as: a token for each role, issued on every test database.
PEOPLE = {
    "secretariat": ("NATO", Role.SECRETARIAT),
    "ally": ("DE", Role.ALLY),
    "other_ally": ("FR", Role.ALLY),
    "partner": ("GE", Role.PARTNER),
    "other_partner": ("MD", Role.PARTNER),
    "institution": ("EU", Role.INSTITUTION),
}


@dataclass
class Api:
    client: httpx.AsyncClient
    sql: StatementLog
    tokens: dict[str, str]
    database: Database

    async def post(
        self, document: str, variables: dict[str, Any] | None = None, as_: str = "secretariat"
    ) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": document, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.tokens[as_]}"},
        )

    async def query(
        self, document: str, variables: dict[str, Any] | None = None, as_: str = "secretariat"
    ) -> dict[str, Any]:
        response = await self.post(document, variables, as_)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, document: str, variables: dict[str, Any] | None = None, as_: str = "secretariat"
    ) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = await self.query(document, variables, as_)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


async def issue_tokens(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    return {name: await tokens.issue(sessions, *who, None) for name, who in PEOPLE.items()}


@contextlib.asynccontextmanager
async def running_api(url: str, **settings: Any) -> AsyncIterator[Api]:
    """The app over `url`, in process, with a token for each of PEOPLE, and any other settings."""
    settings.setdefault("request_timeout", REQUEST_TIMEOUT)
    settings.setdefault("pool_size", POOL_SIZE)
    settings.setdefault("pool_timeout", REQUEST_TIMEOUT)
    app = create_app(Settings(database_url=url, **settings))
    database = app.state.database
    log = StatementLog()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Transaction control is not a query (and SQLite's BEGIN is explicit, PostgreSQL's not).
        if not statement.startswith("BEGIN"):
            log.statements.append(statement)

    secrets = await issue_tokens(database.writes)
    event.listen(database.reader.sync_engine, "before_cursor_execute", record)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client, log, secrets, database)
    await database.dispose()


@pytest.fixture(scope="session")
async def api(seeded_url: str) -> AsyncIterator[Api]:
    """The API over the shared seeded database: for tests that only read."""
    async with running_api(seeded_url) as running:
        yield running


@pytest.fixture(scope="module")
async def writable_api(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Api]:
    """The API over a database of the test module's own, with the reference data: for writes."""
    found = Databases(backend, tmp_path_factory.mktemp("writable"))
    url = await found.new_url()
    engine = create_engine(url)
    await load_reference(create_sessionmaker(engine))
    await tallying.rebuild(create_sessionmaker(engine))
    await engine.dispose()
    async with running_api(url) as running:
        yield running
    await found.close()


@pytest.fixture
def sql(api: Api) -> Iterator[StatementLog]:
    api.sql.clear()
    yield api.sql


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The app behind a real uvicorn on a free loopback port; yields its host:port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"{host}:{port}"
    finally:
        server.should_exit = True
        # A server that will not stop fails the test, rather than hold the run until its timeout.
        await asyncio.wait_for(task, SHUTDOWN_SECONDS * 6)
