"""Participants: states and institutions, their partnerships and their role over time."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import contributions, funds, participants, plans
from resolvers.context import Context
from schema.connection import After, Before, Connection, First, Last, Node, page_slice
from schema.enums import Framework, ParticipantKind, Role
from schema.fields import build, column, listed, page, resolved
from schema.filters import (
    ContributionFilter,
    ContributionOrder,
    PlanFilter,
    PlanOrder,
)

if TYPE_CHECKING:
    from schema.contribution import Contribution
    from schema.fund import Fund
    from schema.plan import Plan

Info = strawberry.Info[Context, None]


@strawberry.type(description="Membership of a partnership framework, with its dates.")
class Partnership:
    framework: Framework = column("The framework.")
    joined_on: date = column("When the participant joined it.")
    left_on: date | None = column("When it left, if it has.")

    @staticmethod
    def from_row(row: participants.Partnership) -> Partnership:
        return Partnership(framework=row.framework, joined_on=row.joined_on, left_on=row.left_on)


@strawberry.type(
    description=(
        "A state, an international institution, or a fund through which support passes. Its role "
        "is a function of time: a partner that joins NATO is an ally from its accession date on, "
        "and its history as a partner stays true."
    )
)
class Participant(Node):
    code: str = column(
        "ISO 3166-1 alpha-2 code for states (GE, ME...), a short code for institutions."
    )
    name: str = column("Usual English name.")
    kind: ParticipantKind = column("State, institution or fund.")
    region: str | None = column("Geographic region, for states.")
    allied_since: date | None = column(
        "Date of NATO accession, for allies (e.g. Montenegro: 2017-06-05)."
    )
    row: strawberry.Private[participants.Participant]

    @staticmethod
    def from_row(row: participants.Participant) -> Participant:
        return build(Participant, row)

    @staticmethod
    async def by_id(info: Info, participant_id: int | None) -> Participant | None:
        """The participant a row names by id (None: none named), through the request's loader."""
        if participant_id is None:
            return None
        row = await info.context.loaders.participant.load(participant_id)
        return None if row is None else Participant.from_row(row)

    @strawberry.field(
        description="The participant's role today.",
        metadata=resolved("a function of time: its memberships on a date"),
    )
    async def role(self, info: Info) -> Role:
        return await participants.role(info.context, self.row, None)

    @strawberry.field(
        description="The role the participant held on a given date.",
        metadata=resolved("a function of time: its memberships on a date"),
    )
    async def role_on(
        self,
        info: Info,
        date: Annotated[date, strawberry.argument(description="The date to ask about.")],
    ) -> Role:
        return await participants.role(info.context, self.row, date)

    @strawberry.field(
        description="Partnership frameworks joined, oldest first.",
        metadata=resolved("a short list of another table, rarely asked"),
    )
    async def partnerships(self, info: Info) -> list[Partnership]:
        rows = await participants.partnerships(info.context, self.row)
        return [Partnership.from_row(row) for row in rows]

    @strawberry.field(
        description="For a participant of kind FUND, how the fund works and what it holds.",
        metadata=resolved("a fund's details live in a table of their own (store/funds.py)"),
    )
    async def fund(self, info: Info) -> Annotated[Fund, strawberry.lazy("schema.fund")] | None:
        from schema.fund import Fund

        found = await funds.of(info.context, self.row)
        return None if found is None else Fund.from_row(found)

    @strawberry.field(
        description="Plans of this participant as a partner (IPAP, IPCP, ITPP).",
        metadata=listed(plans.PLANS_OF_PARTNER, PlanFilter, PlanOrder),
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
    ) -> Connection[Annotated[Plan, strawberry.lazy("schema.plan")]]:
        from schema.plan import Plan

        slice_ = page_slice(first, after, last, before)
        return await page(self, info.context, "plans", filter, order_by, slice_, Plan.from_row)

    @strawberry.field(
        description="Support this participant gives, as a contributor.",
        metadata=listed(
            contributions.CONTRIBUTIONS_OF_CONTRIBUTOR, ContributionFilter, ContributionOrder
        ),
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
    ) -> Connection[Annotated[Contribution, strawberry.lazy("schema.contribution")]]:
        from schema.contribution import seen_by

        slice_ = page_slice(first, after, last, before)
        item = seen_by(info.context.caller)
        return await page(self, info.context, "contributions", filter, order_by, slice_, item)
