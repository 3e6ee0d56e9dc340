"""One fixture set for both back ends: every API test runs on SQLite, and on PostgreSQL when
TEST_POSTGRES_URL is set. Each run gets fresh databases, so runs never see each other's rows."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.settings import Settings
from seeds import generate, load_reference
from store.database import create_engine, create_sessionmaker
from store.migrate import upgrade

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
DEMO_SCALE = 0.02


async def _create_postgres_database() -> tuple[str, str]:
    """A database of this run's own on the test server; returns its URL and name."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres_database(name: str) -> None:
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def fresh_database(backend: str, folder: Path) -> tuple[str, Any]:
    """A migrated, empty database; returns its URL and a coroutine function that removes it."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}"

        async def nothing() -> None:
            return None

        drop = nothing
    else:
        url, name = await _create_postgres_database()

        async def drop() -> None:
            await _drop_postgres_database(name)

    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, url)
    return url, drop


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def seeded_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database with the reference data and a small generated data set, shared read-only."""
    url, drop = await fresh_database(backend, tmp_path_factory.mktemp(backend))
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    await load_reference(sessions)
    await generate(sessions, DEMO_SCALE)
    await engine.dispose()
    yield url
    await drop()


@dataclass
class StatementLog:
    """Every SQL statement the application sends, to catch an N+1 the moment it appears."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        self.statements.clear()


@dataclass
class Api:
    client: httpx.AsyncClient
    sql: StatementLog

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": variables or {}}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = await self.query(document, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


@pytest.fixture(scope="session")
async def api(seeded_url: str) -> AsyncIterator[Api]:
    app = create_app(Settings(database_url=seeded_url))
    log = StatementLog()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        log.statements.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client, log)
    await app.state.engine.dispose()


@pytest.fixture
def sql(api: Api) -> Iterator[StatementLog]:
    api.sql.clear()
    yield api.sql
