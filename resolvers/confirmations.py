"""Confirmations as read: a contribution's current one, and the reconciliation list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from resolvers.context import Context
from resolvers.errors import invalid_argument
from resolvers.listing import check_codes
from resolvers.pagination import Listing, Slice, window_for
from store.confirmations import ORDERING_KEY, Confirmation, select_reconciliation
from store.contributions import Contribution, ContributionFilter
from store.enums import ReconciliationState
from store.pages import Ordering, count, fetch_page

__all__ = ["Confirmation"]

ORDERING = Ordering(ORDERING_KEY)
# Beyond a century, a limit says nothing a smaller one would not.
MAX_DAYS = 36500


async def current(context: Context, contribution: Contribution) -> Confirmation | None:
    """A contribution's current confirmation, None when there is none or when the viewer may not
    see the contribution's detail (the recipient's account tells of the amount)."""
    if not context.caller.sees_detail(contribution):
        return None
    return await context.loaders.confirmation.load(contribution.id)


@dataclass(frozen=True)
class Entry:
    """A contribution to reconcile, with its current confirmation and why."""

    contribution: Contribution
    confirmation: Confirmation | None
    state: ReconciliationState
    # Days since its period started, while nothing is confirmed; None once something is.
    days_unconfirmed: int | None


async def reconciliation(
    context: Context,
    criteria: ContributionFilter,
    states: Sequence[ReconciliationState],
    unconfirmed_days: int,
    slice_: Slice,
) -> Listing[Entry]:
    if not 0 <= unconfirmed_days <= MAX_DAYS:
        raise invalid_argument(
            "unconfirmedDays", f"must be from 0 to {MAX_DAYS}, got {unconfirmed_days}"
        )
    await check_codes(context, "filter.partners", criteria.partner_codes)
    await check_codes(context, "filter.contributors", criteria.contributor_codes)
    # Only contributions whose detail the viewer sees: a discrepancy tells of the amount.
    criteria = replace(criteria, scope=context.caller.restricted_scope(), hide_restricted=True)
    window = window_for(slice_, ORDERING)
    today = context.today
    statement = select_reconciliation(criteria, states, today - timedelta(days=unconfirmed_days))
    async with context.session() as session:
        page = await fetch_page(session, statement, Contribution, ORDERING, window)
    found = []
    for contribution, confirmation, state in page.rows:
        context.loaders.contribution.prime(contribution.id, contribution)
        days = (today - contribution.starts_on).days if confirmation is None else None
        found.append(Entry(contribution, confirmation, ReconciliationState[state], days))
    page.rows = found

    async def total() -> int:
        async with context.session() as session:
            return await count(session, statement)

    return Listing(page, total)
