"""Coordination analysis: where aid overlaps, how well objectives are covered, what is missing.

Every amount here is in the base currency (EUR), converted with the rate in force on each
contribution's valuation date; each total lists the rates it used.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from resolvers import coverage as covering
from resolvers import gaps as finding_gaps
from resolvers import ids
from resolvers import objectives as objective_rows
from resolvers import overlaps as finding_overlaps
from resolvers.analysis import BASE_CURRENCY, Reason
from resolvers.analysis import Coverage as CoverageValue
from resolvers.context import Context
from resolvers.coverage import ExchangeRate as RateRow
from resolvers.errors import comparable
from resolvers.overlaps import LineFilter
from resolvers.selections import Unsupported
from resolvers.vocabulary import Category as CategoryValue
from schema.contribution import Contribution, seen_by
from schema.enums import Category, ContributionKind, PlanKind, Priority
from schema.fields import column, money_in, reference, resolved
from schema.money import Money
from schema.objective import Objective
from schema.participant import Participant

Info = strawberry.Info[Context, None]

strawberry.enum(
    Reason,
    name="OverlapReason",
    description=(
        "Why an overlap was flagged: SAME_OBJECTIVE and OVERLAPPING_PERIOD always (several "
        "contributors on one objective at once), SAME_KIND when two of them give the same kind "
        "of support, EXCEEDS_REQUIREMENT when together they give more than the objective needs."
    ),
)


def base(amount: Decimal | None) -> Money | None:
    return Money.of(amount, BASE_CURRENCY)


@strawberry.type(description="An exchange rate used to bring an amount into the base currency.")
class ExchangeRate:
    currency: str = strawberry.field(description="The currency converted.")
    valid_from: date = strawberry.field(description="The day the rate took effect.")
    rate: Decimal = strawberry.field(description="Base-currency units for one unit.")
    source: str = strawberry.field(description="Where the rate comes from.")

    @staticmethod
    def of(row: RateRow) -> ExchangeRate:
        return ExchangeRate(
            currency=row.currency, valid_from=row.valid_from, rate=row.rate, source=row.source
        )


@strawberry.type(description="A total in the base currency, with the rates used to reach it.")
class Total:
    amount: Decimal = strawberry.field(description="The sum, exact to the cent.")
    currency: str = strawberry.field(description="The base currency, EUR.")
    listed: strawberry.Private[finding_overlaps.Listed]

    @strawberry.field(
        description=(
            "Every rate used for what you may see in detail (amounts already in EUR need none). "
            "A rate only restricted support withheld from you uses is not listed, though the "
            "total counts that support."
        )
    )
    async def rates(self, info: Info) -> list[ExchangeRate]:
        found = await self.listed.details()
        return [
            ExchangeRate.of(rate) for rate in finding_overlaps.visible_rates(info.context, found)
        ]


@strawberry.input(description="Which objectives an analysis covers; every condition must hold.")
class AnalysisFilter:
    partners: list[str] | None = strawberry.field(
        default=None, description="Objectives of these partners, by code."
    )
    plans: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Objectives of these plans, by ID."
    )
    plan_kinds: list[PlanKind] | None = strawberry.field(
        default=None, description="Objectives of plans of these kinds."
    )
    categories: list[Category] | None = strawberry.field(
        default=None, description="Objectives in these categories."
    )
    priorities: list[Priority] | None = strawberry.field(
        default=None, description="Objectives with these priorities."
    )

    @staticmethod
    def of(value: AnalysisFilter | None) -> LineFilter:
        value = value or AnalysisFilter()
        return LineFilter(
            partner_codes=tuple(
                comparable("filter.partners", code).strip().upper() for code in value.partners or ()
            ),
            plan_ids=ids.decode_all(value.plans, "filter.plans", "Plan"),
            plan_kinds=tuple(value.plan_kinds or ()),
            categories=tuple(value.categories or ()),
            priorities=tuple(value.priorities or ()),
        )


@strawberry.input(description="A period; an open end is unbounded.")
class PeriodInput:
    start: date | None = strawberry.field(default=None, description="First day.")
    end: date | None = strawberry.field(default=None, description="Last day.")


# Why some of an overlap's fields are the resolvers' alone.
WHO_GAVE = "the contributions behind the overlap, each shown as the viewer may see it"


def overlapping(given: dict[str, Any]) -> finding_overlaps.Overlapping:
    """What `aidOverlaps` lists, from its arguments, when compiled reads serve it: the overlaps
    kept over all time. On a day, within a period or as at a past day, and for a
    `minimumContributors` it refuses, its resolver answers."""
    if any(given.get(name) is not None for name in ("active_on", "period", "as_of")):
        raise Unsupported("overlaps on a day, within a period or as at a past day")
    minimum = given.get("minimum_contributors", finding_overlaps.FEWEST)
    if not finding_overlaps.FEWEST <= minimum <= finding_overlaps.MOST:
        raise Unsupported("a minimum the resolver refuses, in its own words")
    return finding_overlaps.Overlapping(AnalysisFilter.of(given.get("filter")), minimum)


def _total(root: AidOverlap) -> Total:
    return Total(amount=root.listed.figures.total, currency=BASE_CURRENCY, listed=root.listed)


async def _hidden(root: AidOverlap, info: Info) -> int:
    found = await root.listed.details()
    visible = finding_overlaps.visible_contributors(info.context, found)
    return len(found.overlap.contributor_ids) - len(visible)


@strawberry.type(
    description=(
        "Several contributors supporting one objective at the same time: contributions, not "
        "withdrawn, from distinct contributors, whose periods overlap."
    )
)
class AidOverlap:
    # Each field compiled reads serve (schema/compiler.py) is declared as the stored tally row
    # reads it (store/tallies.py's ObjectiveTally); the rest are the resolvers', for these reasons.
    objective: Objective = strawberry.field(
        description="The objective.",
        metadata=reference("head_id", objective_rows.Objective, lambda load: load.objective),
    )
    contributor_count: int = column(
        "How many distinct contributors overlap, restricted ones included.",
        name="overlap_contributors",
    )
    # Resolved: the count needs the rows behind the overlap, read only when it is asked for.
    hidden_contributor_count: int = strawberry.field(
        resolver=_hidden,
        description="How many of them are withheld from you (restricted contributions).",
        metadata=resolved(WHO_GAVE),
    )
    total: Total = strawberry.field(
        resolver=_total,
        description="Their total in the base currency.",
        metadata=money_in("overlap_total", BASE_CURRENCY),
    )
    requirement: Money | None = strawberry.field(
        description="The objective's requirement in the base currency, if set.",
        metadata=money_in("requirement", BASE_CURRENCY),
    )
    excess: Money | None = strawberry.field(
        description="How much the total exceeds the requirement (0 if it does not).",
        metadata=money_in("overlap_excess", BASE_CURRENCY),
    )
    score: Decimal = strawberry.field(
        description=(
            "How much attention it deserves: 1 per contributor beyond the first, 0.5 if two give "
            "the same kind, plus the excess as a share of the requirement."
        ),
        metadata=resolved("a decimal only Python writes as the Decimal scalar does"),
    )
    reasons: list[Reason] = strawberry.field(
        description="Why it was flagged.", metadata=resolved("a list kept as JSON")
    )
    listed: strawberry.Private[finding_overlaps.Listed]

    @strawberry.field(
        description="The overlapping contributions, restricted ones redacted for you.",
        metadata=resolved(WHO_GAVE),
    )
    async def contributions(self, info: Info) -> list[Contribution]:
        shown = seen_by(info.context.caller)
        return [shown(row) for row in (await self.listed.details()).contributions]

    @strawberry.field(
        description="The contributors you may see named.", metadata=resolved(WHO_GAVE)
    )
    async def contributors(self, info: Info) -> list[Participant]:
        found = await self.listed.details()
        visible = finding_overlaps.visible_contributors(info.context, found)
        rows = await info.context.loaders.participant.load_many(visible)
        return [Participant.from_row(row) for row in rows if row is not None]

    @staticmethod
    def of(listed: finding_overlaps.Listed) -> AidOverlap:
        figures = listed.figures
        return AidOverlap(
            objective=Objective.from_row(listed.objective),
            contributor_count=figures.contributors,
            requirement=base(figures.requirement),
            excess=base(figures.excess),
            score=figures.score,
            reasons=list(figures.reasons),
            listed=listed,
        )


@strawberry.type(description="Requirement against support, for a set of objectives.")
class CoverageFigures:
    category: Category | None = strawberry.field(
        description="The category these figures are for; null for the total."
    )
    objectives: int = strawberry.field(description="How many objectives are counted.")
    requirement: Money = strawberry.field(description="Sum of the requirements that are set.")
    pledged: Money = strawberry.field(
        description=(
            "What was pledged: every contribution's amount, but for a withdrawn one only what it "
            "had delivered."
        )
    )
    committed: Money = strawberry.field(
        description="What of it is committed (a withdrawn one: what it had delivered)."
    )
    disbursed: Money = strawberry.field(
        description=(
            "What of it has been delivered or disbursed so far: the deliveries recorded, kept "
            "when a contribution is withdrawn."
        )
    )
    ratio: Decimal | None = strawberry.field(
        description=(
            "Committed support to objectives that have a requirement, over those requirements; "
            "null when none has one."
        )
    )

    @staticmethod
    def of(category: CategoryValue | None, value: CoverageValue) -> CoverageFigures:
        return CoverageFigures(
            category=category,
            objectives=value.objectives,
            requirement=Money.euros(value.requirement),
            pledged=Money.euros(value.pledged),
            committed=Money.euros(value.committed),
            disbursed=Money.euros(value.disbursed),
            ratio=value.ratio,
        )


strawberry.enum(
    covering.Basis,
    description=(
        "Whose account the figures count: REPORTED, the contributors' reports; CONFIRMED, the "
        "recipients' confirmations (support unconfirmed or disputed counts nothing)."
    ),
)
strawberry.enum(
    covering.Attribution,
    description=(
        "To whom support is credited: DIRECT, whoever gave it to the objective (a fund, for what "
        "it allocated); ORIGINAL_DONORS, the donors whose money it is, pro rata through every "
        "fund it passed. Either way each euro is credited once."
    ),
)


@strawberry.type(description="What one contributor is credited with, in the base currency.")
class ContributorCredit:
    contributor: Participant | None = strawberry.field(
        description="Who; null for the contributors withheld from you, credited together."
    )
    pledged: Money = strawberry.field(description="What it pledged, counted as coverage does.")
    committed: Money = strawberry.field(description="What of it is committed.")
    disbursed: Money = strawberry.field(description="What of it has been delivered or disbursed.")


@strawberry.type(description="The covered support of one kind, in the base currency.")
class KindFigures:
    kind: ContributionKind = strawberry.field(description="What is given.")
    pledged: Money = strawberry.field(description="What was pledged of this kind.")
    committed: Money = strawberry.field(description="What of it is committed.")
    disbursed: Money = strawberry.field(description="What of it has been delivered or disbursed.")


@strawberry.type(description="How well objectives are covered, by category and in total.")
class Coverage:
    total: CoverageFigures = strawberry.field(description="All the objectives covered.")
    by_category: list[CoverageFigures] = strawberry.field(
        description="The same figures per category (categories with objectives only)."
    )
    found: strawberry.Private[covering.Covered]

    @strawberry.field(
        description=(
            "Every exchange rate used for what you may see in detail. A rate only restricted "
            "support withheld from you uses is not listed, though the totals count that support."
        )
    )
    async def rates(self, info: Info) -> list[ExchangeRate]:
        return [ExchangeRate.of(rate) for rate in await covering.rates(info.context, self.found)]

    @strawberry.field(
        description=(
            "Support earmarked to these plans (given into a fund for them, or pooled for them) "
            "and not yet allocated to an objective, in the base currency: counted in none of the "
            "figures above until it is allocated."
        )
    )
    async def unallocated(self, info: Info) -> Money:
        return Money.euros(await covering.unallocated(info.context, self.found))

    @strawberry.field(
        description=(
            "The same support credited to each contributor, most first: the credits add up "
            "exactly to the totals, whichever the attribution."
        )
    )
    async def by_contributor(
        self,
        info: Info,
        attribution: Annotated[
            covering.Attribution,
            strawberry.argument(description="DIRECT (default) or ORIGINAL_DONORS."),
        ] = covering.Attribution.DIRECT,
    ) -> list[ContributorCredit]:
        credits = await covering.by_contributor(info.context, self.found, attribution)
        named = await info.context.loaders.participant.load_many(
            [credit.participant_id for credit in credits if credit.participant_id is not None]
        )
        who = {row.id: row for row in named if row is not None}
        return [
            ContributorCredit(
                contributor=None
                if credit.participant_id is None
                else Participant.from_row(who[credit.participant_id]),
                pledged=Money.euros(credit.pledged),
                committed=Money.euros(credit.committed),
                disbursed=Money.euros(credit.disbursed),
            )
            for credit in credits
        ]

    @strawberry.field(
        description=(
            "The same support by what is given (funding, equipment, training...): the kinds add "
            "up exactly to the totals. In-kind support is valued as its items are."
        )
    )
    async def by_kind(self, info: Info) -> list[KindFigures]:
        return [
            KindFigures(
                kind=kind,
                pledged=Money.euros(found.pledged),
                committed=Money.euros(found.committed),
                disbursed=Money.euros(found.disbursed),
            )
            for kind, found in await covering.by_kind(info.context, self.found)
        ]

    @staticmethod
    def of(found: covering.Covered) -> Coverage:
        return Coverage(
            total=CoverageFigures.of(None, found.total),
            by_category=[CoverageFigures.of(c, value) for c, value in found.by_category],
            found=found,
        )


@strawberry.type(description="Someone likely to help close a gap, and why.")
class SuggestedContributor:
    participant: Participant = strawberry.field(description="Who.")
    contributions: int = strawberry.field(
        description="Their recent contributions to similar objectives."
    )
    reason: str = strawberry.field(description="Why they are suggested.")


@strawberry.type(description="An objective whose committed support falls short.")
class AidGap:
    objective: Objective = strawberry.field(description="The objective.")
    requirement: Money | None = strawberry.field(
        description="Its requirement in the base currency, if set."
    )
    committed: Money = strawberry.field(description="Support committed to it so far.")
    lacking: Money | None = strawberry.field(
        description=(
            "What it lacks to reach the threshold (its whole requirement by default), rounded up "
            "to the cent: never zero. Null when it has no requirement to measure against."
        )
    )
    contributors: int = strawberry.field(
        description="How many contributors support it at all (pledges included)."
    )
    gap: strawberry.Private[finding_gaps.Gap]

    @staticmethod
    def of(found: finding_gaps.Gap) -> AidGap:
        tally = found.tally
        return AidGap(
            objective=Objective.from_row(found.objective),
            requirement=base(tally.requirement),
            committed=Money.euros(tally.committed),
            lacking=base(found.lacking if tally.requirement is not None else None),
            contributors=tally.contributors,
            gap=found,
        )

    @strawberry.field(
        description=(
            "Participants most likely to help: those with the most recent support to objectives "
            "of the same category for partners in the same region."
        )
    )
    async def suggested_contributors(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="How many (1 to 20).")] = 3,
    ) -> list[SuggestedContributor]:
        found = await finding_gaps.suggestions(info.context, self.gap, first)
        return [
            SuggestedContributor(
                participant=Participant.from_row(item.participant),
                contributions=item.contributions,
                reason=item.reason,
            )
            for item in found
        ]
