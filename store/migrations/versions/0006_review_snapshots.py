"""review snapshots: a review keeps the plan's figures as they stood when it was recorded

A review gains `snapshot`, the plan's coverage totals (in total and by category) and how many gaps
and overlaps it had, taken when the review is recorded and never changed after. Existing reviews
keep every value they had and get no snapshot (null): the figures as they stood on their day
were not kept, and today's would say something the review never saw.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # The snapshots are dropped: revision 0005 has nowhere to keep them, and nothing else
    # depends on them (the review's change event still holds the snapshot it was recorded with).
    with op.batch_alter_table("review") as batch_op:
        batch_op.drop_column("snapshot")
