"""A contribution's schedule: deliveries fill its tranches first due first, exactly.

The module (resolvers/schedules.py) is pure, so it is tested directly. Each rule a client's
schedule must keep is refused with a message that names the value, the rule and the input's path;
a schedule survives being stored and read back; and the state of every tranche, what is overdue
and what is still due month by month agree with deliberately plain oracles written here: one that
hands out deliveries a cent at a time to the earliest-due tranche not yet full, and one that works
each tranche's share out from prefix sums on exact fractions. The GraphQL types are checked through
a small schema of their own, since they are not wired into the served one yet.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import strawberry
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strawberry.schema.config import StrawberryConfig

from resolvers import schedules
from resolvers.commands import Rejected
from resolvers.schedules import Tranche, TrancheState
from resolvers.vocabulary import Firmness, TrancheStatus
from schema.scalars import SCALAR_OVERRIDES
from schema.tranche import Tranche as TrancheType
from schema.tranche import TrancheInput

PROPERTY = settings(max_examples=300, deadline=None)

FIRM, INDICATIVE = Firmness.FIRM, Firmness.INDICATIVE
DELIVERED, PARTLY = TrancheStatus.DELIVERED, TrancheStatus.PARTLY_DELIVERED
PENDING, OVERDUE = TrancheStatus.PENDING, TrancheStatus.OVERDUE
DAY_ZERO = date(2025, 1, 1)
CENT = Decimal("0.01")


def tranche(due_on: str, amount: str, firmness: Firmness = FIRM) -> Tranche:
    return Tranche(date.fromisoformat(due_on), Decimal(amount), firmness)


@dataclass(frozen=True)
class Given:
    """A tranche as a client sends it (what TrancheInput carries)."""

    due_on: date
    amount: Decimal
    firmness: Firmness = FIRM


def given_amounts(*amounts: str) -> list[Given]:
    return [Given(DAY_ZERO + timedelta(days=30 * i), Decimal(a)) for i, a in enumerate(amounts)]


def rejection(
    given: Sequence[Any], currency: str = "EUR", ceiling: str = "1000000"
) -> tuple[list[str] | None, str]:
    with pytest.raises(Rejected) as raised:
        schedules.checked("schedule", given, currency, Decimal(ceiling))
    [error] = raised.value.errors
    return error.field, error.message


# The worked example: deliveries fill the first due first.

JAN = tranche("2025-01-31", "100")
MAR = tranche("2025-03-31", "200")
JUN = tranche("2025-06-30", "300")
EXAMPLE = [JUN, JAN, MAR]  # in no particular order: states put them in due order


def test_given_250_delivered_in_april_then_jan_is_delivered_mar_overdue_and_jun_pending() -> None:
    found = schedules.states(EXAMPLE, Decimal(250), date(2025, 4, 15))

    assert found == [
        TrancheState(1, JAN, Decimal(100), Decimal(0), DELIVERED),
        TrancheState(2, MAR, Decimal(150), Decimal(50), OVERDUE),
        TrancheState(3, JUN, Decimal(0), Decimal(300), PENDING),
    ]


def test_given_250_delivered_when_read_in_february_then_mar_is_partly_delivered() -> None:
    found = schedules.states(EXAMPLE, Decimal(250), date(2025, 2, 1))

    assert [state.status for state in found] == [DELIVERED, PARTLY, PENDING]
    assert [state.delivered for state in found] == [100, 150, 0]


def test_a_tranche_due_today_is_not_yet_overdue_and_is_the_day_after() -> None:
    due = date(2025, 3, 31)

    assert schedules.states([MAR], Decimal(0), due)[0].status is PENDING
    assert schedules.states([MAR], Decimal(1), due)[0].status is PARTLY
    assert schedules.states([MAR], Decimal(0), due + timedelta(days=1))[0].status is OVERDUE
    assert schedules.states([MAR], Decimal(1), due + timedelta(days=1))[0].status is OVERDUE


def test_a_tranche_delivered_in_full_is_delivered_whenever_it_was_due() -> None:
    for today in (date(2024, 1, 1), date(2025, 3, 31), date(2030, 1, 1)):
        assert schedules.states([MAR], Decimal(200), today)[0].status is DELIVERED


def test_delivered_beyond_the_schedule_fills_every_tranche_and_no_more() -> None:
    found = schedules.states(EXAMPLE, Decimal("1000000.01"), date(2026, 1, 1))

    assert [state.delivered for state in found] == [100, 200, 300]
    assert {state.status for state in found} == {DELIVERED}
    assert {state.outstanding for state in found} == {0}


def test_on_the_same_day_the_smaller_tranche_is_filled_first() -> None:
    big, small = tranche("2025-05-01", "500"), tranche("2025-05-01", "20", INDICATIVE)

    found = schedules.states([big, small], Decimal(30), date(2025, 1, 1))

    assert [(state.number, state.tranche, state.delivered) for state in found] == [
        (1, small, Decimal(20)),
        (2, big, Decimal(10)),
    ]


def test_an_empty_schedule_has_no_states_nothing_overdue_and_nothing_due() -> None:
    assert schedules.states([], Decimal(50), DAY_ZERO) == []
    assert schedules.overdue([], Decimal(50), DAY_ZERO) == 0
    assert schedules.due_by_month([], Decimal(50), DAY_ZERO, date(2030, 1, 1)) == {}


@pytest.mark.parametrize("delivered", ["-0.01", "NaN", "Infinity"])
def test_a_delivered_total_that_is_no_amount_is_a_broken_invariant(delivered: str) -> None:
    with pytest.raises(ValueError, match="delivered must be a finite amount"):
        schedules.states(EXAMPLE, Decimal(delivered), DAY_ZERO)


def test_overdue_sums_what_is_missing_from_tranches_due_before_today() -> None:
    # Jan is delivered, Mar lacks 50 and is late; Jun lacks 300 but is not due yet.
    assert schedules.overdue(EXAMPLE, Decimal(250), date(2025, 4, 15)) == 50
    assert schedules.overdue(EXAMPLE, Decimal(250), date(2025, 7, 1)) == 350
    assert schedules.overdue(EXAMPLE, Decimal(0), date(2025, 1, 31)) == 0
    assert schedules.overdue(EXAMPLE, Decimal(600), date(2099, 1, 1)) == 0


def test_due_by_month_groups_what_is_outstanding_by_the_month_it_falls_due() -> None:
    extra = tranche("2025-03-01", "40.50")

    found = schedules.due_by_month(
        [*EXAMPLE, extra], Decimal(110), date(2025, 1, 1), date(2025, 12, 31)
    )

    # 110 fills Jan (100) and 10 of the 40.50 due on 1 March; Jan is then absent.
    assert found == {date(2025, 3, 1): Decimal("230.50"), date(2025, 6, 1): Decimal(300)}
    assert list(found) == sorted(found)


def test_due_by_month_includes_both_ends_of_the_range_and_nothing_beyond() -> None:
    start, end = date(2025, 3, 31), date(2025, 6, 30)

    assert schedules.due_by_month(EXAMPLE, Decimal(0), start, end) == {
        date(2025, 3, 1): Decimal(200),
        date(2025, 6, 1): Decimal(300),
    }
    assert schedules.due_by_month(EXAMPLE, Decimal(0), start + timedelta(days=1), end) == {
        date(2025, 6, 1): Decimal(300)
    }
    assert schedules.due_by_month(EXAMPLE, Decimal(0), start, end - timedelta(days=1)) == {
        date(2025, 3, 1): Decimal(200)
    }
    assert schedules.due_by_month(EXAMPLE, Decimal(0), end, start) == {}


# Stored as JSON on the contribution row.


def test_a_schedule_is_stored_as_json_with_exact_amount_strings_in_due_order() -> None:
    found = schedules.stored(
        [tranche("2025-06-30", "1E+3", INDICATIVE), tranche("2025-03-31", "1250.00")]
    )

    assert found == [
        {"dueOn": "2025-03-31", "amount": "1250.00", "firmness": "FIRM"},
        {"dueOn": "2025-06-30", "amount": "1000", "firmness": "INDICATIVE"},
    ]
    assert json.loads(json.dumps(found)) == found


def test_no_schedule_reads_and_stores_as_an_empty_list() -> None:
    assert schedules.parse(None) == []
    assert schedules.parse([]) == []
    assert schedules.stored(None) == []
    assert schedules.stored([]) == []


def test_a_stored_schedule_reads_back_in_due_order() -> None:
    rows = [
        {"dueOn": "2025-06-30", "amount": "300", "firmness": "INDICATIVE"},
        {"dueOn": "2025-01-31", "amount": "100.50", "firmness": "FIRM"},
    ]

    assert schedules.parse(rows) == [
        tranche("2025-01-31", "100.50"),
        tranche("2025-06-30", "300", INDICATIVE),
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"dueOn": "2025-01-31", "amount": 100.5, "firmness": "FIRM"},
        {"dueOn": "2025-01-31", "amount": "lots", "firmness": "FIRM"},
        {"dueOn": "2025-02-30", "amount": "100", "firmness": "FIRM"},
        {"dueOn": "2025-01-31", "amount": "100", "firmness": "MAYBE"},
        {"dueOn": "2025-01-31", "firmness": "FIRM"},
        {"dueOn": "2025-01-31", "amount": "0", "firmness": "FIRM"},
        {"dueOn": "2025-01-31", "amount": "NaN", "firmness": "FIRM"},
        "not a tranche",
    ],
)
def test_a_malformed_stored_tranche_is_a_broken_invariant(entry: Any) -> None:
    with pytest.raises(ValueError, match="stored tranche 1"):
        schedules.parse([{"dueOn": "2025-01-01", "amount": "1", "firmness": "FIRM"}, entry])


# A client's schedule: each rule, its path and its message.


def test_a_valid_schedule_comes_back_in_due_order_with_repeated_dates_kept() -> None:
    given = [
        Given(date(2025, 6, 30), Decimal("300.00"), INDICATIVE),
        Given(date(2025, 1, 31), Decimal("100")),
        Given(date(2025, 1, 31), Decimal("50.5")),
    ]

    found = schedules.checked("schedule", given, "EUR", Decimal("450.50"))

    assert found == [
        tranche("2025-01-31", "50.5"),
        tranche("2025-01-31", "100"),
        tranche("2025-06-30", "300.00", INDICATIVE),
    ]


def test_an_empty_schedule_is_valid() -> None:
    assert schedules.checked("schedule", [], "EUR", Decimal(1)) == []


def test_a_schedule_may_hold_120_tranches_and_not_121() -> None:
    many = [Given(DAY_ZERO, Decimal(1))] * 121

    assert len(schedules.checked("schedule", many[:120], "EUR", Decimal(120))) == 120
    assert rejection(many) == (
        ["input", "schedule"],
        "has 121 tranches; a schedule holds at most 120",
    )


@pytest.mark.parametrize("amount", ["0", "0.00", "-0", "-5", "NaN", "Infinity", "-Infinity"])
def test_an_amount_that_is_not_positive_and_finite_is_refused(amount: str) -> None:
    assert rejection(given_amounts("10", amount)) == (
        ["input", "schedule", "1", "amount"],
        f"is {amount}: a tranche's amount must be positive",
    )


@pytest.mark.parametrize(
    ("currency", "amount", "places", "digits"),
    [("EUR", "10.005", 3, 2), ("JPY", "1000.5", 1, 0), ("KWD", "1.0001", 4, 3)],
)
def test_an_amount_finer_than_the_currency_s_minor_units_is_refused(
    currency: str, amount: str, places: int, digits: int
) -> None:
    assert rejection(given_amounts("1", "2", amount), currency) == (
        ["input", "schedule", "2", "amount"],
        f"is {amount}, with {places} decimal places; {currency} amounts have at most {digits}",
    )


def test_trailing_zeros_are_not_decimal_places_that_count() -> None:
    found = schedules.checked("schedule", given_amounts("1000.000", "1E+2"), "JPY", Decimal(1100))

    assert [t.amount for t in found] == [Decimal("1000.000"), Decimal("1E+2")]
    assert schedules.checked("schedule", given_amounts("1.500"), "KWD", Decimal(2))


def test_a_fraction_of_a_cent_beyond_28_digits_is_still_seen() -> None:
    amount = "1." + "0" * 27 + "1"

    assert rejection(given_amounts(amount)) == (
        ["input", "schedule", "0", "amount"],
        f"is {amount}, with 28 decimal places; EUR amounts have at most 2",
    )


def test_an_amount_of_a_trillion_or_more_is_refused() -> None:
    assert rejection(given_amounts("1E+12"), ceiling="1E+20") == (
        ["input", "schedule", "0", "amount"],
        "is 1E+12: too large, amounts stop below one trillion",
    )
    assert schedules.checked("schedule", given_amounts("999999999999.99"), "EUR", Decimal("1E+12"))


def test_a_very_long_amount_is_shown_cut_short() -> None:
    path, message = rejection(given_amounts("1" * 500 + ".001"))

    assert path == ["input", "schedule", "0", "amount"]
    assert message == f"is {'1' * 39}…, with 3 decimal places; EUR amounts have at most 2"


def test_tranches_adding_up_to_more_than_the_pledge_are_refused_in_minor_units() -> None:
    assert rejection(given_amounts("600", "400.01"), ceiling="1000") == (
        ["input", "schedule"],
        "adds up to 1000.01 EUR, more than the 1000.00 EUR pledged",
    )
    assert rejection(given_amounts("600", "401"), "JPY", ceiling="1000") == (
        ["input", "schedule"],
        "adds up to 1001 JPY, more than the 1000 JPY pledged",
    )


def test_tranches_adding_up_to_exactly_the_pledge_are_accepted() -> None:
    found = schedules.checked("schedule", given_amounts("600", "400.00"), "EUR", Decimal(1000))

    assert sum(t.amount for t in found) == 1000


def test_the_first_fault_in_input_order_is_the_one_reported() -> None:
    path, _ = rejection(given_amounts("1", "1.001", "-1"))

    assert path == ["input", "schedule", "1", "amount"]


def test_the_path_given_is_the_path_reported() -> None:
    with pytest.raises(Rejected) as raised:
        schedules.checked("changes.schedule", given_amounts("0"), "EUR", Decimal(1))

    assert raised.value.errors[0].field == ["input", "changes", "schedule", "0", "amount"]


# Properties against plain oracles.


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


TRANCHES = st.lists(
    st.builds(
        Tranche,
        due_on=st.integers(0, 400).map(lambda n: DAY_ZERO + timedelta(days=n)),
        # Few distinct amounts, so that ties on the same day are common.
        amount=st.one_of(st.sampled_from([Decimal("0.50"), Decimal(1), Decimal(2)]), cents(1, 300)),
        firmness=st.sampled_from(Firmness),
    ),
    max_size=6,
)
DAYS = st.integers(-10, 420).map(lambda n: DAY_ZERO + timedelta(days=n))


def delivered_for(tranches: list[Tranche]) -> st.SearchStrategy[Decimal]:
    total = int(sum((t.amount for t in tranches), Decimal(0)) * 100)
    return cents(0, total + 150)


def cent_by_cent(tranches: list[Tranche], delivered: Decimal) -> list[tuple[Tranche, Decimal]]:
    """Each cent delivered goes to the earliest-due tranche that is not yet full (the smaller
    one on the same day); the tranches come back listed that way, with what each was given."""
    given = [Decimal(0)] * len(tranches)
    key = [(t.due_on, t.amount, t.firmness.value) for t in tranches]
    for _ in range(int(delivered / CENT)):
        open_ = [i for i, t in enumerate(tranches) if given[i] < t.amount]
        if not open_:
            break
        first = min(open_, key=lambda i: key[i])
        given[first] += CENT
    order = sorted(range(len(tranches)), key=lambda i: key[i])
    return [(tranches[i], given[i]) for i in order]


def plain_status(amount: Decimal, given: Decimal, due_on: date, today: date) -> TrancheStatus:
    if given == amount:
        return DELIVERED
    if due_on < today:
        return OVERDUE
    return PARTLY if given > 0 else PENDING


@PROPERTY
@given(data=st.data(), tranches=TRANCHES, today=DAYS)
@example(data=None, tranches=[JAN, MAR, JUN], today=date(2025, 4, 15))
def test_states_are_what_handing_out_cent_by_cent_gives(
    data: st.DataObject | None, tranches: list[Tranche], today: date
) -> None:
    delivered = Decimal(250) if data is None else data.draw(delivered_for(tranches))

    found = schedules.states(tranches, delivered, today)

    expected = cent_by_cent(tranches, delivered)
    assert [(s.tranche, s.delivered) for s in found] == expected
    assert [s.number for s in found] == list(range(1, len(tranches) + 1))
    assert [s.outstanding for s in found] == [t.amount - g for t, g in expected]
    assert [s.status for s in found] == [
        plain_status(t.amount, g, t.due_on, today) for t, g in expected
    ]


def by_prefix_sums(tranches: list[Tranche], delivered: Decimal) -> list[Fraction]:
    """What each tranche (in due order) is given: what was delivered beyond all the tranches
    due before it, at least nothing and at most its amount."""
    ordered = sorted(tranches, key=lambda t: (t.due_on, t.amount, t.firmness.value))
    shares, before = [], Fraction(0)
    for t in ordered:
        shares.append(min(max(Fraction(delivered) - before, Fraction(0)), Fraction(t.amount)))
        before += Fraction(t.amount)
    return shares


FINE_AMOUNTS = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("999999999999.9999"), places=4
)
FINE_TRANCHES = st.lists(
    st.builds(Tranche, due_on=DAYS, amount=FINE_AMOUNTS, firmness=st.sampled_from(Firmness)),
    max_size=12,
)


@PROPERTY
@given(
    tranches=FINE_TRANCHES,
    delivered=st.decimals(min_value=0, max_value=Decimal("1E+13"), places=6),
    today=DAYS,
)
def test_states_keep_their_invariants_exactly_for_any_amounts(
    tranches: list[Tranche], delivered: Decimal, today: date
) -> None:
    found = schedules.states(tranches, delivered, today)

    total = sum((t.amount for t in tranches), Decimal(0))
    assert sum((s.delivered for s in found), Decimal(0)) == min(delivered, total)
    assert [Fraction(s.delivered) for s in found] == by_prefix_sums(tranches, delivered)
    for s in found:
        assert 0 <= s.delivered <= s.tranche.amount
        assert s.outstanding == s.tranche.amount - s.delivered
    # Full tranches, then at most one part-filled, then empty ones.
    shapes = [
        "full" if s.outstanding == 0 else "empty" if s.delivered == 0 else "part" for s in found
    ]
    assert shapes == sorted(shapes, key=["full", "part", "empty"].index)
    assert shapes.count("part") <= 1


@PROPERTY
@given(tranches=TRANCHES, data=st.data(), today=DAYS, seed=st.integers(0, 1000))
def test_states_do_not_depend_on_the_order_tranches_are_given_in(
    tranches: list[Tranche], data: st.DataObject, today: date, seed: int
) -> None:
    delivered = data.draw(delivered_for(tranches))
    shuffled = list(tranches)
    random.Random(seed).shuffle(shuffled)

    assert schedules.states(shuffled, delivered, today) == schedules.states(
        tranches, delivered, today
    )


@PROPERTY
@given(data=st.data(), tranches=TRANCHES, today=DAYS)
def test_overdue_is_what_is_missing_from_everything_due_before_today(
    data: st.DataObject, tranches: list[Tranche], today: date
) -> None:
    delivered = data.draw(delivered_for(tranches))

    found = schedules.overdue(tranches, delivered, today)

    expected = sum(
        (t.amount - g for t, g in cent_by_cent(tranches, delivered) if t.due_on < today),
        Decimal(0),
    )
    assert found == expected
    outstanding = sum(
        (s.outstanding for s in schedules.states(tranches, delivered, today)), Decimal(0)
    )
    assert 0 <= found <= outstanding


@PROPERTY
@given(data=st.data(), tranches=TRANCHES, start=DAYS, end=DAYS)
def test_due_by_month_is_the_outstanding_of_each_day_in_range_added_up_by_month(
    data: st.DataObject, tranches: list[Tranche], start: date, end: date
) -> None:
    delivered = data.draw(delivered_for(tranches))

    found = schedules.due_by_month(tranches, delivered, start, end)

    expected: dict[tuple[int, int], Decimal] = {}
    filled = cent_by_cent(tranches, delivered)
    day = start
    while day <= end:
        for t, g in filled:
            if t.due_on == day and t.amount > g:
                month = (day.year, day.month)
                expected[month] = expected.get(month, Decimal(0)) + t.amount - g
        day += timedelta(days=1)
    assert {(m.year, m.month): v for m, v in found.items()} == expected
    assert all(month.day == 1 for month in found)
    assert list(found) == sorted(found)


@PROPERTY
@given(tranches=FINE_TRANCHES)
def test_a_schedule_reads_back_as_it_was_stored(tranches: list[Tranche]) -> None:
    kept = json.loads(json.dumps(schedules.stored(tranches)))

    read = schedules.parse(kept)

    assert read == sorted(tranches, key=lambda t: (t.due_on, t.amount, t.firmness.value))
    assert schedules.stored(read) == kept
    assert all("E" not in entry["amount"] for entry in kept)


@PROPERTY
@given(
    amounts=st.lists(cents(1, 100_000), max_size=20),
    days=st.lists(DAYS, min_size=20, max_size=20),
    spare=cents(0, 100),
)
def test_checked_keeps_every_valid_tranche_and_refuses_any_sum_over_the_pledge(
    amounts: list[Decimal], days: list[date], spare: Decimal
) -> None:
    given = [Given(day, amount) for day, amount in zip(days, amounts, strict=False)]
    total = sum(amounts, Decimal(0))

    found = schedules.checked("schedule", given, "EUR", total + spare)

    assert sorted(found, key=lambda t: (t.due_on, t.amount)) == found
    assert sorted(t.amount for t in found) == sorted(amounts)
    if amounts:
        path, message = rejection(given, ceiling=str(total - CENT))
        assert path == ["input", "schedule"]
        assert message.startswith(f"adds up to {total.quantize(CENT)} EUR, more than the")


@PROPERTY
@given(
    units=st.integers(1, 10**40),
    scale=st.integers(-6, 40),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "CLF"]),
)
def test_an_amount_is_refused_for_its_places_exactly_when_it_is_finer_than_minor_units(
    units: int, scale: int, currency: str
) -> None:
    amount = Decimal(f"{units}E{-scale}")  # exact: scaleb() would round to 28 digits
    digits = {"EUR": 2, "JPY": 0, "KWD": 3, "CLF": 4}[currency]
    places = next(p for p in range(60) if (Fraction(amount) * 10**p).denominator == 1)
    given = [Given(DAY_ZERO, amount)]
    text = str(amount)
    shown = text if len(text) <= 40 else text[:39] + "…"

    if places > digits:
        assert rejection(given, currency, ceiling="1E+50") == (
            ["input", "schedule", "0", "amount"],
            f"is {shown}, with {places} decimal places; {currency} amounts have at most {digits}",
        )
    elif amount >= 10**12:
        path, message = rejection(given, currency, ceiling="1E+50")
        assert path == ["input", "schedule", "0", "amount"]
        assert message.endswith(": too large, amounts stop below one trillion")
    else:
        assert schedules.checked("schedule", given, currency, amount) == [
            Tranche(DAY_ZERO, amount, FIRM)
        ]


# The GraphQL types, served by a schema of their own.


@strawberry.type
class Query:
    @strawberry.field
    def schedule(self, given: list[TrancheInput], delivered: str, today: str) -> list[TrancheType]:
        tranches = schedules.checked("schedule", given, "EUR", Decimal(10_000))
        return [
            TrancheType.of(state, "EUR")
            for state in schedules.states(tranches, Decimal(delivered), date.fromisoformat(today))
        ]


TYPES = strawberry.Schema(
    query=Query,
    scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]
    config=StrawberryConfig(auto_camel_case=True),
)
SCHEDULE = """
query($given: [TrancheInput!]!) {
  schedule(given: $given, delivered: "250", today: "2025-04-15") {
    number dueOn firmness status
    amount { amount currency } delivered { amount currency } outstanding { amount currency }
  }
}
"""


def test_a_tranche_reads_in_graphql_with_its_money_in_minor_units_and_firm_by_default() -> None:
    given = [
        {"dueOn": "2025-06-30", "amount": "300", "firmness": "INDICATIVE"},
        {"dueOn": "2025-01-31", "amount": "100"},
        {"dueOn": "2025-03-31", "amount": "200.0"},
    ]

    result = TYPES.execute_sync(SCHEDULE, variable_values={"given": given})

    assert result.errors is None
    assert result.data == {
        "schedule": [
            {
                "number": 1,
                "dueOn": "2025-01-31",
                "firmness": "FIRM",
                "status": "DELIVERED",
                "amount": {"amount": "100.00", "currency": "EUR"},
                "delivered": {"amount": "100.00", "currency": "EUR"},
                "outstanding": {"amount": "0.00", "currency": "EUR"},
            },
            {
                "number": 2,
                "dueOn": "2025-03-31",
                "firmness": "FIRM",
                "status": "OVERDUE",
                "amount": {"amount": "200.00", "currency": "EUR"},
                "delivered": {"amount": "150.00", "currency": "EUR"},
                "outstanding": {"amount": "50.00", "currency": "EUR"},
            },
            {
                "number": 3,
                "dueOn": "2025-06-30",
                "firmness": "INDICATIVE",
                "status": "PENDING",
                "amount": {"amount": "300.00", "currency": "EUR"},
                "delivered": {"amount": "0.00", "currency": "EUR"},
                "outstanding": {"amount": "300.00", "currency": "EUR"},
            },
        ]
    }


@pytest.mark.parametrize("amount", [100.5, "1e3", "lots"])
def test_a_tranche_input_amount_must_be_a_decimal_string(amount: Any) -> None:
    given = [{"dueOn": "2025-01-31", "amount": amount}]

    result = TYPES.execute_sync(SCHEDULE, variable_values={"given": given})

    assert result.errors is not None
    assert "Decimal must be a string of digits" in result.errors[0].message


def test_every_tranche_type_input_and_field_is_described() -> None:
    sdl = TYPES._schema
    for name in ("Tranche", "TrancheInput", "Firmness", "TrancheStatus"):
        described = sdl.get_type(name)
        assert described is not None and described.description, name
    for name in ("Tranche", "TrancheInput"):
        fields = sdl.get_type(name).fields  # type: ignore[union-attr]
        assert {key for key, field in fields.items() if not field.description} == set(), name
    assert set(sdl.get_type("Tranche").fields) == {  # type: ignore[union-attr]
        "number",
        "dueOn",
        "amount",
        "firmness",
        "delivered",
        "outstanding",
        "status",
    }
    firmness = sdl.get_type("TrancheInput").fields["firmness"]  # type: ignore[union-attr]
    assert firmness.default_value is FIRM or firmness.default_value == "FIRM"
