"""Seeds: the reference facts, idempotent loading, and a deterministic, realistic generator.

Every database is migrated with the real migrations, on SQLite and, when TEST_POSTGRES_URL names a
server, on PostgreSQL too (see conftest).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pycountry
import pytest
from babel.numbers import get_currency_precision
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
)

from api.demo import FIRST_STARTS, Calendar, quarter, seed_flows
from seeds import GeneratedDataConflict, MissingReferenceData, generate, load_reference
from seeds.synthetic import AS_OF, MARK
from store import Base
from store.confirmations import Confirmation
from store.contributions import Contribution
from store.database import Database, create_engine, create_sessionmaker
from store.enums import (
    Category,
    ContributionStatus,
    DatePrecision,
    Framework,
    ParticipantKind,
    PlanKind,
    PlanStatus,
    Role,
    Visibility,
)
from store.objectives import Objective
from store.participants import Participant, partnerships_of, role_on
from store.plans import Plan
from store.rates import ExchangeRate
from tests.conftest import DEMO_SCALE, Databases, running_api

SCALE = DEMO_SCALE

Sessions = async_sessionmaker[AsyncSession]


async def rows_of(sessions: Sessions, model: Any) -> list[Any]:
    async with sessions() as session:
        return list(await session.scalars(select(model)))


async def snapshot(sessions: Sessions) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, updated_at included."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [dict(row._mapping) for row in result]
    return found


async def generated_content(sessions: Sessions) -> dict[str, list[tuple[Any, ...]]]:
    """The generated rows with ids replaced by natural keys, so two databases can be compared."""
    tables = await snapshot(sessions)
    people = {row["id"]: row["code"] for row in tables["participant"]}
    plans = {row["id"]: row["code"] for row in tables["plan"]}
    objectives = {row["id"]: (plans[row["plan_id"]], row["code"]) for row in tables["objective"]}
    natural = {
        "partner_id": people,
        "contributor_id": people,
        "predecessor_id": plans,
        "plan_id": plans,
        "objective_id": objectives,
    }

    def keyed(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            (name, natural[name].get(value) if name in natural else value)
            for name, value in sorted(row.items())
            if name != "id"
        )

    def generated(table: str, marker: str) -> list[tuple[Any, ...]]:
        rows = [keyed(row) for row in tables[table] if row[marker].startswith(MARK)]
        return sorted(rows, key=repr)

    return {
        "plan": generated("plan", "code"),
        "objective": generated("objective", "code"),
        "contribution": generated("contribution", "external_reference"),
    }


# -- the reference facts -------------------------------------------------------------------------

ACCESSIONS = {
    date(1949, 8, 24): 12,
    date(1952, 2, 18): 2,
    date(1955, 5, 6): 1,
    date(1982, 5, 30): 1,
    date(1999, 3, 12): 3,
    date(2004, 3, 29): 7,
    date(2009, 4, 1): 2,
    date(2017, 6, 5): 1,
    date(2020, 3, 27): 1,
    date(2023, 4, 4): 1,
    date(2024, 3, 7): 1,
}
IPAPS = {
    "GE-IPAP-2004": ("GE", date(2004, 10, 29), DatePrecision.DAY),
    "AZ-IPAP-2005": ("AZ", date(2005, 5, 27), DatePrecision.DAY),
    "AM-IPAP-2005": ("AM", date(2005, 12, 16), DatePrecision.DAY),
    "KZ-IPAP-2006": ("KZ", date(2006, 1, 31), DatePrecision.DAY),
    "MD-IPAP-2006": ("MD", date(2006, 5, 19), DatePrecision.DAY),
    "BA-IPAP-2008": ("BA", date(2008, 2, 1), DatePrecision.MONTH),
    "ME-IPAP-2008": ("ME", date(2008, 6, 1), DatePrecision.MONTH),
    "RS-IPAP-2015": ("RS", date(2015, 1, 15), DatePrecision.DAY),
}


async def test_the_32_allies_with_their_accession_dates(seeded: Sessions) -> None:
    participants = await rows_of(seeded, Participant)
    allies = [p for p in participants if p.allied_since is not None]

    assert len(allies) == 32
    assert Counter(p.allied_since for p in allies) == ACCESSIONS
    by_code = {p.code: p for p in participants}
    assert by_code["TR"].name == "Türkiye"
    assert by_code["TR"].allied_since == date(1952, 2, 18)
    assert by_code["GB"].name == "United Kingdom"
    assert by_code["MK"].allied_since == date(2020, 3, 27)
    assert by_code["FI"].allied_since == date(2023, 4, 4)
    assert by_code["SE"].allied_since == date(2024, 3, 7)
    states = [p for p in participants if p.kind is ParticipantKind.STATE]
    assert all(p.region for p in states)
    assert all(pycountry.countries.get(alpha_2=p.code) is not None for p in states)


async def test_the_eight_ipap_partners_and_their_agreement_dates(seeded: Sessions) -> None:
    async with seeded() as session:
        plans = {plan.code: plan for plan in await session.scalars(select(Plan))}
        people = {p.id: p for p in await session.scalars(select(Participant))}
        partnerships = await partnerships_of(session, list(people))

    ipaps = {code: plan for code, plan in plans.items() if not code.startswith(MARK)}
    ipaps = {code: plan for code, plan in ipaps.items() if plan.kind is PlanKind.IPAP}
    assert {
        code: (people[plan.partner_id].code, plan.agreed_on, plan.agreed_on_precision)
        for code, plan in ipaps.items()
    } == IPAPS
    for plan in ipaps.values():
        frameworks = {p.framework for p in partnerships[plan.partner_id]}
        assert Framework.PARTNERSHIP_FOR_PEACE in frameworks
        partner = people[plan.partner_id]
        assert plan.agreed_on is not None
        assert role_on(partner, partnerships[partner.id], plan.agreed_on) is Role.PARTNER
    names = {people[plan.partner_id].name for plan in ipaps.values()}
    assert {"Republic of Moldova", "Bosnia and Herzegovina", "Georgia"} <= names


async def test_montenegro_was_a_partner_with_an_ipap_and_is_an_ally_now(seeded: Sessions) -> None:
    async with seeded() as session:
        montenegro = (await session.scalars(select(Participant).filter_by(code="ME"))).one()
        plan = (await session.scalars(select(Plan).filter_by(code="ME-IPAP-2008"))).one()
        partnerships = (await partnerships_of(session, [montenegro.id]))[montenegro.id]

    assert montenegro.allied_since == date(2017, 6, 5)
    assert plan.partner_id == montenegro.id
    assert (plan.agreed_on, plan.agreed_on_precision) == (date(2008, 6, 1), DatePrecision.MONTH)
    assert plan.status is PlanStatus.CLOSED
    assert role_on(montenegro, partnerships, date(2008, 6, 1)) is Role.PARTNER
    assert role_on(montenegro, partnerships, date(2010, 1, 1)) is Role.PARTNER
    assert role_on(montenegro, partnerships, date(2020, 1, 1)) is Role.ALLY


async def test_institutions_include_the_nato_secretariat(seeded: Sessions) -> None:
    participants = await rows_of(seeded, Participant)
    institutions = {p.code: p for p in participants if p.kind is ParticipantKind.INSTITUTION}

    assert {"EU", "OSCE", "UN", "UNDP", "IOM", "NATO"} <= set(institutions)
    assert [p.code for p in participants if p.is_secretariat] == ["NATO"]
    assert role_on(institutions["NATO"], [], date(2020, 1, 1)) is Role.SECRETARIAT
    assert role_on(institutions["EU"], [], date(2020, 1, 1)) is Role.INSTITUTION


async def test_reference_plans_are_consistent(seeded: Sessions) -> None:
    plans = [plan for plan in await rows_of(seeded, Plan) if not plan.code.startswith(MARK)]
    objectives = await rows_of(seeded, Objective)
    by_id = {plan.id: plan for plan in plans}

    assert {plan.kind for plan in plans} == set(PlanKind)
    for plan in plans:
        if plan.predecessor_id is not None:
            predecessor = by_id[plan.predecessor_id]
            assert predecessor.status is PlanStatus.SUPERSEDED
            assert predecessor.partner_id == plan.partner_id
        if plan.agreed_on_precision is not DatePrecision.DAY:
            assert plan.agreed_on is not None and plan.agreed_on.day == 1
        if plan.agreed_on_precision is DatePrecision.YEAR:
            assert plan.agreed_on is not None and plan.agreed_on.month == 1
            assert "indicative" in (plan.summary or "")
        if plan.ends_on is not None:
            assert plan.starts_on is not None and plan.starts_on <= plan.ends_on
        own = [o for o in objectives if o.plan_id == plan.id and not o.code.startswith(MARK)]
        assert {o.category for o in own} == set(Category)
        assert all("Illustrative" in (o.description or "") for o in own)
    carried = [o for o in objectives if o.carried_over_from_id is not None]
    origins = {o.id: o for o in objectives}
    assert carried
    for objective in carried:
        origin = origins[objective.carried_over_from_id]
        assert by_id[objective.plan_id].predecessor_id == origin.plan_id


async def test_exchange_rates_cover_every_currency_and_year(seeded: Sessions) -> None:
    rates = await rows_of(seeded, ExchangeRate)
    years = defaultdict(list)
    for rate in rates:
        years[rate.currency].append(rate.valid_from)

    assert {"EUR", "USD", "GBP", "CAD", "NOK", "SEK", "PLN", "TRY", "JPY", "CHF"} <= set(years)
    for currency, days in years.items():
        assert pycountry.currencies.get(alpha_3=currency) is not None
        first = 2005 if currency == "TRY" else 2004
        assert sorted(days) == [date(year, 1, 1) for year in range(first, 2027)]
    for rate in rates:
        assert isinstance(rate.rate, Decimal) and rate.rate > 0
        assert rate.rate == rate.rate.quantize(Decimal("1e-10"))
        assert rate.source
        assert rate.rate == 1 or rate.currency != "EUR"


# -- idempotent loading ----------------------------------------------------------------------------


async def test_loading_twice_changes_nothing(databases: Databases) -> None:
    sessions = await databases.new()
    first = await load_reference(sessions)
    before = await snapshot(sessions)

    second = await load_reference(sessions)

    assert first.inserted > 0 and first.participants == len(before["participant"])
    assert second.inserted == 0
    assert await snapshot(sessions) == before


# -- the generator ---------------------------------------------------------------------------------


async def test_generate_needs_the_reference_data(databases: Databases) -> None:
    sessions = await databases.new()

    with pytest.raises(MissingReferenceData):
        await generate(sessions, SCALE)
    with pytest.raises(ValueError):
        await generate(sessions, 0)


async def test_generate_is_deterministic_idempotent_and_proportional(
    databases: Databases,
) -> None:
    first, second, half = [await databases.new() for _ in range(3)]
    for sessions in (first, second, half):
        await load_reference(sessions)

    summary = await generate(first, SCALE)
    content = await generated_content(first)
    before = await snapshot(first)
    again = await generate(first, SCALE)

    assert summary.written and not again.written
    assert (again.objectives, again.contributions) == (summary.objectives, summary.contributions)
    assert await snapshot(first) == before
    with pytest.raises(GeneratedDataConflict):
        await generate(first, SCALE / 2)

    await generate(second, SCALE)
    assert await generated_content(second) == content

    small = await generate(half, SCALE / 2)
    assert (summary.objectives, summary.contributions) == (120, 1200)
    assert (small.objectives, small.contributions) == (60, 600)
    assert len(content["contribution"]) == summary.contributions


async def test_generated_money_is_exact_in_the_currency_minor_units(seeded: Sessions) -> None:
    contributions = await rows_of(seeded, Contribution)
    objectives = await rows_of(seeded, Objective)
    rated = {rate.currency for rate in await rows_of(seeded, ExchangeRate)}

    assert len(contributions) == round(60_000 * SCALE)
    currencies = Counter(c.currency for c in contributions)
    assert len(currencies) >= 5 and currencies.most_common(1)[0][0] == "EUR"
    for contribution in contributions:
        assert isinstance(contribution.amount, Decimal) and contribution.amount > 0
        unit = Decimal(1).scaleb(-get_currency_precision(contribution.currency))
        assert contribution.amount == contribution.amount.quantize(unit)
        assert contribution.currency in rated
    assert any(c.amount != c.amount.to_integral_value() for c in contributions)
    for objective in objectives:
        if objective.requirement_amount is not None:
            assert isinstance(objective.requirement_amount, Decimal)
            assert objective.requirement_currency in rated


async def test_generated_rows_are_time_zone_aware_and_plausible(seeded: Sessions) -> None:
    plans = {plan.id: plan for plan in await rows_of(seeded, Plan)}
    objectives = {o.id: o for o in await rows_of(seeded, Objective)}
    contributions = await rows_of(seeded, Contribution)

    for row in [*plans.values(), *objectives.values(), *contributions]:
        assert row.created_at.utcoffset() == timedelta(0)
        assert row.updated_at.utcoffset() == timedelta(0)
        assert row.created_at <= row.updated_at
    for contribution in contributions:
        plan = plans[objectives[contribution.objective_id].plan_id]
        assert plan.status is not PlanStatus.DRAFT
        assert plan.starts_on is not None and plan.starts_on <= contribution.starts_on
        assert contribution.ends_on is None or contribution.starts_on <= contribution.ends_on
        assert plan.ends_on is None or (contribution.ends_on or plan.ends_on) <= plan.ends_on
        assert contribution.created_at < datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
        withdrawn = contribution.status is ContributionStatus.WITHDRAWN
        assert (contribution.withdrawn_at is not None) == withdrawn
        assert contribution.withdrawn_at is None or contribution.withdrawn_at.utcoffset() == (
            timedelta(0)
        )
        assert contribution.external_reference and contribution.external_reference.startswith(MARK)
    created = [c.created_at for c in contributions]
    assert len(set(created)) > 0.99 * len(created)
    restricted = sum(c.visibility is Visibility.RESTRICTED for c in contributions)
    assert 0.01 * len(contributions) < restricted < 0.12 * len(contributions)
    assert len(Counter(c.status for c in contributions)) == len(ContributionStatus)


async def test_generated_support_has_gaps_a_long_tail_and_overlaps(seeded: Sessions) -> None:
    async with seeded() as session:
        people = {p.id: p for p in await session.scalars(select(Participant))}
        partnerships = await partnerships_of(session, list(people))
        objectives = list(await session.scalars(select(Objective)))
        contributions = list(await session.scalars(select(Contribution)))

    per_objective: dict[int, list[Contribution]] = defaultdict(list)
    for contribution in contributions:
        per_objective[contribution.objective_id].append(contribution)
    counts = [len(per_objective[o.id]) for o in objectives]
    assert counts.count(0) > 0
    assert max(counts) >= 20

    def overlapping(items: list[Contribution]) -> bool:
        live = [c for c in items if c.status is not ContributionStatus.WITHDRAWN]
        return any(
            a.contributor_id != b.contributor_id
            and a.starts_on <= (b.ends_on or date.max)
            and b.starts_on <= (a.ends_on or date.max)
            for a in live
            for b in live
        )

    assert sum(overlapping(items) for items in per_objective.values()) >= 10
    roles = {
        role_on(people[c.contributor_id], partnerships[c.contributor_id], c.starts_on)
        for c in contributions
    }
    assert {Role.ALLY, Role.PARTNER, Role.INSTITUTION} <= roles


async def with_reference(databases: Databases) -> str:
    """A new database holding the reference data: its URL."""
    url = await databases.new_url()
    engine = create_engine(url)
    await load_reference(create_sessionmaker(engine))
    await engine.dispose()
    return url


async def test_the_demo_flows_go_through_funds_once_and_seeding_again_writes_nothing(
    databases: Databases,
) -> None:
    # Given the reference data, served
    database = Database.open(await with_reference(databases))
    try:
        # When the flows are seeded first on the first day of a quarter two quarters ago (the
        # day after its overdue tranches fell due), then again today, then once more
        first = await seed_flows(database, quarter(datetime.now(UTC).date(), -2))
        before = await snapshot(database.reads)
        again = await seed_flows(database)
        once_more = await seed_flows(database)

        # Then the later seedings write nothing, though their day differs from the first's
        assert (first.written, again.written, once_more.written) == (20, 0, 0)
        assert await snapshot(database.reads) == before
        async with database.reads() as session:
            rows = list(await session.scalars(select(Contribution)))
            accounts = list(await session.scalars(select(Confirmation)))
    finally:
        await database.dispose()
    # Gifts into funds and earmarked to a plan wait in pools; allocations draw on them
    pooled = [row for row in rows if row.objective_id is None]
    allocations = [row for row in rows if row.draws]
    assert (len(pooled), len(allocations)) == (5, 3)
    assert {row.channel_id is not None for row in pooled} == {True, False}
    # Reported by someone else than the giver: the funds' two allocations (by their manager),
    # Moldova's allocation of France's earmark, and the secretariat's report for Italy; and the
    # partners' accounts: two confirmations (one of less than was reported) and a dispute
    assert sum(row.reported_by_id != row.contributor_id for row in rows) == 4
    assert sorted(account.verdict.name for account in accounts) == [
        "CONFIRMED",
        "CONFIRMED",
        "DISPUTED",
    ]
    # Support on its way, reported by its contributors themselves: Germany's funding committed
    # in part and delivered twice, Poland's equipment delivered in two shipments, the United
    # Kingdom's training committed in full and Norway's pledge
    staged = [row for row in rows if row.schedule]
    assert len(staged) == 4
    assert sum(len(row.deliveries) for row in staged) == 4
    assert all(row.reported_by_id == row.contributor_id for row in staged)


DELIVERY = """
query {
  contributions(filter: { partners: ["GE", "MD"] }, first: 100) {
    nodes {
      contributor { code } kind status description
      amount { amount currency }
      pledgedOn committed { amount currency } committedOn
      delivered { amount currency } deliveredOn
      deliveries { amount { amount currency } deliveredOn note recordedBy { code } }
      tranches { number dueOn amount { amount } firmness delivered { amount } status }
      overdue { amount currency }
      items { category quantity unit unitValue { amount } value { amount } valuation }
    }
  }
}
"""


async def test_the_demo_holds_support_on_its_way_tranches_overdue_and_in_kind_items(
    databases: Databases,
) -> None:
    # Given the reference data and the demo flows, seeded today
    url = await with_reference(databases)
    database = Database.open(url)
    try:
        assert (await seed_flows(database)).written == 20
    finally:
        await database.dispose()
    today = datetime.now(UTC).date()

    # When a client reads the support to Georgia and Moldova
    async with running_api(url) as api:
        found = (await api.data(DELIVERY))["contributions"]["nodes"]

    # Then it finds staged support: no pledge dated after its commitment, no commitment after a
    # delivery, none of them after today, each delivery recorded by the contributor
    staged = {row["contributor"]["code"]: row for row in found if row["tranches"]}
    assert sorted(staged) == ["DE", "GB", "NO", "PL"]
    for code, row in staged.items():
        dates = [row["pledgedOn"], row["committedOn"]]
        dates += [delivery["deliveredOn"] for delivery in row["deliveries"]]
        days = [date.fromisoformat(day) for day in dates if day is not None]
        assert days == sorted(days) and days[-1] <= today
        assert {d["recordedBy"]["code"] for d in row["deliveries"]} <= {code}

    # Germany's multi-year funding: four quarterly tranches, two firm and two indicative, half of
    # it committed, delivered in part, its second tranche overdue
    german = staged["DE"]
    assert (german["kind"], german["status"]) == ("FUNDING", "COMMITTED")
    assert german["amount"] == {"amount": "1000000.00", "currency": "EUR"}
    assert german["committed"] == {"amount": "500000.00", "currency": "EUR"}
    assert german["delivered"] == {"amount": "375000.00", "currency": "EUR"}
    assert [d["amount"]["amount"] for d in german["deliveries"]] == ["250000.00", "125000.00"]
    tranches = german["tranches"]
    assert [t["firmness"] for t in tranches] == ["FIRM", "FIRM", "INDICATIVE", "INDICATIVE"]
    assert [t["status"] for t in tranches] == ["DELIVERED", "OVERDUE", "PENDING", "PENDING"]
    assert [t["delivered"]["amount"] for t in tranches] == [
        "250000.00",
        "125000.00",
        "0.00",
        "0.00",
    ]
    dues = [date.fromisoformat(t["dueOn"]) for t in tranches]
    assert dues[1] < today <= dues[2]
    assert all(89 <= (later - earlier).days <= 92 for earlier, later in pairwise(dues))
    assert german["overdue"] == {"amount": "125000.00", "currency": "EUR"}

    # Poland's equipment: three line items that add up to its value, delivered in full
    polish = staged["PL"]
    assert (polish["kind"], polish["status"]) == ("EQUIPMENT", "DELIVERED")
    assert polish["delivered"] == polish["committed"] == polish["amount"]
    assert [t["status"] for t in polish["tranches"]] == ["DELIVERED", "DELIVERED"]
    assert polish["overdue"]["amount"] == "0.00"
    assert [item["category"] for item in polish["items"]] == [
        "VEHICLES",
        "COMMUNICATIONS",
        "PROTECTIVE_GEAR",
    ]
    assert all(item["unit"] and item["valuation"] for item in polish["items"])

    # The United Kingdom's training: courses and advisers, committed, nothing delivered, its
    # first tranche overdue
    british = staged["GB"]
    assert (british["kind"], british["status"]) == ("TRAINING", "COMMITTED")
    assert british["committed"] == british["amount"]
    assert (british["delivered"]["amount"], british["deliveries"]) == ("0.00", [])
    assert [item["category"] for item in british["items"]] == ["TRAINING_COURSES", "ADVISERS"]
    assert [t["status"] for t in british["tranches"]] == ["OVERDUE", "PENDING", "PENDING"]
    assert british["overdue"] == {"amount": "115000.00", "currency": "GBP"}

    # Norway's pledge: nothing committed yet, its tranches indicative and all to come
    norwegian = staged["NO"]
    assert (norwegian["status"], norwegian["committed"]) == ("PLEDGED", None)
    assert {t["firmness"] for t in norwegian["tranches"]} == {"INDICATIVE"}
    assert all(date.fromisoformat(t["dueOn"]) > today for t in norwegian["tranches"])

    # Every itemised contribution's items are each worth quantity times unit value, and together
    # exactly its amount; no schedule plans more than was pledged
    for row in found:
        if row["items"]:
            values = [Decimal(item["value"]["amount"]) for item in row["items"]]
            assert values == [
                Decimal(item["quantity"]) * Decimal(item["unitValue"]["amount"])
                for item in row["items"]
            ]
            assert sum(values) == Decimal(row["amount"]["amount"])
        planned = sum(Decimal(t["amount"]["amount"]) for t in row["tranches"] or ())
        assert planned <= Decimal(row["amount"]["amount"])


DAYS = st.dates(min_value=date(2005, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(DAYS, st.integers(min_value=-40, max_value=40))
def test_a_quarter_starts_on_its_first_day_and_shifts_by_whole_quarters(
    day: date, shift: int
) -> None:
    start, shifted = quarter(day), quarter(day, shift)

    assert start.day == 1 and start.month in (1, 4, 7, 10)
    assert start <= day < quarter(day, 1)
    assert quarter(shifted, -shift) == start
    assert (shifted.year - start.year) * 12 + shifted.month - start.month == 3 * shift


@settings(max_examples=300, deadline=None)
@given(DAYS)
def test_the_demo_calendar_reads_back_from_its_first_write_and_keeps_the_past_past(
    day: date,
) -> None:
    # Given the calendar of a first seeding on any day
    calendar = Calendar.of(day)

    # Then the first write's start gives it back, whatever day it is read on
    assert Calendar(quarter(calendar.opens(FIRST_STARTS), -FIRST_STARTS)) == calendar
    # And the last two quarters' ends are past (what falls due then and is not delivered is
    # overdue), the current one's is not
    assert calendar.closes(-2) < calendar.closes(-1) < day <= calendar.closes(0)
    # And the pledges, commitments and deliveries, dated within the past quarters, are past
    assert calendar.opens(-3) < calendar.opens(-1, 45) < calendar.closes(-1, 20) < day
