"""repair stored text that no UTF-8 can carry

A lone surrogate (U+D800 to U+DFFF) is not Unicode text, and no JSON encoder can answer with it.
Until inputs were checked for it, one could be stored as a `\\ud800` escape in a JSON column (the
change log's before and after), and every read of that row failed. Neither driver can send one
in a text column, but on SQLite a foreign tool can write its bytes (ED A0 80...), which the
driver then cannot read back. Each is replaced by U+FFFD, the replacement character.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 06:00:00
"""

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rule of schema/text.py, frozen here: migrations import nothing of the app.
SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _repaired(value: Any) -> Any:
    if isinstance(value, str):
        return SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {_repaired(key): _repaired(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_repaired(item) for item in value]
    return value


def _decoded(raw: bytes) -> str:
    """Stored bytes as text: a surrogate pair written as two 3-byte sequences (as CESU-8 does) is
    read as its character, and whatever else is not UTF-8 is replaced."""
    try:
        spelled = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
    return spelled.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        keys = inspector.get_pk_constraint(name)["constrained_columns"]
        if not keys:
            continue  # no row could be named to repair (every table of ours has a key)
        for column in inspector.get_columns(name):
            if isinstance(column["type"], sa.JSON):
                _repair_json(bind, name, keys, column["name"])
            elif isinstance(column["type"], sa.String) and bind.dialect.name == "sqlite":
                _repair_sqlite_text(bind, name, keys, column["name"])


def _repair_json(bind: sa.Connection, name: str, keys: list[str], column: str) -> None:
    table = sa.table(name, *(sa.column(key) for key in keys), sa.column(column, sa.JSON()))
    stored = sa.cast(table.c[column], sa.Text())
    # Every surrogate escape starts so (as does much of Hangul, or an escaped pair): candidates,
    # which Python tells apart.
    candidates = sa.select(*(table.c[key] for key in keys), stored).where(
        sa.func.lower(stored).contains("\\ud", autoescape=True)
    )
    for row in bind.execute(candidates).all():
        *key, text = row
        value = json.loads(text)
        fixed = _repaired(value)
        if fixed != value:
            bind.execute(
                sa.update(table)
                .where(*(table.c[k] == v for k, v in zip(keys, key, strict=True)))
                .values({column: fixed})
            )


def _repair_sqlite_text(bind: sa.Connection, name: str, keys: list[str], column: str) -> None:
    table = sa.table(name, *(sa.column(key) for key in keys), sa.column(column, sa.Text()))
    raw = sa.cast(table.c[column], sa.LargeBinary())
    # UTF-8 that spells a surrogate starts with the byte ED (as does some of Hangul).
    candidates = sa.select(*(table.c[key] for key in keys), raw).where(
        sa.func.instr(raw, sa.literal(b"\xed", sa.LargeBinary())) > 0
    )
    for row in bind.execute(candidates).all():
        *key, stored = row
        fixed = _decoded(stored)
        if fixed.encode() != stored:
            bind.execute(
                sa.update(table)
                .where(*(table.c[k] == v for k, v in zip(keys, key, strict=True)))
                .values({column: fixed})
            )


def downgrade() -> None:
    """Nothing to undo: the text repaired was unreadable."""
