"""Participants: one by code, partners / allies / institutions on a date, and their roles."""

from __future__ import annotations

from datetime import date

from resolvers.context import Context
from resolvers.errors import invalid_argument, not_found, shown
from resolvers.listing import root_listing
from resolvers.pagination import Listing, Slice
from store.enums import Role
from store.pages import Ordering
from store.participants import (
    ORDERINGS,
    Participant,
    ParticipantFilter,
    Partnership,
    role_on,
    select_participants,
)

__all__ = ["ORDERINGS", "Participant", "ParticipantFilter", "Partnership"]

CODE_PATTERN_HELP = "2 to 8 letters (ISO 3166-1 alpha-2 for states, e.g. GE; EU, OSCE...)"


def _check_code(argument: str, code: str) -> str:
    """The code in capitals (codes are case-insensitive), or an error if it cannot be one."""
    if not (2 <= len(code) <= 8 and code.isascii() and code.isalpha()):
        raise invalid_argument(argument, f"must be {CODE_PATTERN_HELP}, got {shown(code)}")
    return code.upper()


async def by_code(context: Context, code: str) -> Participant:
    code = _check_code("code", code)
    participant = await context.loaders.participant_by_code.load(code)
    if participant is None:
        raise not_found("code", f"No participant has the code {shown(code)}")
    return participant


async def by_id(context: Context, pk: int) -> Participant | None:
    return await context.loaders.participant.load(pk)


async def in_role(
    context: Context,
    role: Role,
    on: date | None,
    criteria: ParticipantFilter,
    ordering: Ordering,
    slice_: Slice,
) -> Listing[Participant]:
    criteria = ParticipantFilter(
        role=role,
        on=on or context.today,
        frameworks=criteria.frameworks,
        plan_kinds=criteria.plan_kinds,
        regions=criteria.regions,
    )
    return await root_listing(
        context,
        select_participants(criteria),
        Participant,
        ordering,
        slice_,
        context.loaders.participant,
    )


async def partnerships(context: Context, participant: Participant) -> list[Partnership]:
    result: list[Partnership] = await context.loaders.partnerships.load(participant.id)
    return result


async def role(context: Context, participant: Participant, on: date | None) -> Role:
    history = await partnerships(context, participant)
    return role_on(participant, history, on or context.today)
