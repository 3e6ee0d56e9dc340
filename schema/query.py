"""The root query: every read entry point of the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from resolvers import (
    changes,
    contributions,
    funds,
    gaps,
    inflow,
    nodes,
    objectives,
    overlaps,
    participants,
    plans,
)
from resolvers import confirmations as confirming
from resolvers import coverage as covering
from resolvers import fulfilment as fulfilling
from resolvers.context import Context
from resolvers.viewer import Viewer as ViewerValue
from resolvers.vocabulary import Role as RoleValue
from schema.analysis import (
    AidGap,
    AidOverlap,
    AnalysisFilter,
    Coverage,
    PeriodInput,
    overlapping,
)
from schema.change import ChangeEvent, ChangeFilter, events
from schema.confirmation import ReconciliationFilter, ReconciliationItem
from schema.connection import After, Before, Connection, First, Last, Node, connection, page_slice
from schema.contribution import Contribution, seen_by
from schema.fields import listed, looked_up, lookup, page, resolved
from schema.filters import (
    ContributionFilter,
    ContributionOrder,
    FundFilter,
    ObjectiveFilter,
    ObjectiveOrder,
    ParticipantFilter,
    ParticipantOrder,
    PlanFilter,
    PlanOrder,
)
from schema.fulfilment import FULFILMENT_DESCRIPTION, FulfilmentOrder, FulfilmentRow
from schema.inflow import ExpectedInflow
from schema.objective import Objective
from schema.participant import Participant
from schema.plan import Plan
from schema.review import Review
from schema.viewer import Viewer

Info = strawberry.Info[Context, None]

AsOf = Annotated[
    date | None,
    strawberry.argument(description="The date the roles are taken on (default: today, UTC)."),
]
FiguresAsOf = Annotated[
    date | None,
    strawberry.argument(
        name="asOf",
        description=(
            "The figures as they stood at the end of this day (UTC), rebuilt from the change "
            "history: what the record said by then; later corrections and late reports do not "
            "change them. Default, today or later: the figures now."
        ),
    ),
]


def _node(found: tuple[str, Any], viewer: ViewerValue) -> Node | None:
    type_name, row = found
    if row is None:
        return None
    converters: dict[str, Any] = {
        "Participant": Participant.from_row,
        "Plan": Plan.from_row,
        "Objective": Objective.from_row,
        "Contribution": seen_by(viewer),
        "Review": Review.from_row,
    }
    node: Node = converters[type_name](row)
    return node


@strawberry.type(
    description="Read the coordination record: participants, plans, objectives, support."
)
class Query:
    @strawberry.field(
        description="You: the participant and role your token speaks for.",
        metadata=resolved("answered from the token, without reading"),
    )
    def viewer(self, info: Info) -> Viewer:
        return Viewer.of(info.context.caller)

    @strawberry.field(
        description=(
            "Where aid overlaps: objectives on which several contributors give support at the "
            "same time, highest score first."
        ),
        metadata=listed(overlaps.OVERLAPS, AnalysisFilter, overlaps.ByScore, overlapping),
    )
    async def aid_overlaps(
        self,
        info: Info,
        filter: AnalysisFilter | None = None,
        active_on: Annotated[
            date | None, strawberry.argument(description="Only support running on this day.")
        ] = None,
        period: Annotated[
            PeriodInput | None,
            strawberry.argument(description="Only support running during this period."),
        ] = None,
        minimum_contributors: Annotated[
            int, strawberry.argument(description="At least this many contributors (2 or more).")
        ] = 2,
        as_of: FiguresAsOf = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AidOverlap]:
        start, end = (period.start, period.end) if period else (None, None)
        window = overlaps.period(active_on, start, end)
        listing = await overlaps.listing(
            info.context,
            AnalysisFilter.of(filter),
            window,
            minimum_contributors,
            page_slice(first, after, last, before),
            as_of,
        )
        return connection(listing, AidOverlap.of)

    @strawberry.field(
        description="Requirement against pledged, committed and disbursed support, by category.",
        metadata=resolved("an analysis: resolvers/coverage.py"),
    )
    async def coverage(
        self,
        info: Info,
        filter: AnalysisFilter | None = None,
        basis: Annotated[
            covering.Basis,
            strawberry.argument(
                description=(
                    "REPORTED (default): the support as reported; CONFIRMED: as the recipients "
                    "confirmed it (received or delivered, at the amount they recorded)."
                )
            ),
        ] = covering.Basis.REPORTED,
        as_of: FiguresAsOf = None,
    ) -> Coverage:
        found = await covering.coverage(info.context, AnalysisFilter.of(filter), basis, as_of)
        return Coverage.of(found)

    @strawberry.field(
        description=(
            "Where aid is missing: open objectives of plans in force whose committed support is "
            "below a share of their requirement (by default: with no committed support at all), "
            "most urgent first."
        ),
        metadata=resolved("an analysis: resolvers/gaps.py"),
    )
    async def aid_gaps(
        self,
        info: Info,
        filter: AnalysisFilter | None = None,
        threshold: Annotated[
            Decimal,
            strawberry.argument(
                description=(
                    'A share from 0 to 1 with at most nine decimal places: "0.5" lists the '
                    "objectives under half covered. Compared exactly, never rounded."
                )
            ),
        ] = Decimal(0),
        as_of: FiguresAsOf = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AidGap]:
        listing = await gaps.listing(
            info.context,
            AnalysisFilter.of(filter),
            threshold,
            page_slice(first, after, last, before),
            as_of,
        )
        return connection(listing, AidGap.of)

    @strawberry.field(
        description=(
            "What a partner can still expect, month by month: the undelivered part of the "
            "tranches planned for it, firm and indicative apart, and what is overdue."
        ),
        metadata=resolved("an analysis: resolvers/inflow.py"),
    )
    async def expected_inflow(
        self,
        info: Info,
        partner: Annotated[str, strawberry.argument(description="The partner, by code.")],
        from_: Annotated[
            date | None,
            strawberry.argument(
                name="from", description="The first month, by any day of it (default: this month)."
            ),
        ] = None,
        months: Annotated[
            int, strawberry.argument(description=f"How many months (1 to {inflow.MAX_MONTHS}).")
        ] = 12,
    ) -> ExpectedInflow:
        return ExpectedInflow.of(await inflow.expected(info.context, partner, from_, months))

    @strawberry.field(
        description=FULFILMENT_DESCRIPTION,
        metadata=resolved("an analysis: resolvers/fulfilment.py"),
    )
    async def fulfilment(
        self,
        info: Info,
        filter: Annotated[
            ContributionFilter | None,
            strawberry.argument(
                description="Which contributions count: those `contributions` lists for it."
            ),
        ] = None,
        group_by: Annotated[
            fulfilling.Grouping,
            strawberry.argument(description="CONTRIBUTOR (default) or PARTNER."),
        ] = fulfilling.Grouping.CONTRIBUTOR,
        order_by: Annotated[
            FulfilmentOrder | None,
            strawberry.argument(
                description="The ranking (default: deliveredShare ascending, the worst first)."
            ),
        ] = None,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many rows, from the first rank (1 to {fulfilling.MAX_ROWS})."
            ),
        ] = fulfilling.DEFAULT_ROWS,
    ) -> list[FulfilmentRow]:
        measure, descending = FulfilmentOrder.of(order_by)
        found = await fulfilling.fulfilment(
            info.context, ContributionFilter.of(filter), group_by, measure, descending, first
        )
        return [FulfilmentRow.of(row) for row in found]

    @strawberry.field(
        description=(
            "Contributions whose contributor's report and recipient's account differ, are "
            "disputed, answer an older version, or are under way with nothing confirmed beyond "
            "`unconfirmedDays`; withdrawn ones are left out. Only contributions whose detail you "
            "see are listed. Ordered by the start of their period, then as registered."
        ),
        metadata=resolved("a comparison of two accounts: resolvers/confirmations.py"),
    )
    async def reconciliation(
        self,
        info: Info,
        filter: ReconciliationFilter | None = None,
        unconfirmed_days: Annotated[
            int,
            strawberry.argument(
                description=(
                    "A contribution committed or further is UNCONFIRMED when its period started "
                    "more than this many days ago and its recipient has recorded nothing."
                )
            ),
        ] = 90,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ReconciliationItem]:
        listing = await confirming.reconciliation(
            info.context,
            ReconciliationFilter.of(filter),
            ReconciliationFilter.states_of(filter),
            unconfirmed_days,
            page_slice(first, after, last, before),
        )
        return connection(listing, lambda entry: ReconciliationItem.of(info, entry))

    @strawberry.field(
        description=(
            "Every write, in commit order: poll with `after` set to the last cursor you saw to "
            "stay in sync. Positions have no gaps, so nothing is ever skipped."
        ),
        metadata=resolved("the change feed shapes its own events (resolvers/changes.py)"),
    )
    async def changes(
        self,
        info: Info,
        filter: ChangeFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ChangeEvent]:
        listing = await changes.feed(
            info.context, ChangeFilter.of(filter), page_slice(first, after, last, before)
        )
        return await events(info, listing)

    @strawberry.field(
        description="Any object by its global ID.",
        metadata=resolved("any type by global ID: one row, looked up"),
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        return _node(await nodes.node(info.context, id), info.context.caller)

    @strawberry.field(
        description="Up to 100 objects by global ID, in order; null where none.",
        metadata=resolved("any type by global ID: a few rows, looked up"),
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        return [
            _node(found, info.context.caller)
            for found in await nodes.nodes(info.context, list(ids))
        ]

    @strawberry.field(
        description="A participant by code (GE, US, EU, NATO...).",
        metadata=lookup(participants.by_code, participants.Participant),
    )
    async def participant(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="The participant's code.")],
    ) -> Participant | None:
        return Participant.from_row(await looked_up(Query, info.context, "participant", code=code))

    @strawberry.field(
        description="States in a partnership with NATO on a date, and not allies.",
        metadata=resolved("roles are a function of time: resolvers/participants.py"),
    )
    async def partners(
        self,
        info: Info,
        as_of: AsOf = None,
        filter: ParticipantFilter | None = None,
        order_by: ParticipantOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Participant]:
        listing = await participants.in_role(
            info.context,
            RoleValue.PARTNER,
            as_of,
            ParticipantFilter.of(filter),
            ParticipantOrder.of(order_by),
            page_slice(first, after, last, before),
        )
        return connection(listing, Participant.from_row)

    @strawberry.field(
        description="NATO members on a date (accession date on or before it).",
        metadata=resolved("roles are a function of time: resolvers/participants.py"),
    )
    async def allies(
        self,
        info: Info,
        as_of: AsOf = None,
        filter: ParticipantFilter | None = None,
        order_by: ParticipantOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Participant]:
        listing = await participants.in_role(
            info.context,
            RoleValue.ALLY,
            as_of,
            ParticipantFilter.of(filter),
            ParticipantOrder.of(order_by),
            page_slice(first, after, last, before),
        )
        return connection(listing, Participant.from_row)

    @strawberry.field(
        description="International institutions (EU, OSCE, UN...) and NATO's staff.",
        metadata=resolved("roles are a function of time: resolvers/participants.py"),
    )
    async def institutions(
        self,
        info: Info,
        order_by: ParticipantOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Participant]:
        listing = await participants.in_role(
            info.context,
            RoleValue.INSTITUTION,
            None,
            ParticipantFilter.of(None),
            ParticipantOrder.of(order_by),
            page_slice(first, after, last, before),
        )
        return connection(listing, Participant.from_row)

    @strawberry.field(
        description=(
            "Trust funds, pooled funds and executing agencies through which support passes, "
            "with what each holds (Participant.fund)."
        ),
        metadata=resolved("a list of participants joined to their fund details"),
    )
    async def funds(
        self,
        info: Info,
        filter: FundFilter | None = None,
        order_by: ParticipantOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Participant]:
        listing = await funds.listing(
            info.context,
            FundFilter.of(filter),
            ParticipantOrder.of(order_by),
            page_slice(first, after, last, before),
        )
        return connection(listing, Participant.from_row)

    @strawberry.field(
        description="A plan by global ID or by code (give exactly one).",
        metadata=lookup(plans.named, plans.Plan),
    )
    async def plan(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Global ID.")] = None,
        code: Annotated[str | None, strawberry.argument(description="Code.")] = None,
    ) -> Plan | None:
        row = await looked_up(Query, info.context, "plan", id=id, code=code)
        return None if row is None else Plan.from_row(row)

    @strawberry.field(
        description="Plans, filtered and ordered (by agreement date by default).",
        metadata=listed(plans.PLANS, PlanFilter, PlanOrder),
    )
    async def plans(
        self,
        info: Info,
        filter: PlanFilter | None = None,
        order_by: PlanOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Plan]:
        slice_ = page_slice(first, after, last, before)
        item = Plan.from_row
        return await page(Query, info.context, "plans", filter, order_by, slice_, item)

    @strawberry.field(
        description="Objectives across plans, filtered and ordered.",
        metadata=listed(objectives.OBJECTIVES, ObjectiveFilter, ObjectiveOrder),
    )
    async def objectives(
        self,
        info: Info,
        filter: ObjectiveFilter | None = None,
        order_by: ObjectiveOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Objective]:
        slice_ = page_slice(first, after, last, before)
        item = Objective.from_row
        return await page(Query, info.context, "objectives", filter, order_by, slice_, item)

    @strawberry.field(
        description="Contributions across plans, filtered and ordered.",
        metadata=listed(contributions.CONTRIBUTIONS, ContributionFilter, ContributionOrder),
    )
    async def contributions(
        self,
        info: Info,
        filter: ContributionFilter | None = None,
        order_by: ContributionOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Contribution]:
        slice_ = page_slice(first, after, last, before)
        item = seen_by(info.context.caller)
        return await page(Query, info.context, "contributions", filter, order_by, slice_, item)
