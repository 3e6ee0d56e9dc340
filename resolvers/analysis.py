"""The coordination maths: overlaps, tallies, coverage and gaps, over plain data with no I/O.

Everything is Decimal. Each contribution is converted to the base currency once, rounded to the
cent, with the rate in force on its valuation date; every total is then a plain sum of those
values, so totals always add up exactly to their parts.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal, localcontext
from enum import Enum
from fractions import Fraction
from math import floor

BASE_CURRENCY = "EUR"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)


class Status(Enum):
    """A contribution's status, as the maths needs it."""

    PLEDGED = "PLEDGED"
    COMMITTED = "COMMITTED"
    DISBURSED = "DISBURSED"
    DELIVERED = "DELIVERED"
    WITHDRAWN = "WITHDRAWN"


class Reason(Enum):
    SAME_OBJECTIVE = "SAME_OBJECTIVE"
    OVERLAPPING_PERIOD = "OVERLAPPING_PERIOD"
    SAME_KIND = "SAME_KIND"
    EXCEEDS_REQUIREMENT = "EXCEEDS_REQUIREMENT"


@dataclass(frozen=True)
class Rate:
    id: int
    currency: str
    valid_from: date
    rate: Decimal  # base-currency units for one unit of `currency`


class Rates:
    """Exchange rates by currency; the rate in force on a day is the latest one from before it."""

    def __init__(self, rates: Iterable[Rate]) -> None:
        self._by_currency: dict[str, list[Rate]] = {}
        for rate in sorted(rates, key=lambda r: (r.currency, r.valid_from)):
            self._by_currency.setdefault(rate.currency, []).append(rate)
        self._days = {c: [r.valid_from for r in rs] for c, rs in self._by_currency.items()}

    def on(self, currency: str, day: date) -> Rate | None:
        """The rate in force on `day` (the first one known, for a day before them all); None for
        the base currency, which needs none, or a currency without any rate."""
        days = self._days.get(currency)
        if currency == BASE_CURRENCY or not days:
            return None
        position = bisect.bisect_right(days, day)
        return self._by_currency[currency][max(position - 1, 0)]

    def convert(self, amount: Decimal, currency: str, day: date) -> tuple[Decimal, Rate | None]:
        """`amount` in the base currency, rounded to the cent, and the rate used.

        Raises LookupError when `currency` has no rate at all (writes are validated against it).
        """
        if currency == BASE_CURRENCY:
            return amount.quantize(CENT, ROUND_HALF_EVEN), None
        rate = self.on(currency, day)
        if rate is None:
            raise LookupError(f"no exchange rate for {currency}")
        # Wide enough for any amount times any rate, so the product is exact before it is rounded.
        with localcontext(prec=60):
            return (amount * rate.rate).quantize(CENT, ROUND_HALF_EVEN), rate


@dataclass(frozen=True)
class Entry:
    """One contribution that reaches an objective, valued in the base currency."""

    id: int
    contributor_id: int
    kind: str
    status: Status
    # What was pledged, committed and delivered so far, each valued in the base currency with
    # the contribution's one rate (committed <= value, delivered <= committed).
    value: Decimal
    committed: Decimal
    delivered: Decimal
    rate_id: int | None
    starts_on: date
    ends_on: date | None
    # Whose money it is: its contributor, or for an allocation from a fund (or of support
    # earmarked to a plan) the givers of what it draws on (store/draws.origins).
    sources: frozenset[int] = frozenset()

    @property
    def givers(self) -> frozenset[int]:
        return self.sources or frozenset({self.contributor_id})


def distinct(one: Entry, other: Entry) -> bool:
    """Whether two contributions come from distinct sources: no giver in common. A fund and a
    donor whose money it passes on are one source, not two."""
    return one.givers.isdisjoint(other.givers)


@dataclass(frozen=True)
class Window:
    """A period of interest: contributions count if their period meets it (None: open)."""

    start: date | None = None
    end: date | None = None


def meets(entry: Entry, window: Window) -> bool:
    if window.end is not None and entry.starts_on > window.end:
        return False
    return not (
        window.start is not None and entry.ends_on is not None and entry.ends_on < window.start
    )


def live(entries: Iterable[Entry], window: Window = Window()) -> list[Entry]:
    """What may overlap: never withdrawn contributions, and only those meeting the window."""
    return [e for e in entries if e.status is not Status.WITHDRAWN and meets(e, window)]


@dataclass(frozen=True)
class Stages:
    """What one contribution adds to each stage's total."""

    pledged: Decimal
    committed: Decimal
    delivered: Decimal


def stages(entry: Entry) -> Stages | None:
    """What a contribution counts for, or None if it counts for nothing. A withdrawn one keeps
    what was delivered before it was withdrawn, at every stage (the money arrived: it was
    pledged, committed and delivered); the rest of it counts nowhere."""
    if entry.status is Status.WITHDRAWN:
        if not entry.delivered:
            return None
        return Stages(entry.delivered, entry.delivered, entry.delivered)
    return Stages(entry.value, entry.committed, entry.delivered)


@dataclass(frozen=True)
class Overlap:
    """Support from distinct sources on one objective at the same time."""

    entries: tuple[Entry, ...]
    contributor_ids: tuple[int, ...]
    total: Decimal
    requirement: Decimal | None
    excess: Decimal | None
    reasons: tuple[Reason, ...]
    score: Decimal


def overlap(
    entries: Sequence[Entry], requirement: Decimal | None, window: Window = Window()
) -> Overlap | None:
    """The contributions of one objective that overlap in time with another contributor's.

    A sweep over start dates: each contribution is compared only with those still running when it
    starts, which is every pair whose periods meet.
    """
    running: list[Entry] = []
    flagged: dict[int, Entry] = {}
    same_kind = False
    for entry in sorted(live(entries, window), key=lambda e: (e.starts_on, e.id)):
        running = [o for o in running if o.ends_on is None or o.ends_on >= entry.starts_on]
        for other in running:
            if distinct(other, entry):
                flagged[entry.id], flagged[other.id] = entry, other
                same_kind = same_kind or other.kind == entry.kind
        running.append(entry)
    if not flagged:
        return None
    return summarised(flagged.values(), same_kind, requirement)


@dataclass(frozen=True)
class Member:
    """A flagged contribution as an overlap's figures take it: its value and whose money it is."""

    id: int
    value: Decimal
    givers: frozenset[int]


def summarised(flagged: Iterable[Entry], same_kind: bool, requirement: Decimal | None) -> Overlap:
    """The overlap the flagged contributions make: whether two of them give the same kind is
    known to whoever paired them."""
    chosen = tuple(sorted(flagged, key=lambda e: e.id))
    members = (Member(e.id, e.value, e.givers) for e in chosen)
    return replace(united(members, same_kind, requirement), entries=chosen)


def united(members: Iterable[Member], same_kind: bool, requirement: Decimal | None) -> Overlap:
    """The figures of an overlap from its flagged contributions, each counted once however many
    times it is given (the days of a period each flag their own); without the entries."""
    chosen = {member.id: member for member in members}
    total = sum((member.value for member in chosen.values()), ZERO)
    excess = None if requirement is None else max(total - requirement, ZERO)
    reasons = [Reason.SAME_OBJECTIVE, Reason.OVERLAPPING_PERIOD]
    if same_kind:
        reasons.append(Reason.SAME_KIND)
    if excess:
        reasons.append(Reason.EXCEEDS_REQUIREMENT)
    contributors = tuple(sorted(frozenset().union(*(m.givers for m in chosen.values()))))
    return Overlap(
        entries=(),
        contributor_ids=contributors,
        total=total,
        requirement=requirement,
        excess=excess,
        reasons=tuple(reasons),
        score=score(len(contributors), same_kind, excess, requirement),
    )


@dataclass(frozen=True)
class Span:
    """Days over which an objective's running support overlaps one way: from `starts_on` to
    `ends_on` (None: from then on)."""

    starts_on: date
    ends_on: date | None
    overlap: Overlap

    @property
    def same_kind(self) -> bool:
        return Reason.SAME_KIND in self.overlap.reasons


def spans(entries: Sequence[Entry], requirement: Decimal | None) -> list[Span]:
    """The overlap on every day, as stretches of days: support starts and stops only at its
    contributions' first days and the days after their last, so between two of those every day
    runs the same contributions and has the same overlap (`overlap` over that day alone).

    The overlap within any period is then the union of its days' (two contributions that each
    meet a period and meet each other run together on a day within it): what was flagged on any
    of them, their total, and whether two of the same kind ran together on one."""
    running = live(entries)
    edges = sorted(
        {entry.starts_on for entry in running}
        | {entry.ends_on + ONE_DAY for entry in running if entry.ends_on is not None}
    )
    found: list[Span] = []
    for index, day in enumerate(edges):
        last = edges[index + 1] - ONE_DAY if index + 1 < len(edges) else None
        result = overlap(running, requirement, Window(day, day))
        if result is None:
            continue
        before = found[-1] if found else None
        if (
            before is not None
            and before.ends_on is not None
            and before.ends_on + ONE_DAY == day
            and before.overlap == result
        ):
            found[-1] = Span(before.starts_on, last, result)
        else:
            found.append(Span(day, last, result))
    return found


def score(
    contributors: int, same_kind: bool, excess: Decimal | None, requirement: Decimal | None
) -> Decimal:
    """How much an overlap deserves attention: one point per contributor beyond the first, half a
    point when they give the same kind of support, and the excess as a share of the requirement."""
    points = Decimal(contributors - 1) + (Decimal("0.5") if same_kind else ZERO)
    if excess and requirement:
        points += excess / requirement
    return points.quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Tally:
    """An objective's support, in the base currency, by how far along it is."""

    pledged: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO  # delivered: disbursed funding and delivered in-kind support
    contributions: int = 0
    contributors: int = 0
    rate_ids: frozenset[int] = field(default_factory=frozenset)


def tally(entries: Iterable[Entry], window: Window = Window()) -> Tally:
    counted = [(e, found) for e in entries if meets(e, window) and (found := stages(e)) is not None]
    return Tally(
        pledged=sum((found.pledged for _, found in counted), ZERO),
        committed=sum((found.committed for _, found in counted), ZERO),
        disbursed=sum((found.delivered for _, found in counted), ZERO),
        contributions=len(counted),
        contributors=len(frozenset().union(*(e.givers for e, _ in counted))),
        rate_ids=frozenset(e.rate_id for e, _ in counted if e.rate_id is not None),
    )


def apportion(value: Decimal, shares: Sequence[Fraction]) -> list[Decimal]:
    """`value` (to the cent) split in these shares (adding up to one), each part to the cent by
    the largest remainder: the parts add up to exactly `value`, and each is within a cent of its
    exact share (ties go to the earlier share)."""
    cents = int((value / CENT).to_integral_value())
    exact = [Fraction(cents) * share for share in shares]
    parts = [floor(part) for part in exact]
    left = cents - sum(parts)
    for index in sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))[:left]:
        parts[index] += 1
    return [(Decimal(part) * CENT).quantize(CENT) for part in parts]


@dataclass(frozen=True)
class Coverage:
    requirement: Decimal
    pledged: Decimal
    committed: Decimal
    disbursed: Decimal
    objectives: int
    # Committed support over the requirement, for the objectives that have one.
    ratio: Decimal | None


def coverage(items: Iterable[tuple[Decimal | None, Tally]]) -> Coverage:
    """Totals over objectives given as (requirement or None, tally)."""
    rows = list(items)
    required = [(requirement, t) for requirement, t in rows if requirement is not None]
    requirement = sum((r for r, _ in required), ZERO)
    committed_against = sum((t.committed for _, t in required), ZERO)
    return Coverage(
        requirement=requirement,
        pledged=sum((t.pledged for _, t in rows), ZERO),
        committed=sum((t.committed for _, t in rows), ZERO),
        disbursed=sum((t.disbursed for _, t in rows), ZERO),
        objectives=len(rows),
        ratio=share(committed_against, requirement),
    )


SHARE_PLACES = 4


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` over `whole` to four places, rounded half to even from the exact quotient (never
    from a quotient already rounded to the context's precision); None when `whole` is zero."""
    if not whole:
        return None
    exact = Fraction(part) / Fraction(whole) * 10**SHARE_PLACES
    # round() of a Fraction goes half to even, exactly.
    return Decimal(round(exact)).scaleb(-SHARE_PLACES)


def shortfall(
    committed: Decimal, requirement: Decimal | None, threshold: Decimal
) -> Decimal | None:
    """What an objective lacks to reach `threshold` (a share) of its requirement, if it is a gap.

    The share of the requirement is worked out exactly and what is missing is rounded up to the
    cent: a gap always lacks at least a cent, and committing that much closes it. With no
    requirement, or a threshold of zero, an objective is a gap only if nothing at all is
    committed to it; it then lacks its whole requirement (or an unknown amount: zero).
    """
    if requirement is None or threshold <= 0:
        if committed > 0:
            return None
        return requirement if requirement is not None else ZERO
    with localcontext() as exact:
        exact.prec = 60  # wide enough for any stored amount times any accepted share
        missing = requirement * threshold - committed
    return missing.quantize(CENT, ROUND_CEILING) if missing > 0 else None
