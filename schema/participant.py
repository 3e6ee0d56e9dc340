"""Participants: states and institutions, their partnerships and their role over time."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import contributions, ids, participants, plans
from resolvers.context import Context
from schema.connection import After, Before, Connection, First, Last, Node, connection, page_slice
from schema.enums import Framework, ParticipantKind, Role
from schema.filters import (
    ContributionFilter,
    ContributionOrder,
    PlanFilter,
    PlanOrder,
)

if TYPE_CHECKING:
    from schema.contribution import Contribution
    from schema.plan import Plan

Info = strawberry.Info[Context, None]


@strawberry.type(description="Membership of a partnership framework, with its dates.")
class Partnership:
    framework: Framework = strawberry.field(description="The framework.")
    joined_on: date = strawberry.field(description="When the participant joined it.")
    left_on: date | None = strawberry.field(description="When it left, if it has.")

    @staticmethod
    def from_row(row: participants.Partnership) -> Partnership:
        return Partnership(framework=row.framework, joined_on=row.joined_on, left_on=row.left_on)


@strawberry.type(
    description=(
        "A state or an international institution. Its role is a function of time: a partner that "
        "joins NATO is an ally from its accession date on, and its history as a partner stays true."
    )
)
class Participant(Node):
    code: str = strawberry.field(
        description="ISO 3166-1 alpha-2 code for states (GE, ME...), a short code for institutions."
    )
    name: str = strawberry.field(description="Usual English name.")
    kind: ParticipantKind = strawberry.field(description="State or institution.")
    region: str | None = strawberry.field(description="Geographic region, for states.")
    allied_since: date | None = strawberry.field(
        description="Date of NATO accession, for allies (e.g. Montenegro: 2017-06-05)."
    )
    row: strawberry.Private[participants.Participant]

    @staticmethod
    def from_row(row: participants.Participant) -> Participant:
        return Participant(
            id=strawberry.ID(ids.encode("Participant", row.id)),
            code=row.code,
            name=row.name,
            kind=row.kind,
            region=row.region,
            allied_since=row.allied_since,
            row=row,
        )

    @strawberry.field(description="The participant's role today.")
    async def role(self, info: Info) -> Role:
        return await participants.role(info.context, self.row, None)

    @strawberry.field(description="The role the participant held on a given date.")
    async def role_on(
        self,
        info: Info,
        date: Annotated[date, strawberry.argument(description="The date to ask about.")],
    ) -> Role:
        return await participants.role(info.context, self.row, date)

    @strawberry.field(description="Partnership frameworks joined, oldest first.")
    async def partnerships(self, info: Info) -> list[Partnership]:
        rows = await participants.partnerships(info.context, self.row)
        return [Partnership.from_row(row) for row in rows]

    @strawberry.field(description="Plans of this participant as a partner (IPAP, IPCP, ITPP).")
    async def plans(
        self,
        info: Info,
        filter: PlanFilter | None = None,
        order_by: PlanOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Plan, strawberry.lazy("schema.plan")]]:
        from schema.plan import Plan

        listing = await plans.PLANS_OF_PARTNER.listing(
            info.context,
            PlanFilter.of(filter),
            PlanOrder.of(order_by),
            page_slice(first, after, last, before),
            self.row.id,
        )
        return connection(listing, Plan.from_row)

    @strawberry.field(description="Support this participant gives, as a contributor.")
    async def contributions(
        self,
        info: Info,
        filter: ContributionFilter | None = None,
        order_by: ContributionOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Contribution, strawberry.lazy("schema.contribution")]]:
        from schema.contribution import seen_by

        listing = await contributions.CONTRIBUTIONS_OF_CONTRIBUTOR.listing(
            info.context,
            ContributionFilter.of(filter),
            ContributionOrder.of(order_by),
            page_slice(first, after, last, before),
            self.row.id,
        )
        return connection(listing, seen_by(info.context.caller))
