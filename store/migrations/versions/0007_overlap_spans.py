"""overlap spans: each objective line's overlap day by day, kept with its tally

The tallies keep each line's overlap over all time; a line now also keeps the stretches of days
over which its running support overlaps one way, so that the overlaps on a day or within a
period are read without their contributions. The table starts empty here: `python -m api
migrate` works the spans out from the contributions after upgrading (resolvers/tallying.derive),
as it does every tally, since they are figures derived with the service's own rules.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "overlap_span",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("contributors", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("excess", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["objective.id"], name=op.f("fk_overlap_span_line_id_objective")
        ),
        sa.PrimaryKeyConstraint("line_id", "starts_on", name=op.f("pk_overlap_span")),
    )
    with op.batch_alter_table("overlap_span", schema=None) as batch_op:
        batch_op.create_index("ix_overlap_span_days", ["starts_on", "ends_on"], unique=False)
        batch_op.create_index("ix_overlap_span_score", ["score", "line_id"], unique=False)


def downgrade() -> None:
    # Derived figures only: the tallies and contributions they come from stay.
    op.drop_table("overlap_span")
