"""How support really moves, in the demo data that `seed` and a first `serve` load: gifts into
funds and earmarked to plans, the funds' allocations, a report on a contributor's behalf, the
partners' confirmations and a dispute.

Written through the service's own commands, as its users would write them, so every rule, the
change log and the tallies hold for them. Each write carries an idempotency key: seeding again
writes nothing twice. Illustrative: the amounts and dates are typical, not on record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from resolvers import allocation_commands as allocating
from resolvers import confirmation_commands as confirming
from resolvers import contribution_commands as registering
from resolvers.commands import Outcome
from resolvers.context import Context
from resolvers.ids import encode
from resolvers.viewer import Viewer
from store import funds as stored_funds
from store import objectives, participants, plans
from store.contributions import Contribution
from store.database import Database
from store.enums import (
    Category,
    ConfirmationStage,
    ConfirmationVerdict,
    ContributionKind,
    ContributionStatus,
    Role,
    Visibility,
)

# The plans the flows go to: Georgia's and the Republic of Moldova's active plans.
GEORGIA, MOLDOVA = "GE-IPAP-2004", "MD-ITPP-2025"
KEY = "demo-flow-"


@dataclass(frozen=True)
class FlowSummary:
    written: int


class Seeder:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.written = 0
        self.ids: dict[str, int] = {}

    async def prepare(self) -> None:
        async with self.database.reads() as session:
            found = await participants.by_codes(
                session, ["NATO", "NSPA", "DE", "NL", "NO", "US", "FR", "IT", "GE", "MD"]
            )
            self.ids = {code: row.id for code, row in found.items()}
            self.managed = await stored_funds.managed_by(session, self.ids["NSPA"])
            self.plans = await plans.by_codes(session, [GEORGIA, MOLDOVA])
            # The first objective of each category of each plan.
            self.objectives: dict[tuple[str, Category], int] = {}
            for code, plan in self.plans.items():
                for objective in await objectives.of_plan(session, plan.id):
                    self.objectives.setdefault((code, objective.category), objective.id)

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


async def seed_flows(database: Database) -> FlowSummary:
    """The flows above, once."""
    seeder = Seeder(database)
    await seeder.prepare()
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
    return FlowSummary(seeder.written)
