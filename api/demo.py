"""How support really moves, in the demo data that `seed` and a first `serve` load: gifts into
funds and earmarked to plans, the funds' allocations, a report on a contributor's behalf, the
partners' confirmations and a dispute; and support on its way: pledges committed in part, planned
tranches firm and indicative, deliveries one by one, a tranche overdue, in-kind line items.

Written through the service's own commands, as its users would write them, so every rule, the
change log and the tallies hold for them. Each write carries an idempotency key: seeding again
writes nothing twice. Illustrative: the amounts and dates are typical, not on record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import allocation_commands as allocating
from resolvers import confirmation_commands as confirming
from resolvers import contribution_commands as registering
from resolvers import delivery_commands as delivering
from resolvers.commands import Outcome
from resolvers.context import Context
from resolvers.ids import encode
from resolvers.viewer import Viewer
from store import funds as stored_funds
from store import idempotency, objectives, participants, plans
from store.base import get
from store.contributions import Contribution
from store.database import Database
from store.enums import (
    Category,
    ConfirmationStage,
    ConfirmationVerdict,
    ContributionKind,
    ContributionStatus,
    Firmness,
    ItemCategory,
    Role,
    Valuation,
    Visibility,
)

# The plans the flows go to: Georgia's and the Republic of Moldova's active plans.
GEORGIA, MOLDOVA = "GE-IPAP-2004", "MD-ITPP-2025"
KEY = "demo-flow-"


@dataclass(frozen=True)
class FlowSummary:
    """What a seeding wrote: 0 when everything was there already."""

    written: int


def quarter(day: date, shift: int = 0) -> date:
    """The first day of the quarter `shift` quarters after the one `day` falls in."""
    months = day.year * 12 + (day.month - 1) // 3 * 3 + 3 * shift
    return date(months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The dates of the support on its way, drawn from the quarter it was first seeded in: the
    last two quarters are past, so a tranche due at the end of the last one is overdue whatever
    day it is read, and the pledges, commitments and deliveries before it are all in the past."""

    # The first day of the quarter the support on its way was first seeded in.
    now: date

    @classmethod
    def of(cls, today: date) -> Calendar:
        """The calendar of a first seeding on `today`."""
        return cls(quarter(today))

    def opens(self, shift: int, days: int = 0) -> date:
        """`days` after the first day of the quarter `shift` quarters from now."""
        return quarter(self.now, shift) + timedelta(days=days)

    def closes(self, shift: int, days: int = 0) -> date:
        """`days` before the last day of the quarter `shift` quarters from now."""
        return quarter(self.now, shift + 1) - timedelta(days=1 + days)


@dataclass(frozen=True)
class Tranche:
    """A planned delivery, as a client sends it in a schedule."""

    due_on: date
    amount: Decimal
    firmness: Firmness = Firmness.FIRM


@dataclass(frozen=True)
class Item:
    """An in-kind line item, as a client sends it; `unit_value` in the contribution's currency."""

    category: ItemCategory
    description: str
    quantity: Decimal
    unit: str
    unit_value: Decimal
    valuation: Valuation


# The first write of the support on its way, and how many quarters before the calendar's it
# starts: on a later seeding the calendar is read back from it, so that the same writes replay.
FIRST_STAGED, FIRST_STARTS = "de-ge-tranches", -2


class Seeder:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.written = 0
        self.ids: dict[str, int] = {}

    async def prepare(self, today: date) -> None:
        async with self.database.reads() as session:
            found = await participants.by_codes(
                session,
                ["NATO", "NSPA", "DE", "NL", "NO", "US", "FR", "IT", "PL", "GB", "GE", "MD"],
            )
            self.ids = {code: row.id for code, row in found.items()}
            self.calendar = await self.calendar_since(session, today)
            self.managed = await stored_funds.managed_by(session, self.ids["NSPA"])
            self.plans = await plans.by_codes(session, [GEORGIA, MOLDOVA])
            # The first objective of each category of each plan.
            self.objectives: dict[tuple[str, Category], int] = {}
            for code, plan in self.plans.items():
                for objective in await objectives.of_plan(session, plan.id):
                    self.objectives.setdefault((code, objective.category), objective.id)

    async def calendar_since(self, session: AsyncSession, today: date) -> Calendar:
        """The calendar of the first seeding: `today`'s if this is it, else read back from the
        first write (a calendar of today's would change the writes, and their keys refuse)."""
        seen = await idempotency.find(
            session, self.ids["DE"], registering.REGISTER, KEY + FIRST_STAGED
        )
        if seen is None:
            return Calendar.of(today)
        first = await get(session, Contribution, seen.entity_id)
        assert first is not None
        return Calendar(quarter(first.starts_on, -FIRST_STARTS))

    def context(self, code: str, role: Role) -> Context:
        funds = frozenset(self.managed) if code == "NSPA" else frozenset()
        viewer = Viewer(self.ids[code], role, token_id=0, expires_at=None, funds=funds)
        return Context(self.database, viewer, today=date(2026, 6, 30))

    def objective(self, plan: str, category: Category) -> str:
        return encode("Objective", self.objectives[(plan, category)])

    def plan(self, code: str) -> str:
        return encode("Plan", self.plans[code].id)

    async def write(
        self, step: Callable[[], Awaitable[Outcome[Contribution]]], what: str
    ) -> Contribution:
        outcome = await step()
        assert not outcome.errors, (what, outcome.errors)
        assert outcome.result is not None
        self.written += 0 if outcome.replayed else 1
        return outcome.result


def _euros(amount: str) -> dict[str, Any]:
    return {"amount": Decimal(amount), "currency": "EUR"}


async def seed_flows(database: Database, today: date | None = None) -> FlowSummary:
    """The flows above, once. `today` (by default today, UTC) dates the support on its way when
    it is first seeded; seeding again, on any later day, writes nothing."""
    seeder = Seeder(database)
    await seeder.prepare(today or datetime.now(UTC).date())
    ally, partner, secretariat = Role.ALLY, Role.PARTNER, Role.SECRETARIAT
    manager = Role.INSTITUTION

    def gift(who: str, key: str, amount: str, currency: str = "EUR", **where: Any) -> Any:
        role = where.pop("role", ally)
        entry = registering.Registration(
            kind=where.pop("kind", ContributionKind.FUNDING),
            amount=Decimal(amount),
            currency=currency,
            starts_on=where.pop("starts_on", date(2025, 3, 1)),
            status=where.pop("status", ContributionStatus.COMMITTED),
            visibility=where.pop("visibility", Visibility.PUBLIC),
            description=where.pop("description", None),
            **where,
        )
        return lambda: registering.register(seeder.context(who, role), entry, KEY + key)

    georgia_fund = await seeder.write(
        gift(
            "DE",
            "de-gedrtf",
            "2000000.00",
            fund_code="GEDRTF",
            plan_id=seeder.plan(GEORGIA),
            description="Defence reform: Germany's contribution to the Georgia trust fund",
        ),
        "Germany into the Georgia trust fund",
    )
    dutch = await seeder.write(
        gift(
            "NL",
            "nl-gedrtf",
            "1500000.00",
            fund_code="GEDRTF",
            visibility=Visibility.RESTRICTED,
            description="Lead nation's contribution",
        ),
        "the Netherlands into the Georgia trust fund",
    )
    await seeder.write(
        gift(
            "NO",
            "no-gedrtf",
            "10000000.00",
            "NOK",
            fund_code="GEDRTF",
            description="Lead nation's contribution",
        ),
        "Norway into the Georgia trust fund",
    )
    american = await seeder.write(
        gift(
            "US",
            "us-dcbtf",
            "3000000.00",
            "USD",
            fund_code="DCBTF",
            plan_id=seeder.plan(MOLDOVA),
            description="Defence capacity building, Moldova",
        ),
        "the United States into the DCB trust fund",
    )
    french = await seeder.write(
        gift(
            "FR",
            "fr-md-civil",
            "400000.00",
            plan_id=seeder.plan(MOLDOVA),
            category=Category.CIVIL_PREPAREDNESS,
            description="Civil preparedness, to be allocated with the partner",
        ),
        "France earmarked to Moldova's civil preparedness",
    )

    def allocation(
        who: str, role: Role, key: str, objective: str, *draws: tuple[Any, str], **more: Any
    ) -> Any:
        entry = allocating.Allocation(
            draws=tuple(
                allocating.Portion(encode("Contribution", row.id), Decimal(amount))
                for row, amount in draws
            ),
            starts_on=more.pop("starts_on", date(2025, 6, 1)),
            objective_id=objective,
            status=more.pop("status", ContributionStatus.COMMITTED),
            **more,
        )
        return lambda: allocating.allocate(seeder.context(who, role), entry, KEY + key)

    reform = await seeder.write(
        allocation(
            "NSPA",
            manager,
            "gedrtf-reform",
            seeder.objective(GEORGIA, Category.DEFENCE_AND_MILITARY),
            (georgia_fund, "800000.00"),
            (dutch, "400000.00"),
            description="Defence planning and budgeting reform project",
        ),
        "the Georgia trust fund's allocation",
    )
    await seeder.write(
        allocation(
            "NSPA",
            manager,
            "dcbtf-md",
            seeder.objective(MOLDOVA, Category.DEFENCE_AND_MILITARY),
            (american, "1000000.00"),
            description="Logistics standards project, executed by NSPA",
        ),
        "the DCB trust fund's allocation to Moldova",
    )
    civil = await seeder.write(
        allocation(
            "MD",
            partner,
            "fr-md-civil-1",
            seeder.objective(MOLDOVA, Category.CIVIL_PREPAREDNESS),
            (french, "150000.00"),
            description="Allocated by Moldova with France's agreement",
        ),
        "Moldova allocating France's earmarked support",
    )
    # Italy does not report itself: the secretariat reports its training on its behalf.
    training = await seeder.write(
        gift(
            "NATO",
            "it-ge-training",
            "250000.00",
            role=secretariat,
            on_behalf_of="IT",
            kind=ContributionKind.TRAINING,
            objective_id=seeder.objective(GEORGIA, Category.DEFENCE_AND_MILITARY),
            status=ContributionStatus.DELIVERED,
            description="Staff officer courses, reported by the secretariat for Italy",
        ),
        "the secretariat reporting for Italy",
    )

    def account(who: str, key: str, row: Contribution, **entry: Any) -> Any:
        recorded = confirming.Account(
            encode("Contribution", row.id), row.version, on=entry.pop("on"), **entry
        )
        return lambda: confirming.record(seeder.context(who, partner), recorded, KEY + key)

    for who, key, row, entry in (
        (
            "GE",
            "ge-reform",
            reform,
            {
                "verdict": ConfirmationVerdict.CONFIRMED,
                "stage": ConfirmationStage.RECEIVED,
                "amount": Decimal("1200000.00"),
                "currency": "EUR",
                "on": date(2025, 7, 15),
            },
        ),
        (
            "GE",
            "ge-training",
            training,
            {
                "verdict": ConfirmationVerdict.CONFIRMED,
                "stage": ConfirmationStage.DELIVERED,
                "amount": Decimal("180000.00"),
                "currency": "EUR",
                "on": date(2025, 9, 30),
                "reason": "Two of the five courses were held; the rest are postponed.",
            },
        ),
        (
            "MD",
            "md-civil",
            civil,
            {
                "verdict": ConfirmationVerdict.DISPUTED,
                "on": date(2025, 8, 1),
                "reason": "No equipment has arrived under this allocation yet.",
            },
        ),
    ):
        outcome = await account(who, key, row, **entry)()
        assert not outcome.errors, (key, outcome.errors)
        seeder.written += 0 if outcome.replayed else 1
    await seed_stages(seeder)
    return FlowSummary(seeder.written)


def _pledge(
    seeder: Seeder, who: str, key: str, **entry: Any
) -> Callable[[], Awaitable[Outcome[Contribution]]]:
    """An ally's own registration, its stages given with it (pledged unless `committed`)."""
    registration = registering.Registration(**entry)
    return lambda: registering.register(seeder.context(who, Role.ALLY), registration, KEY + key)


async def _deliver(
    seeder: Seeder, key: str, row: Contribution, amount: str, on: date, note: str
) -> Contribution:
    """A delivery recorded by the contributor, as its own system would report it."""
    contributor = next(code for code, pk in seeder.ids.items() if pk == row.contributor_id)
    record = delivering.DeliveryRecord(Decimal(amount), row.currency, on, note)
    return await seeder.write(
        lambda: delivering.record_delivery(
            seeder.context(contributor, Role.ALLY),
            encode("Contribution", row.id),
            row.version,
            record,
            KEY + key,
        ),
        f"{contributor} delivering {amount} {row.currency} on {on}",
    )


async def seed_stages(seeder: Seeder) -> None:
    """Support on its way, dated by the seeder's calendar: Germany's multi-year funding for
    Georgia, committed in part, its second tranche overdue; Poland's equipment for Moldova,
    itemised and delivered in two shipments; the United Kingdom's training for Georgia,
    itemised and committed, nothing delivered and its first tranche overdue; Norway's pledge to
    Moldova, nothing committed yet."""
    when = seeder.calendar
    german = await seeder.write(
        _pledge(
            seeder,
            "DE",
            FIRST_STAGED,
            kind=ContributionKind.FUNDING,
            amount=Decimal("1000000.00"),
            currency="EUR",
            objective_id=seeder.objective(GEORGIA, Category.CIVIL_PREPAREDNESS),
            starts_on=when.opens(FIRST_STARTS),
            ends_on=when.closes(1),
            pledged_on=when.opens(-3, 20),
            committed=(Decimal("500000.00"), "EUR"),
            committed_on=when.opens(-2, 14),
            schedule=(
                Tranche(when.closes(-2), Decimal("250000.00")),
                Tranche(when.closes(-1), Decimal("250000.00")),
                Tranche(when.closes(0), Decimal("250000.00"), Firmness.INDICATIVE),
                Tranche(when.closes(1), Decimal("250000.00"), Firmness.INDICATIVE),
            ),
            description=(
                "Disaster response coordination centre: four quarterly tranches over a year, "
                "the first two firm and committed, the last two subject to next year's budget"
            ),
        ),
        "Germany's multi-year funding for Georgia",
    )
    german = await _deliver(
        seeder,
        "de-ge-tranches-1",
        german,
        "250000.00",
        when.closes(-2, 15),
        "First tranche, disbursed on schedule",
    )
    await _deliver(
        seeder,
        "de-ge-tranches-2",
        german,
        "125000.00",
        when.closes(-1, 15),
        "Half of the second tranche; the rest waits for the audit of the first",
    )
    polish = await seeder.write(
        _pledge(
            seeder,
            "PL",
            "pl-md-equipment",
            kind=ContributionKind.EQUIPMENT,
            amount=Decimal("750000.00"),
            currency="PLN",
            objective_id=seeder.objective(MOLDOVA, Category.CIVIL_PREPAREDNESS),
            starts_on=when.opens(-2),
            ends_on=when.closes(-1),
            pledged_on=when.opens(-2, 5),
            committed=(Decimal("750000.00"), "PLN"),
            committed_on=when.opens(-2, 30),
            schedule=(
                Tranche(when.closes(-2), Decimal("420000.00")),
                Tranche(when.closes(-1), Decimal("330000.00")),
            ),
            items=(
                Item(
                    ItemCategory.VEHICLES,
                    "Four-wheel-drive emergency response vehicles, fully equipped",
                    Decimal(2),
                    "vehicles",
                    Decimal("210000.00"),
                    Valuation.REPLACEMENT_COST,
                ),
                Item(
                    ItemCategory.COMMUNICATIONS,
                    "Digital handheld radios with chargers and spare batteries",
                    Decimal(40),
                    "radios",
                    Decimal("4500.00"),
                    Valuation.MARKET_PRICE,
                ),
                Item(
                    ItemCategory.PROTECTIVE_GEAR,
                    "Chemical protective suits with respirators, from army stocks",
                    Decimal(120),
                    "sets",
                    Decimal("1250.00"),
                    Valuation.BOOK_VALUE,
                ),
            ),
            description="Equipment for the emergency services' first response and radio links",
        ),
        "Poland's equipment for Moldova",
    )
    polish = await _deliver(
        seeder,
        "pl-md-equipment-1",
        polish,
        "420000.00",
        when.closes(-2, 10),
        "The two vehicles, handed over in Chișinău",
    )
    await _deliver(
        seeder,
        "pl-md-equipment-2",
        polish,
        "330000.00",
        when.closes(-1, 20),
        "The radios and the protective suits",
    )
    await seeder.write(
        _pledge(
            seeder,
            "GB",
            "gb-ge-training",
            kind=ContributionKind.TRAINING,
            amount=Decimal("345000.00"),
            currency="GBP",
            objective_id=seeder.objective(GEORGIA, Category.DEFENCE_AND_MILITARY),
            starts_on=when.opens(-1),
            ends_on=when.closes(2),
            pledged_on=when.opens(-2, 45),
            committed=(Decimal("345000.00"), "GBP"),
            committed_on=when.opens(-1, 10),
            schedule=(
                Tranche(when.closes(-1), Decimal("115000.00")),
                Tranche(when.closes(1), Decimal("115000.00")),
                Tranche(when.closes(2), Decimal("115000.00"), Firmness.INDICATIVE),
            ),
            items=(
                Item(
                    ItemCategory.TRAINING_COURSES,
                    "Two-week staff officer courses, up to 20 officers each",
                    Decimal(6),
                    "courses",
                    Decimal("18500.00"),
                    Valuation.DONOR_DECLARED,
                ),
                Item(
                    ItemCategory.ADVISERS,
                    "Two defence education advisers, resident in Tbilisi for a year",
                    Decimal(24),
                    "adviser-months",
                    Decimal("9750.00"),
                    Valuation.DONOR_DECLARED,
                ),
            ),
            description="Staff courses and resident advisers; the first courses wait for a venue",
        ),
        "the United Kingdom's training for Georgia",
    )
    await seeder.write(
        _pledge(
            seeder,
            "NO",
            "no-md-pledge",
            kind=ContributionKind.FUNDING,
            amount=Decimal("4800000.00"),
            currency="NOK",
            objective_id=seeder.objective(MOLDOVA, Category.PUBLIC_DIPLOMACY),
            starts_on=when.opens(1),
            ends_on=when.closes(8),
            pledged_on=when.opens(-1, 20),
            schedule=(
                Tranche(when.closes(4), Decimal("2400000.00"), Firmness.INDICATIVE),
                Tranche(when.closes(8), Decimal("2400000.00"), Firmness.INDICATIVE),
            ),
            description=(
                "Running costs of the information centre for two years, subject to "
                "parliamentary approval"
            ),
        ),
        "Norway's pledge to Moldova",
    )
