"""Property-based tests of the coordination maths (resolvers/analysis.py).

Every property compares the module with a deliberately simple brute-force oracle written here:
periods are expanded into sets of days, pairs come from itertools.combinations, rates are found
with plain loops, and rounding is done on exact fractions. No sorting tricks, no sweeps, and no
float anywhere.

Generated rows look like stored contributions: an amount in its own currency valued on a day
(before the first known rate, exactly on a rate's valid_from, or anywhere), periods that end the
day another starts or the day before it, open-ended periods, one contributor several times,
withdrawn rows, and a `restricted` flag that the maths never sees.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from resolvers import analysis
from resolvers.analysis import BASE_CURRENCY, Entry, Rate, Rates, Reason, Status, Window

PROPERTY = settings(max_examples=500, deadline=None)

DAY_ZERO = date(2024, 1, 1)
# Every generated day lies strictly between these offsets, so "open" can be brute-forced as
# "up to the horizon" without changing any answer.
EARLIEST, HORIZON = -20, 120

RATED = {"USD": 2, "GBP": 2, "KWD": 3, "JPY": 0}  # currency: minor digits
MINOR_DIGITS = {BASE_CURRENCY: 2, **RATED}
KINDS = ("FUNDING", "EQUIPMENT", "TRAINING")
ZERO = Decimal("0.00")


def day(offset: int) -> date:
    return DAY_ZERO + timedelta(days=offset)


def offset_of(when: date) -> int:
    return (when - DAY_ZERO).days


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


@dataclass(frozen=True)
class Row:
    """A contribution as stored; `restricted` is a visibility flag the maths must never see."""

    id: int
    contributor_id: int
    kind: str
    status: Status
    amount: Decimal
    currency: str
    valued_on: date
    starts_on: date
    ends_on: date | None
    restricted: bool
    # Parts of `amount` committed (None: only pledged) and delivered so far.
    committed: Decimal | None = None
    delivered: Decimal = Decimal(0)


def entry_of(row: Row, rates: Rates) -> Entry:
    """The row as the maths sees it (as resolvers/tallying.py builds it): the flag is dropped."""
    value, rate = rates.convert(row.amount, row.currency, row.valued_on)
    committed, _ = rates.convert(row.committed or Decimal(0), row.currency, row.valued_on)
    delivered, _ = rates.convert(row.delivered, row.currency, row.valued_on)
    return Entry(
        id=row.id,
        contributor_id=row.contributor_id,
        kind=row.kind,
        status=row.status,
        value=value,
        committed=committed,
        delivered=delivered,
        rate_id=None if rate is None else rate.id,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    )


# ------------------------------------------------------------------------------------------------
# Oracles: plain loops over plain data.


def round_half_even(exact: Fraction, places: int) -> Decimal:
    """`exact` rounded half-to-even to `places` decimal places, on integers only."""
    scaled = exact * 10**places
    whole = scaled.numerator // scaled.denominator  # floor
    rest = scaled - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return Decimal(whole).scaleb(-places)


def oracle_rate(rates: list[Rate], currency: str, on: date) -> Rate | None:
    """The latest rate from on or before `on`; the earliest one for a day before them all."""
    own = [rate for rate in rates if rate.currency == currency]
    if currency == BASE_CURRENCY or not own:
        return None
    latest = None
    for rate in own:
        if rate.valid_from <= on and (latest is None or rate.valid_from > latest.valid_from):
            latest = rate
    if latest is not None:
        return latest
    earliest = own[0]
    for rate in own:
        if rate.valid_from < earliest.valid_from:
            earliest = rate
    return earliest


def oracle_convert(
    rates: list[Rate], amount: Decimal, currency: str, on: date
) -> tuple[Decimal, Rate | None]:
    if currency == BASE_CURRENCY:
        return round_half_even(Fraction(amount), 2), None
    rate = oracle_rate(rates, currency, on)
    assert rate is not None
    return round_half_even(Fraction(amount) * Fraction(rate.rate), 2), rate


def days_between(start: date | None, end: date | None) -> set[int]:
    """Every day of an inclusive period, None meaning open (up to the horizon)."""
    first = EARLIEST if start is None else offset_of(start)
    last = HORIZON if end is None else offset_of(end)
    for bound in (start, end):
        assert bound is None or EARLIEST < offset_of(bound) < HORIZON, "widen the horizon"
    return set(range(first, last + 1))


def days_of(entry: Entry | Row) -> set[int]:
    return days_between(entry.starts_on, entry.ends_on)


def oracle_counts(entry: Entry | Row, window: Window) -> bool:
    """Not withdrawn, and sharing at least one day with the window."""
    return entry.status is not Status.WITHDRAWN and bool(
        days_of(entry) & days_between(window.start, window.end)
    )


def oracle_pairs(entries: list[Entry], window: Window) -> list[tuple[Entry, Entry]]:
    """Every pair of counted entries, from distinct contributors, sharing a day."""
    counted = [entry for entry in entries if oracle_counts(entry, window)]
    return [
        (a, b)
        for a, b in itertools.combinations(counted, 2)
        if a.contributor_id != b.contributor_id and days_of(a) & days_of(b)
    ]


def oracle_score(
    contributors: int, same_kind: bool, excess: Decimal | None, requirement: Decimal | None
) -> Decimal:
    """One point per contributor beyond the first, half a point for the same kind, plus the excess
    as a share of the requirement; rounded half-even to 4 places."""
    points = Fraction(contributors - 1)
    if same_kind:
        points += Fraction(1, 2)
    if excess is not None and excess > 0 and requirement is not None and requirement > 0:
        points += Fraction(excess) / Fraction(requirement)
    return round_half_even(points, 4)


# ------------------------------------------------------------------------------------------------
# Strategies.

# Rates (EUR per unit) with up to 10 decimal places and below 10 EUR per unit, plus a few that put
# products exactly on half a cent. Seeded rates are all below 1.5 EUR per unit.
RATE_VALUES = st.one_of(
    st.integers(1, 10**11 - 1).map(lambda n: Decimal(n).scaleb(-10)),
    st.sampled_from([Decimal("0.5"), Decimal("1.5"), Decimal("0.25"), Decimal("1"), Decimal("2")]),
)
RATE_DAYS = st.lists(st.integers(0, 40), min_size=1, max_size=4, unique=True)


@st.composite
def rate_tables(draw: st.DrawFn) -> list[Rate]:
    """One to four rates for every rated currency, on distinct days, in a random order."""
    rates: list[Rate] = []
    for currency in RATED:
        for offset in draw(RATE_DAYS):
            rates.append(Rate(len(rates) + 1, currency, day(offset), draw(RATE_VALUES)))
    return draw(st.permutations(rates))


def amounts(currency: str) -> st.SearchStrategy[Decimal]:
    """Positive amounts below 10^14 at the currency's minor digits (what writes accept), mostly
    small so that half cents come up."""
    digits = MINOR_DIGITS[currency]
    return st.one_of(st.integers(1, 2000), st.integers(1, 10 ** (14 + digits) - 1)).map(
        lambda n: Decimal(n).scaleb(-digits)
    )


def valuation_days(rates: list[Rate], currency: str) -> st.SearchStrategy[date]:
    """Any day, exactly a rate's valid_from, or the day before the first rate."""
    own = [rate.valid_from for rate in rates if rate.currency == currency]
    anywhere = st.integers(-5, 50).map(day)
    if not own:
        return anywhere
    return st.one_of(anywhere, st.sampled_from([*own, min(own) - timedelta(days=1)]))


CURRENCIES = st.sampled_from([BASE_CURRENCY, *RATED])
AMOUNTS = {currency: amounts(currency) for currency in MINOR_DIGITS}


@st.composite
def stage_parts(
    draw: st.DrawFn, amount: Decimal, currency: str, status: Status
) -> tuple[Decimal | None, Decimal]:
    """What of `amount` is committed and delivered, as a row at `status` can hold it: nothing
    committed while pledged; all of the commitment delivered once disbursed or delivered; any
    part (the whole, none, or in between) otherwise, a withdrawn row keeping what it delivered."""
    digits = MINOR_DIGITS[currency]
    units = int(amount.scaleb(digits))
    if status is Status.PLEDGED:
        return None, Decimal(0)
    if status is Status.WITHDRAWN and draw(st.booleans()):
        return None, Decimal(0)
    committed = draw(st.one_of(st.just(units), st.integers(1, units)))
    if status in (Status.DISBURSED, Status.DELIVERED):
        delivered = committed
    else:
        delivered = draw(st.one_of(st.just(0), st.integers(0, committed)))
    return Decimal(committed).scaleb(-digits), Decimal(delivered).scaleb(-digits)


TRAITS = st.tuples(st.sampled_from(KINDS), st.sampled_from(Status), st.booleans())
STARTS = st.integers(0, 30)
LENGTHS = st.none() | st.integers(0, 15)


@st.composite
def row_lists(
    draw: st.DrawFn, rates: list[Rate], max_size: int = 12, first_id: int = 1
) -> list[Row]:
    """Up to `max_size` rows from a few contributors, with periods often starting or ending on,
    or next to, another row's start or end."""
    count = draw(st.integers(0, max_size))
    contributor_ids = st.integers(1, draw(st.integers(1, 4)))
    valued = {currency: valuation_days(rates, currency) for currency in MINOR_DIGITS}
    edges: list[int] = []
    rows: list[Row] = []
    for index in range(count):
        # Starts stay by day 60 and ends by day 77, well inside the oracle's horizon.
        early = [edge for edge in edges if 0 <= edge <= 60]
        start = draw(st.one_of(STARTS, st.sampled_from(early)) if early else STARTS)
        later = [edge for edge in edges if edge >= start]
        length = draw(LENGTHS)
        end = None if length is None else start + length
        if later and draw(st.booleans()):
            end = draw(st.sampled_from(later))
        edges += [start - 1, start] + ([] if end is None else [end, end + 1])
        currency = draw(CURRENCIES)
        kind, status, restricted = draw(TRAITS)
        amount = draw(AMOUNTS[currency])
        committed, delivered = draw(stage_parts(amount, currency, status))
        rows.append(
            Row(
                id=first_id + index,
                contributor_id=draw(contributor_ids),
                kind=kind,
                status=status,
                committed=committed,
                delivered=delivered,
                amount=amount,
                currency=currency,
                valued_on=draw(valued[currency]),
                starts_on=day(start),
                ends_on=None if end is None else day(end),
                restricted=restricted,
            )
        )
    return rows


@st.composite
def windows(draw: st.DrawFn, rows: list[Row]) -> Window:
    """Open, from a day, until a day, between two days, or a single day (as activeOn builds it);
    often on a row's start or end, or next to it. Never inverted (the API refuses those)."""
    pool = sorted(
        {
            offset_of(edge) + shift
            for row in rows
            for edge in (row.starts_on, row.ends_on)
            if edge is not None
            for shift in (-1, 0, 1)
        }
    ) or [0]
    point = st.one_of(st.integers(-3, 50), st.sampled_from(pool)).map(day)
    shape = draw(st.sampled_from(["open", "from", "until", "between", "on"]))
    if shape == "open":
        return Window()
    if shape == "from":
        return Window(start=draw(point))
    if shape == "until":
        return Window(end=draw(point))
    first = draw(point)
    if shape == "on":
        return Window(first, first)
    second = draw(point)
    return Window(min(first, second), max(first, second))


@dataclass(frozen=True)
class Scenario:
    rates: list[Rate]
    rows: list[Row]
    window: Window

    def entries(self) -> list[Entry]:
        table = Rates(self.rates)
        return [entry_of(row, table) for row in self.rows]


@st.composite
def scenarios(draw: st.DrawFn, max_rows: int = 12) -> Scenario:
    rates = draw(rate_tables())
    rows = draw(row_lists(rates, max_rows))
    return Scenario(rates, rows, draw(windows(rows)))


def requirements(total: Decimal) -> st.SearchStrategy[Decimal | None]:
    """No requirement, any positive one, half of `total`, or one a cent either side of `total`
    (or equal to it)."""
    near = [total + delta for delta in (Decimal("-0.01"), ZERO, Decimal("0.01"))]
    near.append((total / 2).quantize(Decimal("0.01")))
    return st.one_of(
        st.none(),
        cents(1, 10**9),
        st.sampled_from([value for value in near if value > 0] or [Decimal("0.01")]),
    )


def label(scenario: Scenario, entries: list[Entry]) -> None:
    """Name the edge cases a scenario exercises (shown by --hypothesis-show-statistics)."""
    for a, b in itertools.permutations(entries, 2):
        if a.contributor_id == b.contributor_id:
            if days_of(a) & days_of(b):
                event("same contributor over the same days")
            continue
        if a.ends_on == b.starts_on:
            event("one ends the day another starts")
        if a.ends_on is not None and a.ends_on + timedelta(days=1) == b.starts_on:
            event("one ends the day before another starts")
    if any(entry.ends_on is None for entry in entries):
        event("open-ended period")
    if any(row.status is Status.WITHDRAWN for row in scenario.rows):
        event("withdrawn row")
    if any(row.restricted for row in scenario.rows):
        event("restricted row")
    if scenario.window != Window():
        event("window")
        if any(
            not oracle_counts(entry, scenario.window)
            for entry in entries
            if entry.status is not Status.WITHDRAWN
        ):
            event("window leaves a live row out")


# ------------------------------------------------------------------------------------------------
# Overlaps.


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_overlap_is_exactly_the_brute_force_pairs(scenario: Scenario, data: st.DataObject) -> None:
    """Given contributions and a window,
    when overlap() runs with a requirement,
    then it is None iff no two counted contributions from distinct contributors share a day, and
    otherwise reports exactly the contributions in such pairs, their contributors, total, excess,
    reasons and score."""
    entries = scenario.entries()
    label(scenario, entries)
    pairs = oracle_pairs(entries, scenario.window)
    flagged = {entry.id: entry for pair in pairs for entry in pair}
    total = sum((entry.value for entry in flagged.values()), ZERO)
    requirement = data.draw(requirements(total), label="requirement")

    found = analysis.overlap(entries, requirement, scenario.window)

    if not pairs:
        event("no overlap")
        assert found is None
        return
    event("overlap")
    assert found is not None
    assert sorted(entry.id for entry in found.entries) == sorted(flagged)
    assert set(found.entries) == set(flagged.values())
    assert found.contributor_ids == tuple(sorted({e.contributor_id for e in flagged.values()}))
    assert isinstance(found.total, Decimal)
    assert found.total == total
    assert found.requirement == requirement
    excess = None if requirement is None else max(total - requirement, ZERO)
    assert found.excess == excess
    same_kind = any(a.kind == b.kind for a, b in pairs)
    exceeds = excess is not None and excess > 0
    expected_reasons = {Reason.SAME_OBJECTIVE, Reason.OVERLAPPING_PERIOD}
    if same_kind:
        expected_reasons.add(Reason.SAME_KIND)
    if exceeds:
        event("exceeds requirement")
        expected_reasons.add(Reason.EXCEEDS_REQUIREMENT)
    assert set(found.reasons) == expected_reasons
    assert len(found.reasons) == len(expected_reasons)
    assert found.score == oracle_score(len(found.contributor_ids), same_kind, excess, requirement)


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_the_spans_of_the_days_in_a_window_make_its_overlap(
    scenario: Scenario, data: st.DataObject
) -> None:
    """Given contributions, a requirement and a window,
    when the overlap is kept as spans of days (what each write stores) and the spans meeting
    the window are united,
    then the figures are those of overlap() within that window, brute force checked above."""
    entries = scenario.entries()
    requirement = data.draw(requirements(sum((e.value for e in entries), ZERO)), label="need")
    window = scenario.window

    spans = analysis.spans(entries, requirement)
    meeting = [
        span
        for span in spans
        if (window.end is None or span.starts_on <= window.end)
        and (window.start is None or span.ends_on is None or span.ends_on >= window.start)
    ]
    found = analysis.overlap(entries, requirement, window)

    # Spans never meet and never touch with the same overlap (they would be one)
    for before, after in itertools.pairwise(spans):
        assert before.ends_on is not None and before.ends_on < after.starts_on
        assert before.ends_on + timedelta(days=1) < after.starts_on or (
            before.overlap != after.overlap
        )
    if not meeting:
        assert found is None
        return
    event("spans meet the window")
    members = (
        analysis.Member(entry.id, entry.value, entry.givers)
        for span in meeting
        for entry in span.overlap.entries
    )
    united = analysis.united(members, any(span.same_kind for span in meeting), requirement)
    assert found is not None
    assert united.contributor_ids == found.contributor_ids
    assert (united.total, united.excess, united.score) == (found.total, found.excess, found.score)
    assert united.reasons == found.reasons
    assert {e.id for span in meeting for e in span.overlap.entries} == {e.id for e in found.entries}


@PROPERTY
@given(scenario=scenarios())
def test_overlap_within_a_window_only_shrinks(scenario: Scenario) -> None:
    """Given contributions,
    when overlap() runs within a window and over all time,
    then the window's overlap is part of the all-time one (it can only shrink)."""
    entries = scenario.entries()

    within = analysis.overlap(entries, None, scenario.window)
    always = analysis.overlap(entries, None)

    if within is not None:
        assert always is not None
        assert set(within.entries) <= set(always.entries)
        assert set(within.contributor_ids) <= set(always.contributor_ids)
        assert within.total <= always.total


@PROPERTY
@given(
    contributors=st.integers(2, 12),
    same_kind=st.booleans(),
    requirement=st.none() | cents(1, 10**12),
    excess=cents(0, 10**12),
)
def test_score_is_the_documented_formula(
    contributors: int, same_kind: bool, requirement: Decimal | None, excess: Decimal
) -> None:
    """Given an overlap's contributor count, kind flag, excess and requirement,
    when it is scored,
    then the score is (contributors - 1) + 0.5 for the same kind + excess / requirement,
    rounded half-even to 4 places (no share without a requirement)."""
    shown_excess = None if requirement is None else excess

    scored = analysis.score(contributors, same_kind, shown_excess, requirement)

    assert isinstance(scored, Decimal)
    assert scored == oracle_score(contributors, same_kind, shown_excess, requirement)


# ------------------------------------------------------------------------------------------------
# Tallies.


@PROPERTY
@given(scenario=scenarios())
def test_tally_is_the_plain_sums_of_the_counted_rows(scenario: Scenario) -> None:
    """Given stored rows in several currencies (restricted ones included),
    when their entries are tallied within a window,
    then pledged, committed and disbursed are the exact sums of the rows' converted stages (a
    withdrawn row counting what it delivered, at every stage), the counts include restricted
    rows, and rate_ids are the rates those rows used."""
    entries = scenario.entries()
    label(scenario, entries)

    counted = analysis.tally(entries, scenario.window)

    pledged = committed = disbursed = ZERO
    contributions, contributors, rate_ids = 0, set(), set()
    for row in scenario.rows:
        if not days_of(row) & days_between(scenario.window.start, scenario.window.end):
            continue
        value, rate = oracle_convert(scenario.rates, row.amount, row.currency, row.valued_on)
        committed_value, _ = oracle_convert(
            scenario.rates, row.committed or ZERO, row.currency, row.valued_on
        )
        delivered_value, _ = oracle_convert(
            scenario.rates, row.delivered, row.currency, row.valued_on
        )
        if row.status is Status.WITHDRAWN:
            # What was delivered before the withdrawal arrived: it counts at every stage.
            if not delivered_value:
                continue
            value = committed_value = delivered_value
        pledged += value
        committed += committed_value
        disbursed += delivered_value
        contributions += 1
        contributors.add(row.contributor_id)
        if rate is not None:
            rate_ids.add(rate.id)
    for figure in (counted.pledged, counted.committed, counted.disbursed):
        assert isinstance(figure, Decimal)
    assert counted.pledged == pledged
    assert counted.committed == committed
    assert counted.disbursed == disbursed
    assert counted.pledged >= counted.committed >= counted.disbursed >= 0
    assert counted.contributions == contributions
    assert counted.contributors == len(contributors)
    assert counted.rate_ids == frozenset(rate_ids)
    assert analysis.live(entries, scenario.window) == [
        entry for entry in entries if oracle_counts(entry, scenario.window)
    ]


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_tally_is_additive_over_any_split(scenario: Scenario, data: st.DataObject) -> None:
    """Given contributions split into up to four arbitrary parts,
    when the whole and each part are tallied,
    then the whole's sums and counts equal the parts' sums exactly, and its rates are their
    union."""
    entries = scenario.entries()
    parts_of = data.draw(
        st.lists(st.integers(0, 3), min_size=len(entries), max_size=len(entries)), label="parts"
    )
    parts = [[e for e, part in zip(entries, parts_of, strict=True) if part == k] for k in range(4)]

    whole = analysis.tally(entries, scenario.window)
    tallies = [analysis.tally(part, scenario.window) for part in parts]

    assert whole.pledged == sum((t.pledged for t in tallies), ZERO)
    assert whole.committed == sum((t.committed for t in tallies), ZERO)
    assert whole.disbursed == sum((t.disbursed for t in tallies), ZERO)
    assert whole.contributions == sum(t.contributions for t in tallies)
    assert whole.rate_ids == frozenset().union(*(t.rate_ids for t in tallies))
    assert max(t.contributors for t in tallies) <= whole.contributors
    assert whole.contributors <= sum(t.contributors for t in tallies)


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_restricted_flag_and_order_change_no_figure(
    scenario: Scenario, data: st.DataObject
) -> None:
    """Given rows, some restricted,
    when the flags are redrawn and the rows reordered,
    then the maths gets the same entries (it has no field for the flag) and every figure is
    identical."""
    assert "restricted" not in {f.name for f in dataclasses.fields(Entry)}
    count = len(scenario.rows)
    flags = data.draw(st.lists(st.booleans(), min_size=count, max_size=count), label="flags")
    redrawn = [
        dataclasses.replace(row, restricted=flag)
        for row, flag in zip(scenario.rows, flags, strict=True)
    ]
    reordered = data.draw(st.permutations(redrawn), label="order")
    other = dataclasses.replace(scenario, rows=reordered)

    entries, others = scenario.entries(), other.entries()

    assert sorted(others, key=lambda e: e.id) == sorted(entries, key=lambda e: e.id)
    assert analysis.tally(others, scenario.window) == analysis.tally(entries, scenario.window)
    assert analysis.overlap(others, None, scenario.window) == analysis.overlap(
        entries, None, scenario.window
    )


# ------------------------------------------------------------------------------------------------
# Exchange rates.


@st.composite
def conversions(draw: st.DrawFn) -> tuple[list[Rate], list[tuple[Decimal, str, date]]]:
    rates = draw(rate_tables())
    queries = []
    for _ in range(draw(st.integers(1, 8))):
        currency = draw(CURRENCIES)
        # The base currency is rounded too, so give it sub-cent digits as well.
        amount = (
            draw(st.integers(0, 10**18 - 1).map(lambda n: Decimal(n).scaleb(-4)))
            if currency == BASE_CURRENCY
            else draw(AMOUNTS[currency])
        )
        queries.append((amount, currency, draw(valuation_days(rates, currency))))
    return rates, queries


@PROPERTY
@given(case=conversions())
def test_convert_uses_the_rate_in_force_and_rounds_half_even(
    case: tuple[list[Rate], list[tuple[Decimal, str, date]]],
) -> None:
    """Given rate tables (days before the first rate, on a valid_from, in between),
    when amounts are converted,
    then EUR is the amount rounded to cents with no rate, other currencies use the rate whose
    valid_from is the latest on or before the day (the first for earlier days), the value is the
    exact product rounded half-even to cents, a Decimal, and the parts add up to their total."""
    rates, queries = case
    table = Rates(rates)

    converted = [table.convert(amount, currency, on) for amount, currency, on in queries]

    parts = []
    for (amount, currency, on), (value, rate) in zip(queries, converted, strict=True):
        expected, expected_rate = oracle_convert(rates, amount, currency, on)
        if expected_rate is not None:
            own = [r.valid_from for r in rates if r.currency == currency]
            if on < min(own):
                event("day before the first rate")
            if on in own:
                event("day exactly on a valid_from")
        if Fraction(amount) * Fraction(1 if rate is None else rate.rate) * 200 % 2 == 1:
            event("exactly half a cent")
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -2
        assert value == expected
        assert rate == expected_rate
        assert table.on(currency, on) == expected_rate
        parts.append(value)
    assert sum(parts, ZERO) == sum((Fraction(part) for part in parts), Fraction(0))
    with pytest.raises(LookupError):
        table.convert(Decimal("1"), "CHF", DAY_ZERO)


@PROPERTY
@given(
    amount=st.tuples(st.integers(1, 10**18 - 1), st.integers(0, 4)).map(
        lambda pair: Decimal(pair[0]).scaleb(-pair[1])
    ),
    rate=st.integers(1, 10**16 - 1).map(lambda n: Decimal(n).scaleb(-10)),
)
# 28 significant digits are not enough for this product: rounding it to them first, as the
# default Decimal context does, gives ...1010.00 instead of ...1010.01.
@example(amount=Decimal("10000050000000.01"), rate=Decimal("1000.0000000001"))
def test_convert_is_exact_for_long_products(amount: Decimal, rate: Decimal) -> None:
    """Given an amount up to 10^14 at up to 4 places (the stored scale) in a currency worth up to
    a million EUR a unit (gold, XAU, is an ISO 4217 code worth about 2,000 EUR),
    when it is converted,
    then the value is still the exact product rounded half-even to cents, however long the
    product is."""
    rates = [Rate(1, "XAU", DAY_ZERO, rate)]

    value, _ = Rates(rates).convert(amount, "XAU", DAY_ZERO)

    assert isinstance(value, Decimal)
    assert value == oracle_convert(rates, amount, "XAU", DAY_ZERO)[0]


# ------------------------------------------------------------------------------------------------
# Coverage and gaps.


@st.composite
def objectives(draw: st.DrawFn) -> tuple[list[Rate], list[tuple[Decimal | None, list[Entry]]]]:
    """One to five objectives, each with its own rows and a requirement (or none, or exactly its
    committed value)."""
    rates = draw(rate_tables())
    table = Rates(rates)
    found = []
    for index in range(draw(st.integers(1, 5))):
        rows = draw(row_lists(rates, max_size=5, first_id=100 * index + 1))
        entries = [entry_of(row, table) for row in rows]
        committed = analysis.tally(entries).committed
        found.append((draw(requirements(committed)), entries))
    return rates, found


@PROPERTY
@given(case=objectives())
def test_coverage_totals_are_the_sums_and_ratio_is_committed_over_requirement(
    case: tuple[list[Rate], list[tuple[Decimal | None, list[Entry]]]],
) -> None:
    """Given objectives, some with a requirement,
    when their tallies are covered,
    then every total is the sum of its parts, and the ratio is the committed support of the
    objectives with a requirement over their total requirement, rounded half-even to 4 places
    (None when no objective has one)."""
    _, found = case
    items = [(requirement, analysis.tally(entries)) for requirement, entries in found]

    covered = analysis.coverage(items)

    requirement = pledged = committed = disbursed = committed_against = ZERO
    has_requirement = False
    for each_requirement, each in items:
        pledged += each.pledged
        committed += each.committed
        disbursed += each.disbursed
        if each_requirement is not None:
            has_requirement = True
            requirement += each_requirement
            committed_against += each.committed
    everything = analysis.tally([entry for _, entries in found for entry in entries])
    assert covered.objectives == len(items)
    assert covered.requirement == requirement
    assert covered.pledged == pledged == everything.pledged
    assert covered.committed == committed == everything.committed
    assert covered.disbursed == disbursed == everything.disbursed
    if has_requirement:
        event("has a requirement")
        expected = round_half_even(Fraction(committed_against) / Fraction(requirement), 4)
        assert isinstance(covered.ratio, Decimal)
        assert covered.ratio == expected
    else:
        assert covered.ratio is None


THRESHOLDS = st.one_of(
    st.sampled_from([Decimal(t) for t in ("0", "-0.5", "0.5", "0.8", "1", "1.25")]),
    st.integers(-10_000, 20_000).map(lambda n: Decimal(n).scaleb(-4)),
    st.integers(1, 10**9).map(lambda n: Decimal(n).scaleb(-9)),
)


@PROPERTY
@given(requirement=st.none() | cents(1, 10**10), threshold=THRESHOLDS, data=st.data())
def test_shortfall_is_what_is_missing_below_the_threshold(
    requirement: Decimal | None, threshold: Decimal, data: st.DataObject
) -> None:
    """Given committed support, a requirement (or none) and a threshold,
    when the shortfall is worked out,
    then with no requirement or a threshold <= 0 it is a gap iff nothing is committed (lacking
    the whole requirement, or zero); otherwise it is a gap iff committed is below exactly
    requirement x threshold, and lacks the difference rounded up to the cent."""
    if requirement is None or threshold <= 0:
        target = None
        committed = data.draw(st.just(ZERO) | cents(0, 10**10), label="committed")
    else:
        target = Fraction(requirement) * Fraction(threshold)
        near = round_half_even(target, 2)
        around = [near + delta for delta in (Decimal("-0.01"), ZERO, Decimal("0.01"))]
        committed = data.draw(
            st.sampled_from([value for value in around if value >= 0]) | cents(0, 10**10),
            label="committed",
        )

    lacking = analysis.shortfall(committed, requirement, threshold)

    if target is None:
        if committed == 0:
            event("gap: nothing committed")
            assert lacking == (ZERO if requirement is None else requirement)
        else:
            assert lacking is None
    elif committed < target:
        event("gap: below the threshold")
        assert isinstance(lacking, Decimal)
        assert lacking > 0
        assert committed + lacking >= target > committed + lacking - Decimal("0.01")
    else:
        assert lacking is None
