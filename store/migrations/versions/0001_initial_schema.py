"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:37:00.391153
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rate")),
        sa.UniqueConstraint(
            "currency", "valid_from", name=op.f("uq_exchange_rate_currency_valid_from")
        ),
    )
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_rate_currency"), ["currency"], unique=False)

    feed_counter = op.create_table(
        "feed_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_counter")),
    )
    # The one row every writer takes first (see store.changes).
    op.bulk_insert(feed_counter, [{"id": 1, "position": 0}])
    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "STATE",
                "INSTITUTION",
                name="participant_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("allied_since", sa.Date(), nullable=True),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("is_secretariat", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
        sa.UniqueConstraint("code", name=op.f("uq_participant_code")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_allied_since"), ["allied_since"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_participant_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_region"), ["region"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "ALLY",
                "PARTNER",
                "INSTITUTION",
                "SECRETARIAT",
                "NONE",
                name="token_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_api_token_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_token_secret_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_token_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "change_event",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "CREATED",
                "UPDATED",
                "WITHDRAWN",
                "TRANSITIONED",
                "OVERLAP_DETECTED",
                name="change_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["participant.id"], name=op.f("fk_change_event_actor_id_participant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
    )
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            "ix_change_event_entity", ["entity_type", "entity_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_change_event_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_idempotency_key_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint(
            "participant_id",
            "operation",
            "key",
            name=op.f("uq_idempotency_key_participant_id_operation_key"),
        ),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_key_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "framework",
            sa.Enum(
                "PARTNERSHIP_FOR_PEACE",
                "MEDITERRANEAN_DIALOGUE",
                "ISTANBUL_COOPERATION_INITIATIVE",
                "PARTNERS_ACROSS_THE_GLOBE",
                name="framework",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_partnership_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership")),
        sa.UniqueConstraint(
            "participant_id",
            "framework",
            "joined_on",
            name=op.f("uq_partnership_participant_id_framework_joined_on"),
        ),
    )
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnership_active", ["participant_id", "joined_on", "left_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_partnership_framework"), ["framework"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partnership_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "IPAP", "IPCP", "ITPP", name="plan_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "AGREED",
                "ACTIVE",
                "UNDER_REVIEW",
                "SUPERSEDED",
                "CLOSED",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column(
            "agreed_on_precision",
            sa.Enum(
                "DAY",
                "MONTH",
                "YEAR",
                name="date_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("predecessor_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["participant.id"], name=op.f("fk_plan_partner_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["plan.id"], name=op.f("fk_plan_predecessor_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_plan_code")),
        sa.UniqueConstraint("predecessor_id", name=op.f("uq_plan_predecessor_id")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_agreed_on"), ["agreed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_starts_on"), ["starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_status"), ["status"], unique=False)

    op.create_table(
        "objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "POLITICAL_AND_SECURITY",
                "DEFENCE_AND_MILITARY",
                "PUBLIC_DIPLOMACY",
                "SCIENCE_AND_ENVIRONMENT",
                "CIVIL_PREPAREDNESS",
                "ADMINISTRATIVE_AND_RESOURCES",
                name="category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "NOT_STARTED",
                "IN_PROGRESS",
                "ACHIEVED",
                "DEFERRED",
                "CARRIED_OVER",
                name="objective_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requirement_amount", sa.BigInteger(), nullable=True),
        sa.Column("requirement_currency", sa.String(length=3), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("carried_over_from_id", sa.Integer(), nullable=True),
        sa.Column("origin_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_over_from_id"],
            ["objective.id"],
            name=op.f("fk_objective_carried_over_from_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["origin_id"], ["objective.id"], name=op.f("fk_objective_origin_id_objective")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_objective_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_objective_plan_id_code")),
    )
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_carried_over_from_id"), ["carried_over_from_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_objective_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_origin_id"), ["origin_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            "ix_objective_plan_priority", ["plan_id", "priority", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_objective_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_target_date"), ["target_date"], unique=False)

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_review_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_reviewed_on"), ["reviewed_on"], unique=False)

    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "FUNDING",
                "EQUIPMENT",
                "TRAINING",
                "EXPERTISE",
                "PERSONNEL",
                "OTHER_IN_KIND",
                name="contribution_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "PLEDGED",
                "COMMITTED",
                "DISBURSED",
                "DELIVERED",
                "WITHDRAWN",
                name="contribution_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valued_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("external_reference", sa.String(length=120), nullable=True),
        sa.Column(
            "visibility",
            sa.Enum(
                "PUBLIC", "RESTRICTED", name="visibility", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["participant.id"],
            name=op.f("fk_contribution_contributor_id_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"], ["objective.id"], name=op.f("fk_contribution_objective_id_objective")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["participant.id"],
            name=op.f("fk_contribution_recipient_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
        sa.UniqueConstraint(
            "contributor_id",
            "external_reference",
            name=op.f("uq_contribution_contributor_id_external_reference"),
        ),
    )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contribution_contributor_created", ["contributor_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_contributor_id"), ["contributor_id"], unique=False
        )
        batch_op.create_index("ix_contribution_created_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_currency"), ["currency"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_kind"), ["kind"], unique=False)
        batch_op.create_index(
            "ix_contribution_objective_created", ["objective_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_objective_id"), ["objective_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contribution_starts_on"), ["starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_status"), ["status"], unique=False)
        batch_op.create_index("ix_contribution_updated_id", ["updated_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contribution_visibility"), ["visibility"], unique=False
        )

    op.create_table(
        "objective_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column(
            "assessment",
            sa.Enum(
                "ON_TRACK",
                "AT_RISK",
                "OFF_TRACK",
                "ACHIEVED",
                name="assessment",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_objective_assessment_objective_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_objective_assessment_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_assessment")),
        sa.UniqueConstraint(
            "review_id", "objective_id", name=op.f("uq_objective_assessment_review_id_objective_id")
        ),
    )
    with op.batch_alter_table("objective_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_assessment_objective_id"), ["objective_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_objective_assessment_review_id"), ["review_id"], unique=False
        )

    op.create_table(
        "objective_tally",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("requirement", sa.BigInteger(), nullable=True),
        sa.Column("requirement_rate_id", sa.Integer(), nullable=True),
        sa.Column("pledged", sa.BigInteger(), nullable=False),
        sa.Column("committed", sa.BigInteger(), nullable=False),
        sa.Column("disbursed", sa.BigInteger(), nullable=False),
        sa.Column("contributions", sa.Integer(), nullable=False),
        sa.Column("contributors", sa.Integer(), nullable=False),
        sa.Column("rate_ids", sa.JSON(), nullable=False),
        sa.Column("overlap_contributors", sa.Integer(), nullable=False),
        sa.Column("overlap_total", sa.BigInteger(), nullable=True),
        sa.Column("overlap_excess", sa.BigInteger(), nullable=True),
        sa.Column("overlap_score", sa.BigInteger(), nullable=True),
        sa.Column("overlap_reasons", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["head_id"], ["objective.id"], name=op.f("fk_objective_tally_head_id_objective")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["objective.id"], name=op.f("fk_objective_tally_line_id_objective")
        ),
        sa.PrimaryKeyConstraint("line_id", name=op.f("pk_objective_tally")),
        sa.UniqueConstraint("head_id", name=op.f("uq_objective_tally_head_id")),
    )
    with op.batch_alter_table("objective_tally", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_tally_committed"), ["committed"], unique=False
        )
        batch_op.create_index(
            "ix_objective_tally_overlap",
            ["overlap_score", "line_id"],
            unique=False,
            postgresql_where=sa.text("overlap_contributors > 1"),
            sqlite_where=sa.text("overlap_contributors > 1"),
        )


def downgrade() -> None:
    with op.batch_alter_table("objective_tally", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_objective_tally_overlap",
            postgresql_where=sa.text("overlap_contributors > 1"),
            sqlite_where=sa.text("overlap_contributors > 1"),
        )
        batch_op.drop_index(batch_op.f("ix_objective_tally_committed"))

    op.drop_table("objective_tally")
    with op.batch_alter_table("objective_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_assessment_review_id"))
        batch_op.drop_index(batch_op.f("ix_objective_assessment_objective_id"))

    op.drop_table("objective_assessment")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_visibility"))
        batch_op.drop_index("ix_contribution_updated_id")
        batch_op.drop_index(batch_op.f("ix_contribution_status"))
        batch_op.drop_index(batch_op.f("ix_contribution_starts_on"))
        batch_op.drop_index(batch_op.f("ix_contribution_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_objective_id"))
        batch_op.drop_index("ix_contribution_objective_created")
        batch_op.drop_index(batch_op.f("ix_contribution_kind"))
        batch_op.drop_index(batch_op.f("ix_contribution_ends_on"))
        batch_op.drop_index(batch_op.f("ix_contribution_currency"))
        batch_op.drop_index("ix_contribution_created_id")
        batch_op.drop_index(batch_op.f("ix_contribution_contributor_id"))
        batch_op.drop_index("ix_contribution_contributor_created")

    op.drop_table("contribution")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_reviewed_on"))
        batch_op.drop_index(batch_op.f("ix_review_plan_id"))

    op.drop_table("review")
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_target_date"))
        batch_op.drop_index(batch_op.f("ix_objective_status"))
        batch_op.drop_index(batch_op.f("ix_objective_priority"))
        batch_op.drop_index("ix_objective_plan_priority")
        batch_op.drop_index(batch_op.f("ix_objective_plan_id"))
        batch_op.drop_index(batch_op.f("ix_objective_origin_id"))
        batch_op.drop_index(batch_op.f("ix_objective_category"))
        batch_op.drop_index(batch_op.f("ix_objective_carried_over_from_id"))

    op.drop_table("objective")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_status"))
        batch_op.drop_index(batch_op.f("ix_plan_starts_on"))
        batch_op.drop_index(batch_op.f("ix_plan_partner_id"))
        batch_op.drop_index(batch_op.f("ix_plan_kind"))
        batch_op.drop_index(batch_op.f("ix_plan_ends_on"))
        batch_op.drop_index(batch_op.f("ix_plan_agreed_on"))

    op.drop_table("plan")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_participant_id"))
        batch_op.drop_index(batch_op.f("ix_partnership_framework"))
        batch_op.drop_index("ix_partnership_active")

    op.drop_table("partnership")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_participant_id"))

    op.drop_table("idempotency_key")
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_event_occurred_at"))
        batch_op.drop_index("ix_change_event_entity")
        batch_op.drop_index(batch_op.f("ix_change_event_actor_id"))

    op.drop_table("change_event")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_participant_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_region"))
        batch_op.drop_index(batch_op.f("ix_participant_kind"))
        batch_op.drop_index(batch_op.f("ix_participant_allied_since"))

    op.drop_table("participant")
    op.drop_table("feed_counter")
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_rate_currency"))

    op.drop_table("exchange_rate")
