"""recipient confirmations

A recipient partner confirms a contribution (funding received, in-kind support delivered, with the
amount and day it records) or disputes it (with a reason): table `confirmation`, one row each,
never updated or deleted, the latest being the current one. The change log records both, so its
`action` check takes CONFIRMED and DISPUTED. Existing rows are kept as they are: no contribution
has a confirmation yet.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The change log's actions, frozen here: migrations import nothing of the app.
ACTIONS = ("CREATED", "UPDATED", "WITHDRAWN", "TRANSITIONED", "OVERLAP_DETECTED")
ADDED = ("CONFIRMED", "DISPUTED")


def _actions(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name="change_action", native_enum=False, create_constraint=True)


def _change_actions(old: Sequence[str], new: Sequence[str]) -> None:
    """Rewrite the check on change_event.action (a table copy on SQLite, which cannot alter
    one in place). The column stays VARCHAR(16), long enough for every action."""
    with op.batch_alter_table("change_event", recreate="always") as batch_op:
        batch_op.alter_column(
            "action",
            existing_type=_actions(old),
            type_=_actions(new),
            existing_nullable=False,
        )


def upgrade() -> None:
    op.create_table(
        "confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "CONFIRMED",
                "DISPUTED",
                name="confirmation_verdict",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "RECEIVED",
                "DELIVERED",
                name="confirmation_stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("of_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_confirmation_contribution_id_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["participant.id"],
            name=op.f("fk_confirmation_recorded_by_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmation")),
    )
    with op.batch_alter_table("confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confirmation_contribution_id"), ["contribution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_confirmation_recorded_by_id"), ["recorded_by_id"], unique=False
        )
    _change_actions(ACTIONS, ACTIONS + ADDED)


def downgrade() -> None:
    """Only while nothing was confirmed or disputed: the change log keeps every event, and the
    old check could not hold these."""
    change_event = sa.table("change_event", sa.column("action", sa.String()))
    recorded = op.get_bind().scalar(
        sa.select(sa.func.count()).where(change_event.c.action.in_(ADDED))
    )
    if recorded:
        raise RuntimeError(f"{recorded} confirmations or disputes are on record: not downgrading")
    _change_actions(ACTIONS + ADDED, ACTIONS)
    with op.batch_alter_table("confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmation_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_confirmation_contribution_id"))
    op.drop_table("confirmation")
