"""stages of delivery: committed and delivered amounts, deliveries, schedules, in-kind items

A contribution had one amount and a status; it now keeps its stages: the date it was pledged, the
amount committed and when, what has been delivered (each delivery recorded, and their sum), its
planned tranches and its in-kind line items. Existing contributions keep every figure they had:
a COMMITTED one has its whole amount committed, a DISBURSED or DELIVERED one its whole amount
committed and delivered in one delivery, dated when it was last changed; a WITHDRAWN one, which
counted nothing, delivered nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 17:10:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE = ("DISBURSED", "DELIVERED")
COMMITTED = ("COMMITTED", *DONE)
MONEY_SCALE = 4  # amounts are stored in ten-thousandths


def _moment(stored: Any) -> datetime:
    """A stored timestamp in UTC (SQLite hands back naive UTC, or text)."""
    moment = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day(stored: Any) -> date:
    return _moment(stored).date()


def upgrade() -> None:
    with op.batch_alter_table("contribution") as batch_op:
        batch_op.add_column(sa.Column("pledged_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("committed_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("committed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("delivered_amount", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("delivered_on", sa.Date(), nullable=True))
        for name in ("deliveries", "schedule", "items"):
            batch_op.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
            )

    contribution = sa.table(
        "contribution",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("amount", sa.BigInteger),
        sa.column("reported_by_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("pledged_on", sa.Date),
        sa.column("committed_amount", sa.BigInteger),
        sa.column("committed_on", sa.Date),
        sa.column("delivered_amount", sa.BigInteger),
        sa.column("delivered_on", sa.Date),
        sa.column("deliveries", sa.JSON),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            contribution.c.id,
            contribution.c.status,
            contribution.c.amount,
            contribution.c.reported_by_id,
            contribution.c.created_at,
            contribution.c.updated_at,
        )
    ).all()
    changes = []
    for row in rows:
        changed = _day(row.updated_at)
        values: dict[str, Any] = {"key": row.id, "pledged_on": _day(row.created_at)}
        values |= {"committed_amount": None, "committed_on": None}
        values |= {"delivered_amount": 0, "delivered_on": None, "deliveries": []}
        if row.status in COMMITTED:
            values |= {"committed_amount": row.amount, "committed_on": changed}
        if row.status in DONE:
            delivery = {
                "amount": str(Decimal(row.amount).scaleb(-MONEY_SCALE)),
                "on": changed.isoformat(),
                "note": f"recorded as {row.status} before deliveries were kept one by one",
                "recordedById": row.reported_by_id,
                "recordedAt": _moment(row.updated_at).isoformat(),
            }
            values |= {"delivered_amount": row.amount, "delivered_on": changed}
            values |= {"deliveries": [delivery]}
        changes.append(values)
    if changes:
        connection.execute(
            contribution.update()
            .where(contribution.c.id == sa.bindparam("key"))
            .values(
                pledged_on=sa.bindparam("pledged_on"),
                committed_amount=sa.bindparam("committed_amount"),
                committed_on=sa.bindparam("committed_on"),
                delivered_amount=sa.bindparam("delivered_amount"),
                delivered_on=sa.bindparam("delivered_on"),
                deliveries=sa.bindparam("deliveries", type_=sa.JSON),
            ),
            changes,
        )
    with op.batch_alter_table("contribution") as batch_op:
        batch_op.alter_column("pledged_on", existing_type=sa.Date(), nullable=False)
        # The defaults were only for the rows already there; the service always says.
        batch_op.alter_column(
            "delivered_amount", existing_type=sa.BigInteger(), server_default=None
        )
        for name in ("deliveries", "schedule", "items"):
            batch_op.alter_column(name, existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    connection = op.get_bind()
    contribution = sa.table(
        "contribution",
        sa.column("committed_amount", sa.BigInteger),
        sa.column("amount", sa.BigInteger),
        sa.column("delivered_amount", sa.BigInteger),
        sa.column("schedule", sa.JSON),
        sa.column("items", sa.JSON),
    )
    # A status holds a whole amount at one stage: part of one committed or delivered, or a
    # schedule or items, cannot be carried back without losing them.
    partial = connection.scalar(
        sa.select(sa.func.count()).where(
            sa.or_(
                sa.and_(
                    contribution.c.committed_amount.is_not(None),
                    contribution.c.committed_amount != contribution.c.amount,
                ),
                sa.and_(
                    contribution.c.delivered_amount != 0,
                    contribution.c.delivered_amount != contribution.c.amount,
                ),
                sa.cast(contribution.c.schedule, sa.String) != "[]",
                sa.cast(contribution.c["items"], sa.String) != "[]",
            )
        )
    )
    if partial:
        raise RuntimeError(
            f"{partial} contributions hold partial stages, schedules or items, which revision "
            "0004 cannot hold: downgrading would lose them"
        )
    with op.batch_alter_table("contribution") as batch_op:
        for name in ("items", "schedule", "deliveries"):
            batch_op.drop_column(name)
        batch_op.drop_column("delivered_on")
        batch_op.drop_column("delivered_amount")
        batch_op.drop_column("committed_on")
        batch_op.drop_column("committed_amount")
        batch_op.drop_column("pledged_on")
