"""A contribution's delivery schedule: planned tranches, and where each stands.

Pure arithmetic over plain data, no I/O. Deliveries are one running total per contribution; they
fill the tranches in the order the tranches fall due (first due first, the smaller first on the
same day), so a schedule's state follows from its tranches, the total delivered and today's date.
Everything is exact `Decimal`: a tranche is never credited a fraction of a cent it was not given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from resolvers.commands import reject
from resolvers.money import decimal_places, minor_digits, with_currency, written
from resolvers.vocabulary import Firmness, TrancheStatus

# Enough for a tranche a month over ten years; a longer list is a mistake or an attack.
MAX_TRANCHES = 120
# As for any amount (resolvers/commands.money): it also keeps every sum of a schedule well within
# Decimal's 28 significant digits, so sums are exact and can always be shown in minor units.
AMOUNT_LIMIT = Decimal(10) ** 12
ZERO = Decimal(0)


@dataclass(frozen=True)
class Tranche:
    """One planned delivery: due on a date, an amount in the contribution's currency."""

    due_on: date
    amount: Decimal
    firmness: Firmness


@dataclass(frozen=True)
class TrancheState:
    """A tranche and what deliveries have made of it so far."""

    number: int  # 1-based, in the order the tranches fall due
    tranche: Tranche
    delivered: Decimal
    outstanding: Decimal
    status: TrancheStatus


def _due_order(tranche: Tranche) -> tuple[date, Decimal, str]:
    # Firmness last only so that the order is total and a stored schedule reads the same twice.
    return tranche.due_on, tranche.amount, tranche.firmness.value


def in_due_order(tranches: Iterable[Tranche]) -> list[Tranche]:
    """The tranches sorted by due date, then by amount: the order deliveries fill them in."""
    return sorted(tranches, key=_due_order)


def parse(stored: list[dict[str, Any]] | None) -> list[Tranche]:
    """The tranches of a schedule as stored on the contribution row (None: no schedule).
    A malformed entry is a broken invariant, not a client's mistake: it raises ValueError."""
    tranches = []
    for index, entry in enumerate(stored or ()):
        try:
            amount = entry["amount"]
            # A float has already lost the exact amount: it is never stored, so never read.
            if not isinstance(amount, str):
                raise TypeError("the amount is not a string")
            tranche = Tranche(
                due_on=date.fromisoformat(entry["dueOn"]),
                amount=Decimal(amount),
                firmness=Firmness(entry["firmness"]),
            )
        except (ArithmeticError, KeyError, TypeError, ValueError) as problem:
            raise ValueError(
                f"stored tranche {index} is malformed ({problem}): {entry!r}"
            ) from None
        if not tranche.amount.is_finite() or tranche.amount <= 0:
            raise ValueError(f"stored tranche {index} has no positive amount: {entry!r}")
        tranches.append(tranche)
    return in_due_order(tranches)


def stored(tranches: Iterable[Tranche] | None) -> list[dict[str, Any]]:
    """The schedule as the contribution row keeps it: JSON, sorted in due order, amounts as
    exact decimal strings (never floats, never exponent notation)."""
    return [
        {
            "dueOn": tranche.due_on.isoformat(),
            "amount": format(tranche.amount, "f"),
            "firmness": tranche.firmness.value,
        }
        for tranche in in_due_order(tranches or ())
    ]


def checked(path: str, given: Sequence[Any], currency: str, ceiling: Decimal) -> list[Tranche]:
    """A schedule sent by a client (each element with `due_on`, `amount`, `firmness`), checked
    against a contribution in `currency` that pledges `ceiling`: at most MAX_TRANCHES tranches,
    each amount positive and finite, in the currency's minor units, below one trillion, and all
    of them together no more than the pledge. Due dates may repeat. Raises `Rejected` naming
    the first fault (`schedule.2.amount`); returns the tranches in due order."""
    if len(given) > MAX_TRANCHES:
        raise reject(path, f"has {len(given)} tranches; a schedule holds at most {MAX_TRANCHES}")
    digits = minor_digits(currency)
    tranches = []
    for index, entry in enumerate(given):
        where = f"{path}.{index}.amount"
        amount: Decimal = entry.amount
        if not amount.is_finite() or amount <= 0:
            raise reject(where, f"is {written(amount)}: a tranche's amount must be positive")
        places = decimal_places(amount)
        if places > digits:
            raise reject(
                where,
                f"is {written(amount)}, with {places} decimal places; {currency} amounts "
                f"have at most {digits}",
            )
        if amount >= AMOUNT_LIMIT:
            raise reject(where, f"is {written(amount)}: too large, amounts stop below one trillion")
        tranches.append(Tranche(due_on=entry.due_on, amount=amount, firmness=entry.firmness))
    total = sum((tranche.amount for tranche in tranches), ZERO)
    if total > ceiling:
        raise reject(
            path,
            f"adds up to {with_currency(total, currency)}, more than the "
            f"{with_currency(ceiling, currency)} pledged",
        )
    return in_due_order(tranches)


def _status(tranche: Tranche, filled: Decimal, today: date) -> TrancheStatus:
    if filled == tranche.amount:
        return TrancheStatus.DELIVERED
    # Past its due date, a tranche delivered in part is as late as one not delivered at all.
    if tranche.due_on < today:
        return TrancheStatus.OVERDUE
    return TrancheStatus.PARTLY_DELIVERED if filled > 0 else TrancheStatus.PENDING


def states(tranches: Iterable[Tranche], delivered: Decimal, today: date) -> list[TrancheState]:
    """Each tranche in due order with what `delivered` (the running total, in the schedule's
    currency) filled of it: deliveries fill the first due first, and whatever is delivered
    beyond the whole schedule simply leaves every tranche filled."""
    if not delivered.is_finite() or delivered < 0:
        raise ValueError(f"delivered must be a finite amount of at least 0, got {delivered}")
    left = delivered
    found = []
    for number, tranche in enumerate(in_due_order(tranches), start=1):
        filled = min(tranche.amount, left)
        left -= filled
        found.append(
            TrancheState(
                number=number,
                tranche=tranche,
                delivered=filled,
                outstanding=tranche.amount - filled,
                status=_status(tranche, filled, today),
            )
        )
    return found


def overdue(tranches: Iterable[Tranche], delivered: Decimal, today: date) -> Decimal:
    """What should have been delivered before `today` and was not: the outstanding amounts of
    the OVERDUE tranches."""
    return sum(
        (
            state.outstanding
            for state in states(tranches, delivered, today)
            if state.status is TrancheStatus.OVERDUE
        ),
        ZERO,
    )


def due_by_month(
    tranches: Iterable[Tranche], delivered: Decimal, start: date, end: date
) -> dict[date, Decimal]:
    """What a partner can still expect, month by month: the outstanding amounts of the tranches
    due from `start` to `end` (both included), keyed by the first day of the month they fall due
    in, in date order. A month with nothing outstanding is absent."""
    months: dict[date, Decimal] = {}
    # Today only decides statuses, and none is read here.
    for state in states(tranches, delivered, start):
        due_on = state.tranche.due_on
        if start <= due_on <= end and state.outstanding > 0:
            month = due_on.replace(day=1)
            months[month] = months.get(month, ZERO) + state.outstanding
    return months
