"""Alembic environment: runs the migrations over an async engine on either back end."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from store import Base
from store.columns import ScaledDecimal, UTCDateTime
from store.database import create_engine

target_metadata = Base.metadata


def _render_item(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our column types as the plain types they store, so migrations never import the app."""
    if kind == "type" and isinstance(item, ScaledDecimal):
        return "sa.BigInteger()"
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # On SQLite a batch migration copies a table, drops the original and renames the copy:
        # with foreign keys enforced, dropping a table other rows refer to fails. They are checked
        # once the migration is done instead. (The pragma takes effect only outside a
        # transaction, so it goes to the driver's connection before SQLAlchemy begins one.)
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows referring to nothing: {broken[:5]}")
    if sqlite:
        _pragma(connection, "PRAGMA foreign_keys=ON")


def _pragma(connection: Connection, statement: str) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


async def _run_async() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        # A migration that refuses still closes its connections.
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: point DATABASE_URL at a database")
asyncio.run(_run_async())
