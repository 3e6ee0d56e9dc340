"""funds, pooled support and allocations, reports on behalf

Support may now pass through a fund (a participant of kind FUND, with its manager and lead
nations) or be earmarked to a plan, and reach objectives later as allocations that draw on it. A
contribution's objective becomes optional (null while its money is pooled), and it records the
fund it passed through, what pooled support is earmarked to, and who reported it: every existing
contribution was reported by its contributor and reached its objective directly.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = ("STATE", "INSTITUTION")
KINDS_AFTER = ("STATE", "INSTITUTION", "FUND")
CATEGORIES = (
    "POLITICAL_AND_SECURITY",
    "DEFENCE_AND_MILITARY",
    "PUBLIC_DIPLOMACY",
    "SCIENCE_AND_ENVIRONMENT",
    "CIVIL_PREPAREDNESS",
    "ADMINISTRATIVE_AND_RESOURCES",
)


def _kinds(kinds: Sequence[str]) -> sa.Enum:
    return sa.Enum(*kinds, name="participant_kind", native_enum=False, create_constraint=True)


def upgrade() -> None:
    # The kind's CHECK constraint is rebuilt with FUND (a table copy on SQLite).
    with op.batch_alter_table("participant") as batch_op:
        batch_op.alter_column("kind", existing_type=_kinds(KINDS_BEFORE), type_=_kinds(KINDS_AFTER))

    op.create_table(
        "fund",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "form",
            sa.Enum(
                "TRUST_FUND",
                "POOLED_FUND",
                "EXECUTING_AGENCY",
                name="fund_form",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_fund_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["participant.id"], name=op.f("fk_fund_manager_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["participant.id"], name=op.f("fk_fund_beneficiary_id_participant")
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_fund")),
    )
    with op.batch_alter_table("fund") as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_form"), ["form"], unique=False)
        batch_op.create_index(batch_op.f("ix_fund_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fund_beneficiary_id"), ["beneficiary_id"], unique=False
        )

    op.create_table(
        "fund_lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.participant_id"], name=op.f("fk_fund_lead_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["participant.id"], name=op.f("fk_fund_lead_nation_id_participant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_lead")),
        sa.UniqueConstraint("fund_id", "nation_id", name=op.f("uq_fund_lead_fund_id_nation_id")),
    )
    with op.batch_alter_table("fund_lead") as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_lead_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fund_lead_nation_id"), ["nation_id"], unique=False)

    with op.batch_alter_table("contribution") as batch_op:
        batch_op.alter_column("objective_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("channel_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "category",
                sa.Enum(*CATEGORIES, name="category", native_enum=False, create_constraint=True),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("earmarked_objective_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reported_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("draws", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Every contribution so far was reported by its contributor.
    contribution = sa.table(
        "contribution", sa.column("contributor_id", sa.Integer), sa.column("reported_by_id")
    )
    op.execute(contribution.update().values(reported_by_id=contribution.c.contributor_id))
    with op.batch_alter_table("contribution") as batch_op:
        # The default was only for the rows already there; the service always says.
        batch_op.alter_column("draws", existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column("reported_by_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contribution_channel_id_participant"),
            "participant",
            ["channel_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contribution_plan_id_plan"), "plan", ["plan_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contribution_earmarked_objective_id_objective"),
            "objective",
            ["earmarked_objective_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contribution_reported_by_id_participant"),
            "participant",
            ["reported_by_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contribution_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contribution_reported_by_id"), ["reported_by_id"], unique=False
        )

    op.create_table(
        "contribution_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["contribution.id"],
            name=op.f("fk_contribution_draw_allocation_id_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["contribution.id"],
            name=op.f("fk_contribution_draw_source_id_contribution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_draw")),
        sa.UniqueConstraint(
            "allocation_id",
            "source_id",
            name=op.f("uq_contribution_draw_allocation_id_source_id"),
        ),
    )
    with op.batch_alter_table("contribution_draw") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_draw_allocation_id"), ["allocation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_draw_source_id"), ["source_id"], unique=False
        )


def downgrade() -> None:
    # Nothing is deleted to go back: pooled support has no objective the old schema could hold.
    contribution = sa.table("contribution", sa.column("objective_id", sa.Integer))
    pooled = op.get_bind().scalar(
        sa.select(sa.func.count())
        .select_from(contribution)
        .where(contribution.c.objective_id.is_(None))
    )
    participant = sa.table("participant", sa.column("kind", sa.String))
    funds = op.get_bind().scalar(
        sa.select(sa.func.count()).select_from(participant).where(participant.c.kind == "FUND")
    )
    if pooled or funds:
        raise RuntimeError(
            f"{pooled} contributions are pooled (in a fund or earmarked to a plan) and {funds} "
            "participants are funds: the schema before 0004 cannot hold them, and nothing is "
            "deleted to make it fit"
        )
    op.drop_table("contribution_draw")
    with op.batch_alter_table("contribution") as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_reported_by_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_plan_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_channel_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_contribution_reported_by_id_participant"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_contribution_earmarked_objective_id_objective"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_contribution_plan_id_plan"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_contribution_channel_id_participant"), type_="foreignkey"
        )
        batch_op.drop_column("draws")
        batch_op.drop_column("reported_by_id")
        batch_op.drop_column("earmarked_objective_id")
        # Named, so that SQLite's table copy does not carry it over to a table without the column.
        batch_op.drop_constraint(batch_op.f("ck_contribution_category"), type_="check")
        batch_op.drop_column("category")
        batch_op.drop_column("plan_id")
        batch_op.drop_column("channel_id")
        batch_op.alter_column("objective_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("fund_lead")
    op.drop_table("fund")
    with op.batch_alter_table("participant") as batch_op:
        batch_op.alter_column("kind", existing_type=_kinds(KINDS_AFTER), type_=_kinds(KINDS_BEFORE))
