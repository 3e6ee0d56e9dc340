"""Delivery performance: the ranked table of `Query.fulfilment`."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from resolvers import fulfilment as fulfilling
from schema.connection import OrderDirection
from schema.money import Money
from schema.participant import Participant

strawberry.enum(
    fulfilling.Grouping,
    name="FulfilmentGrouping",
    description=(
        "Whom the fulfilment figures are grouped by: CONTRIBUTOR, who gave (contributions whose "
        "detail is withheld from you are credited together to one row without a participant); "
        "PARTNER, who receives (the partner whose plan it supports, or the fund it is given "
        "into: a recipient is never withheld)."
    ),
)

strawberry.enum(
    fulfilling.Measure,
    name="FulfilmentOrderField",
    description=(
        "What the fulfilment rows can be ranked by: DELIVERED_SHARE (delivered over committed), "
        "COMMITTED_SHARE (committed over pledged), OVERDUE, PLEDGED, COMMITTED or DELIVERED."
    ),
)


@strawberry.input(
    description=(
        "How to rank the fulfilment rows (by default DELIVERED_SHARE ascending: the worst "
        "deliverers first). Rows without the share asked for (nothing committed, or nothing "
        "pledged) come after the others in either direction; ties go by participant code, the "
        "row of withheld contributors last."
    )
)
class FulfilmentOrder:
    field: fulfilling.Measure = strawberry.field(description="The figure to rank by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC,
        description="Ascending (default: the lowest, i.e. the worst share, first) or descending.",
    )

    @staticmethod
    def of(order: FulfilmentOrder | None) -> tuple[fulfilling.Measure, bool]:
        """The measure and whether it runs descending."""
        order = order or FulfilmentOrder(field=fulfilling.Measure.DELIVERED_SHARE)
        return order.field, order.direction is OrderDirection.DESC


@strawberry.type(
    description=(
        "One contributor's or one partner's delivery record, in the base currency (EUR): each "
        "contribution valued once, with the rate of its valuation date."
    )
)
class FulfilmentRow:
    rank: int = strawberry.field(
        description="Its place in the order asked for: 1 is first (by default, the worst)."
    )
    participant: Participant | None = strawberry.field(
        description=(
            "The contributor or partner; null for the row that credits together the "
            "contributions whose detail is withheld from you, so that nothing says who gave them."
        )
    )
    contributions: int = strawberry.field(
        description=(
            "How many contributions are counted: every one selected, except those withdrawn "
            "before delivering anything."
        )
    )
    pledged: Money = strawberry.field(
        description=(
            "Pledged: the whole amount of each contribution not withdrawn, and what withdrawn "
            "ones delivered."
        )
    )
    committed: Money = strawberry.field(
        description="Committed of those pledges (a withdrawn contribution: what it delivered)."
    )
    delivered: Money = strawberry.field(
        description="Delivered or disbursed so far, withdrawn contributions included."
    )
    overdue: Money = strawberry.field(
        description=(
            "The undelivered part of planned tranches due before today, valued with each "
            "contribution's own rate; nothing of a withdrawn contribution is overdue."
        )
    )
    delivered_share: Decimal | None = strawberry.field(
        description=(
            "Delivered over committed, to four places (rounded half to even); null when nothing "
            "is committed."
        )
    )
    committed_share: Decimal | None = strawberry.field(
        description=(
            "Committed over pledged, to four places (rounded half to even); null when nothing "
            "is pledged."
        )
    )

    @staticmethod
    def of(found: fulfilling.Ranked) -> FulfilmentRow:
        figures, who = found.figures, found.participant
        return FulfilmentRow(
            rank=found.rank,
            participant=None if who is None else Participant.from_row(who),
            contributions=figures.contributions,
            pledged=Money.euros(figures.pledged),
            committed=Money.euros(figures.committed),
            delivered=Money.euros(figures.delivered),
            overdue=Money.euros(figures.overdue),
            delivered_share=figures.delivered_share,
            committed_share=figures.committed_share,
        )


FULFILMENT_DESCRIPTION = (
    "Delivery performance: one row per contributor (default) or per partner, with what it "
    "pledged, committed, delivered and has overdue, ranked (by default by deliveredShare "
    "ascending: the worst deliverers first). It counts the contributions `contributions` lists "
    "for the same filter, each once, in the base currency (EUR) with the rate of its valuation "
    "date, each stage as every total counts it: a withdrawn contribution counts only what it "
    "delivered, and not at all if it delivered nothing. Pooled money counts where each step "
    "puts it: by contributor, a gift into a fund is its donor's and an allocation from the fund "
    "is the fund's; by partner, the gift is the fund's (its recipient) and the allocation the "
    "partner's. No row counts the same money twice, but money passed through a fund appears "
    "once per step, so the rows do not add up to a grand total when funds are involved."
)
