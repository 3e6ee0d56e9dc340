"""Recording a plan review keeps a snapshot of the plan's figures (`Review.snapshot`): what
`coverage`, `aidGaps` and `aidOverlaps` said of the plan at that moment, which later writes do not
alter. Reviews recorded before snapshots were kept have none (null), and the migration that adds
them changes nothing else and goes back.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import command
from hypothesis import given
from hypothesis import strategies as st

from resolvers import analysis
from resolvers.review_commands import PlanSnapshot
from store.database import create_engine, create_sessionmaker
from store.enums import Category
from store.migrate import alembic_config, upgrade
from store.reviews import Review
from tests.conftest import Api, Databases
from tests.migrations import THEN, database_at
from tests.test_hostile import given_objective, given_plan

FIGURES = """
objectives ratio category
requirement { amount currency } pledged { amount currency }
committed { amount currency } disbursed { amount currency }
"""
SNAPSHOT = f"""
snapshot {{
  takenAt gaps overlaps
  total {{ {FIGURES} }}
  byCategory {{ {FIGURES} }}
}}
"""
RECORD_REVIEW = f"""
mutation($input: RecordPlanReviewInput!) {{
  recordPlanReview(input: $input) {{
    review {{ id {SNAPSHOT} }}
    userErrors {{ field message code }}
  }}
}}
"""
REVIEW = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on Review {{
      {SNAPSHOT}
      history {{ nodes {{ action after }} }}
    }}
  }}
}}
"""
FIGURES_NOW = f"""
query($plan: ID!) {{
  coverage(filter: {{ plans: [$plan] }}) {{
    total {{ {FIGURES} }}
    byCategory {{ {FIGURES} }}
  }}
  aidGaps(filter: {{ plans: [$plan] }}, first: 1) {{ totalCount }}
  aidOverlaps(filter: {{ plans: [$plan] }}, first: 1) {{ totalCount }}
}}
"""
ADD_OBJECTIVE = """
mutation($input: AddObjectiveInput!) {
  addObjective(input: $input) { objective { id } userErrors { field message } }
}
"""
REGISTER = """
mutation($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id } userErrors { field message } }
}
"""


async def _give(api: Api, who: str, objective: str, amount: str, **more: Any) -> None:
    values = {
        "objectiveId": objective,
        "kind": "FUNDING",
        "amount": {"amount": amount, "currency": "EUR"},
        "startsOn": "2024-03-01",
        **more,
    }
    data = await api.data(REGISTER, {"input": values}, as_=who)
    assert data["registerContribution"]["userErrors"] == [], data


async def _training_objective(api: Api, plan: str) -> str:
    values = {
        "planId": plan,
        "code": f"T-{uuid.uuid4().hex[:8]}",
        "category": "DEFENCE_AND_MILITARY",
        "title": "Staff officer training",
        "requirement": {"amount": "8000", "currency": "EUR"},
    }
    data = await api.data(ADD_OBJECTIVE, {"input": values})
    assert data["addObjective"]["userErrors"] == [], data
    return str(data["addObjective"]["objective"]["id"])


async def _review(api: Api, plan: str, as_: str) -> dict[str, Any]:
    values = {"planId": plan, "reviewedOn": "2024-11-20", "summary": "Mid-term review"}
    data = await api.data(RECORD_REVIEW, {"input": values}, as_=as_)
    payload: dict[str, Any] = data["recordPlanReview"]
    assert payload["userErrors"] == [], payload
    review: dict[str, Any] = payload["review"]
    return review


async def _now(api: Api, plan: str) -> dict[str, Any]:
    """The plan's figures today, as the analyses give them."""
    data = await api.data(FIGURES_NOW, {"plan": plan})
    return {
        "total": data["coverage"]["total"],
        "byCategory": data["coverage"]["byCategory"],
        "gaps": data["aidGaps"]["totalCount"],
        "overlaps": data["aidOverlaps"]["totalCount"],
    }


def _figures(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in snapshot.items() if key != "takenAt"}


async def _given_a_plan_with_support(api: Api) -> tuple[str, str, str]:
    """A plan in force with two civil preparedness objectives and a defence one: the first
    supported by two allies (an overlap), the second by nobody (a gap), the third by restricted
    support, committed in part."""
    plan = await given_plan(api)
    crowded, empty = await given_objective(api, plan), await given_objective(api, plan)
    training = await _training_objective(api, plan)
    await _give(api, "ally", crowded, "20000.00", status="COMMITTED")
    await _give(api, "other_ally", crowded, "15000.50")
    await _give(
        api,
        "ally",
        training,
        "3000.00",
        visibility="RESTRICTED",
        committed={"amount": "1200.00", "currency": "EUR"},
    )
    return plan, empty, training


async def test_a_review_keeps_the_figures_coverage_gave_for_the_plan_when_it_was_recorded(
    writable_api: Api,
) -> None:
    # Given a plan with an overlap, a gap and restricted support
    plan, _, _ = await _given_a_plan_with_support(writable_api)
    before = datetime.now(UTC)

    # When its partner records a review
    review = await _review(writable_api, plan, "partner")

    # Then the review's snapshot holds what the analyses said of the plan then
    snapshot = review["snapshot"]
    assert _figures(snapshot) == await _now(writable_api, plan)
    assert snapshot["gaps"] == 1
    assert snapshot["overlaps"] == 1
    assert snapshot["total"]["objectives"] == 3
    assert snapshot["total"]["pledged"] == {"amount": "38000.50", "currency": "EUR"}
    assert [item["category"] for item in snapshot["byCategory"]] == [
        "DEFENCE_AND_MILITARY",
        "CIVIL_PREPAREDNESS",
    ]
    taken = datetime.fromisoformat(snapshot["takenAt"])
    assert before - timedelta(seconds=1) <= taken <= datetime.now(UTC) + timedelta(seconds=1)
    # And anyone who reads the review sees the same totals, restricted support counted
    for viewer in ("secretariat", "other_partner", "institution"):
        read = await writable_api.data(REVIEW, {"id": review["id"]}, as_=viewer)
        assert read["node"]["snapshot"] == snapshot, viewer
    # And the review's change event holds the snapshot it was recorded with
    events = read["node"]["history"]["nodes"]
    assert [event["action"] for event in events] == ["CREATED"]
    stored = events[0]["after"]["snapshot"]
    assert stored["currency"] == "EUR"
    assert (stored["gaps"], stored["overlaps"]) == (1, 1)
    assert stored["total"]["pledged"] == "38000.5000"


async def test_later_support_moves_coverage_but_not_the_snapshot(writable_api: Api) -> None:
    # Given a plan reviewed by the secretariat
    plan, empty, training = await _given_a_plan_with_support(writable_api)
    review = await _review(writable_api, plan, "secretariat")
    then = await _now(writable_api, plan)

    # When support arrives for the gap and another ally joins the training objective
    await _give(writable_api, "ally", empty, "50000.00", status="COMMITTED")
    await _give(writable_api, "other_ally", training, "900.00")

    # Then coverage, gaps and overlaps moved
    now = await _now(writable_api, plan)
    assert now != then
    assert (now["gaps"], now["overlaps"]) == (0, 2)
    # And the review's snapshot still says what they said when it was recorded
    read = await writable_api.data(REVIEW, {"id": review["id"]})
    assert read["node"]["snapshot"] == review["snapshot"]
    assert _figures(review["snapshot"]) == then


async def _add_review(url: str) -> int:
    """A review of the old world's plan, written through the tables as revision 0005 has them."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:

            def add(sync: Any) -> int:
                tables = sa.MetaData()
                tables.reflect(sync)
                plan = sync.execute(sa.select(tables.tables["plan"].c.id)).scalar_one()
                review = tables.tables["review"]
                key: int = sync.execute(
                    review.insert()
                    .values(
                        plan_id=plan,
                        reviewed_on=date(2024, 6, 1),
                        summary="Reviewed before snapshots were kept",
                        created_at=THEN,
                        updated_at=THEN,
                    )
                    .returning(review.c.id)
                ).scalar_one()
                return key

            return await connection.run_sync(add)
    finally:
        await engine.dispose()


async def test_a_review_from_before_snapshots_is_kept_without_one_and_the_migration_goes_back(
    databases: Databases,
) -> None:
    # Given a database at revision 0005 holding a review (the old world is written at 0004,
    # whose contributions 0005 then fills in as it would any database's)
    old = await database_at(databases, "0004")
    await asyncio.to_thread(command.upgrade, alembic_config(old.url), "0005")
    review = await _add_review(old.url)

    # When it is migrated
    await asyncio.to_thread(upgrade, old.url)

    # Then the review is kept as it was, with no snapshot
    engine = create_engine(old.url)
    try:
        async with create_sessionmaker(engine)() as session:
            kept = await session.get(Review, review)
            assert kept is not None
            assert (kept.reviewed_on, kept.summary) == (
                date(2024, 6, 1),
                "Reviewed before snapshots were kept",
            )
            assert kept.created_at == THEN
            assert kept.snapshot is None
            # And a null snapshot is SQL NULL, not JSON null
            nulls = await session.scalar(
                sa.select(sa.func.count()).select_from(Review).where(Review.snapshot.is_(None))
            )
            assert nulls == 1
    finally:
        await engine.dispose()

    # And it goes back to 0005, keeping the review
    await asyncio.to_thread(command.downgrade, alembic_config(old.url), "0005")
    engine = create_engine(old.url)
    try:
        async with engine.connect() as connection:

            def read(sync: Any) -> tuple[list[str], list[str]]:
                columns = [column["name"] for column in sa.inspect(sync).get_columns("review")]
                summaries = sync.execute(sa.text("SELECT summary FROM review")).scalars().all()
                return columns, list(summaries)

            columns, summaries = await connection.run_sync(read)
    finally:
        await engine.dispose()
    assert "snapshot" not in columns
    assert summaries == ["Reviewed before snapshots were kept"]


AMOUNTS = st.decimals(
    min_value=0, max_value=Decimal("1e14"), places=4, allow_nan=False, allow_infinity=False
)
COVERAGE = st.builds(
    analysis.Coverage,
    requirement=AMOUNTS,
    pledged=AMOUNTS,
    committed=AMOUNTS,
    disbursed=AMOUNTS,
    objectives=st.integers(min_value=0, max_value=10**6),
    ratio=st.none() | st.decimals(min_value=0, max_value=1000, places=4),
)


@given(
    total=COVERAGE,
    by_category=st.lists(st.tuples(st.sampled_from(Category), COVERAGE), max_size=6),
    gaps=st.integers(min_value=0, max_value=10**6),
    overlaps=st.integers(min_value=0, max_value=10**6),
    taken_at=st.datetimes(timezones=st.just(UTC)),
)
def test_a_stored_snapshot_reads_back_exactly(
    total: analysis.Coverage,
    by_category: list[tuple[Category, analysis.Coverage]],
    gaps: int,
    overlaps: int,
    taken_at: datetime,
) -> None:
    # Given any snapshot
    snapshot = PlanSnapshot(taken_at, total, by_category, gaps, overlaps)

    # When it is stored and read back
    read = PlanSnapshot.parse(snapshot.stored())

    # Then every figure is the same, to the last digit and exponent
    assert read == snapshot
    assert [str(value.pledged) for _, value in read.by_category] == [
        str(value.pledged) for _, value in by_category
    ]
