"""Delivery performance (Query.fulfilment): per contributor or per partner, what was pledged,
committed, delivered and is overdue, in euros, each contribution counted once as every total
counts it, ranked; restricted support is credited to no one the viewer may not see; a bad
`first` is refused by name; and the table costs the same few statements whatever the data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from resolvers import tokens
from resolvers.analysis import share
from resolvers.vocabulary import Role
from store.rates import ExchangeRate
from tests.conftest import Api
from tests.test_hostile import CREATE_PLAN, given_objective, unique

TODAY = datetime.now(UTC).date()
CENT = Decimal("0.01")
FUTURE = "2099-06-30"

FULFILMENT = """
query($filter: ContributionFilter, $groupBy: FulfilmentGrouping! = CONTRIBUTOR,
      $orderBy: FulfilmentOrder, $first: Int! = 50) {
  fulfilment(filter: $filter, groupBy: $groupBy, orderBy: $orderBy, first: $first) {
    rank
    participant { code }
    contributions
    pledged { amount currency }
    committed { amount currency }
    delivered { amount currency }
    overdue { amount currency }
    deliveredShare
    committedShare
  }
}
"""
REGISTER = """
mutation($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id version }
    userErrors { field message code }
  }
}
"""
DELIVER = """
mutation($input: RecordDeliveryInput!) {
  recordDelivery(input: $input) { contribution { version } userErrors { field message } }
}
"""
WITHDRAW = """
mutation($input: WithdrawContributionInput!) {
  withdrawContribution(input: $input) { contribution { version } userErrors { field message } }
}
"""
ALLOCATE = """
mutation($input: AllocateContributionInput!) {
  allocateContribution(input: $input) { contribution { id } userErrors { field message } }
}
"""

# Who registers for whom: a token of PEOPLE, and the contributor it speaks for (the secretariat
# reports on a contributor's behalf).
GIVERS = {
    "DE": ("ally", None),
    "FR": ("other_ally", None),
    "US": ("secretariat", "US"),
    "NO": ("secretariat", "NO"),
    "JP": ("secretariat", "JP"),
    "CA": ("secretariat", "CA"),
}


@dataclass
class Gift:
    """One contribution as the test writes it, and everything the brute force needs."""

    giver: str
    partner: str
    objective: str
    amount: str
    currency: str = "EUR"
    committed: str | None = None
    deliveries: list[str] = field(default_factory=list)
    withdrawn: bool = False
    schedule: list[tuple[str, str]] = field(default_factory=list)
    valued_on: str = "2024-03-01"
    restricted: bool = False
    id: str = ""


async def _payload(api: Api, document: str, values: dict[str, Any], who: str) -> Any:
    data = await api.data(document, {"input": values}, as_=who)
    payload = next(iter(data.values()))
    assert payload["userErrors"] == [], payload
    return payload


async def given_plan_of(api: Api, partner: str) -> str:
    """A fresh IPAP in force for `partner`."""
    values = {
        "partner": partner,
        "kind": "IPAP",
        "title": "Fulfilment plan",
        "code": unique(f"{partner}-F"),
        "status": "ACTIVE",
        "agreedOn": "2024-01-15",
    }
    return str((await _payload(api, CREATE_PLAN, values, "secretariat"))["plan"]["id"])


async def give(api: Api, gift: Gift) -> Gift:
    """Registers the gift, delivers what it says, withdraws it if it says so."""
    who, on_behalf_of = GIVERS[gift.giver]
    values: dict[str, Any] = {
        "objectiveId": gift.objective,
        "kind": "FUNDING",
        "amount": {"amount": gift.amount, "currency": gift.currency},
        "startsOn": "2024-03-01",
        "valuedOn": gift.valued_on,
        "pledgedOn": "2024-02-01",
        "visibility": "RESTRICTED" if gift.restricted else "PUBLIC",
        "schedule": [{"dueOn": due, "amount": amount} for due, amount in gift.schedule],
    }
    if on_behalf_of is not None:
        values["onBehalfOf"] = on_behalf_of
    if gift.committed is not None:
        values["committed"] = {"amount": gift.committed, "currency": gift.currency}
        values["committedOn"] = "2024-02-15"
    made = (await _payload(api, REGISTER, values, who))["contribution"]
    gift.id, version = made["id"], made["version"]
    for amount in gift.deliveries:
        delivery = {
            "id": gift.id,
            "expectedVersion": version,
            "amount": {"amount": amount, "currency": gift.currency},
            "deliveredOn": "2024-05-02",
        }
        version = (await _payload(api, DELIVER, delivery, who))["contribution"]["version"]
    if gift.withdrawn:
        await _payload(api, WITHDRAW, {"id": gift.id, "expectedVersion": version}, who)
    return gift


async def table(
    api: Api, plans: list[str], who: str = "secretariat", **arguments: Any
) -> list[dict[str, Any]]:
    variables = {"filter": {"plans": plans}, **arguments}
    rows: list[dict[str, Any]] = (await api.data(FULFILMENT, variables, as_=who))["fulfilment"]
    return rows


def by_code(rows: list[dict[str, Any]]) -> dict[str | None, dict[str, Any]]:
    return {None if row["participant"] is None else row["participant"]["code"]: row for row in rows}


# --- The brute force ------------------------------------------------------------------------


async def stored_rates(api: Api) -> dict[str, list[tuple[date, Decimal]]]:
    async with api.database.writes() as session:
        rows = list(await session.scalars(select(ExchangeRate)))
    found: dict[str, list[tuple[date, Decimal]]] = {}
    for row in rows:
        found.setdefault(row.currency, []).append((row.valid_from, row.rate))
    return {currency: sorted(rates) for currency, rates in found.items()}


def in_euros(amount: Decimal, currency: str, day: date, rates: Any) -> Decimal:
    """The amount on `day`'s rate (the latest from before it, or the first for a day before
    them all), to the cent, half to even."""
    if currency == "EUR":
        return amount.quantize(CENT, ROUND_HALF_EVEN)
    known = rates[currency]
    rate = ([r for since, r in known if since <= day] or [known[0][1]])[-1]
    with localcontext(prec=80):
        return (amount * rate).quantize(CENT, ROUND_HALF_EVEN)


def late(gift: Gift) -> Decimal:
    """Outstanding tranches due before today, deliveries filling the first due first."""
    if gift.withdrawn:
        return Decimal(0)
    left = sum((Decimal(amount) for amount in gift.deliveries), Decimal(0))
    missing = Decimal(0)
    for due, amount in sorted((date.fromisoformat(d), Decimal(a)) for d, a in gift.schedule):
        filled = min(amount, left)
        left -= filled
        if due < TODAY:
            missing += amount - filled
    return missing


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    with localcontext(prec=80):
        return (part / whole).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


def expected(
    gifts: list[Gift], rates: Any, grouping: str, sees: Any
) -> dict[str | None, dict[str, Any]]:
    """Each group's figures, worked out contribution by contribution."""
    groups: dict[str | None, dict[str, Any]] = {}
    for gift in gifts:
        delivered = sum((Decimal(amount) for amount in gift.deliveries), Decimal(0))
        if gift.withdrawn and not delivered:
            continue
        day = date.fromisoformat(gift.valued_on)
        if gift.withdrawn:
            stages = (delivered, delivered, delivered)
        else:
            stages = (Decimal(gift.amount), Decimal(gift.committed or 0), delivered)
        values = [in_euros(stage, gift.currency, day, rates) for stage in stages]
        overdue = in_euros(late(gift), gift.currency, day, rates)
        if grouping == "PARTNER":
            key: str | None = gift.partner
        else:
            key = gift.giver if sees(gift) else None
        found = groups.setdefault(key, {"contributions": 0, "figures": [Decimal(0)] * 4})
        found["contributions"] += 1
        found["figures"] = [
            a + b for a, b in zip(found["figures"], [*values, overdue], strict=True)
        ]
    for found in groups.values():
        pledged, committed, delivered, _ = found["figures"]
        found["shares"] = (ratio(delivered, committed), ratio(committed, pledged))
    return groups


def figures(row: dict[str, Any]) -> dict[str, Any]:
    money = [
        Decimal(row[name]["amount"]) for name in ("pledged", "committed", "delivered", "overdue")
    ]
    assert {row[name]["currency"] for name in ("pledged", "committed", "delivered", "overdue")} == {
        "EUR"
    }
    shares = tuple(
        None if row[name] is None else Decimal(row[name])
        for name in ("deliveredShare", "committedShare")
    )
    return {"contributions": row["contributions"], "figures": money, "shares": shares}


# --- A varied world ----------------------------------------------------------------------------


def varied_gifts(seed: int, objectives: dict[str, list[str]], count: int) -> list[Gift]:
    """`count` contributions from every giver, in four currencies, at every stage, some with
    schedules due in the past and the future, some withdrawn, some restricted."""
    rng = random.Random(seed)
    gifts = []
    for index in range(count):
        currency = rng.choice(["EUR", "USD", "NOK", "JPY"])
        places = 0 if currency == "JPY" else 2
        unit = Decimal(1).scaleb(-places)
        pledged = Decimal(rng.randint(10_000, 5_000_000)) * unit
        committed = rng.choice([None, pledged, (pledged * rng.randint(1, 99) / 100).quantize(unit)])
        deliveries: list[str] = []
        if committed is not None:
            left = committed
            for _ in range(rng.randint(0, 2)):
                part = (left * rng.randint(1, 100) / 100).quantize(unit, "ROUND_DOWN")
                if part > 0:
                    deliveries.append(str(part))
                    left -= part
        schedule = []
        room = pledged
        for _ in range(rng.randint(0, 3)):
            part = (room * rng.randint(1, 60) / 100).quantize(unit, "ROUND_DOWN")
            if part <= 0:
                break
            room -= part
            due = rng.choice(["2024-04-30", "2024-06-30", "2025-01-31", FUTURE])
            schedule.append((due, str(part)))
        partner = rng.choice(list(objectives))
        gifts.append(
            Gift(
                giver=list(GIVERS)[index % len(GIVERS)],
                partner=partner,
                objective=rng.choice(objectives[partner]),
                amount=str(pledged),
                currency=currency,
                committed=None if committed is None else str(committed),
                deliveries=deliveries,
                withdrawn=rng.random() < 0.2,
                schedule=schedule,
                valued_on=rng.choice(["2023-06-01", "2024-03-01", "2025-02-01"]),
                restricted=rng.random() < 0.3,
            )
        )
    return gifts


@dataclass
class World:
    plans: list[str]
    gifts: list[Gift]


async def varied_world(api: Api, seed: int, count: int) -> World:
    plans = {partner: await given_plan_of(api, partner) for partner in ("GE", "MD")}
    objectives = {
        partner: [await given_objective(api, plan) for _ in range(2)]
        for partner, plan in plans.items()
    }
    gifts = [await give(api, gift) for gift in varied_gifts(seed, objectives, count)]
    return World(list(plans.values()), gifts)


@pytest.fixture(scope="module")
async def world(writable_api: Api) -> World:
    return await varied_world(writable_api, 14, 24)


def _sees(viewer: str) -> Any:
    """Who sees a gift's detail, as the brute force takes it: the secretariat everything, an
    ally (FR) what is public or its own (it receives nothing here)."""
    if viewer == "secretariat":
        return lambda gift: True
    return lambda gift: not gift.restricted or gift.giver == "FR"


@pytest.mark.parametrize("viewer", ["secretariat", "other_ally"])
@pytest.mark.parametrize("grouping", ["CONTRIBUTOR", "PARTNER"])
async def test_every_groups_figures_add_up_exactly_to_its_contributions(
    writable_api: Api, world: World, grouping: str, viewer: str
) -> None:
    # Given contributions at every stage, in four currencies, some withdrawn, some restricted
    rates = await stored_rates(writable_api)
    assert any(gift.withdrawn and not gift.deliveries for gift in world.gifts)
    assert any(gift.withdrawn and gift.deliveries for gift in world.gifts)
    assert any(gift.restricted and gift.giver != "FR" for gift in world.gifts)

    # When the table is asked for, by contributor or by partner
    rows = await table(writable_api, world.plans, viewer, groupBy=grouping)

    # Then each group holds exactly what a contribution-by-contribution count gives it
    want = expected(world.gifts, rates, grouping, _sees(viewer))
    assert {key: figures(row) for key, row in by_code(rows).items()} == want
    assert sorted(row["rank"] for row in rows) == list(range(1, len(rows) + 1))
    if grouping == "PARTNER":
        assert set(by_code(rows)) == {"GE", "MD"}


async def test_the_stranger_and_the_secretariat_count_the_same_money(
    writable_api: Api, world: World
) -> None:
    # Restricted support moves between rows for a stranger, but no euro appears or disappears
    def totals(rows: list[dict[str, Any]]) -> list[Decimal]:
        return [
            sum((Decimal(row[name]["amount"]) for row in rows), Decimal(0))
            for name in ("pledged", "committed", "delivered", "overdue")
        ]

    seen = await table(writable_api, world.plans, "secretariat")
    stranger = await table(writable_api, world.plans, "other_ally")
    by_partner = await table(writable_api, world.plans, "other_ally", groupBy="PARTNER")
    assert totals(seen) == totals(stranger) == totals(by_partner)
    assert None in by_code(stranger) and None not in by_code(seen)


async def test_overdue_counts_only_the_undelivered_part_of_tranches_already_due(
    writable_api: Api,
) -> None:
    plan = await given_plan_of(writable_api, "GE")
    objective = await given_objective(writable_api, plan)
    rates = await stored_rates(writable_api)
    # Given a schedule of 200 and 300 due in 2024 and 400 due later, with 300 delivered: the
    # first tranche is filled, 100 of the second
    await give(
        writable_api,
        Gift("US", "GE", objective, "1000.00", committed="1000.00", deliveries=["300.00"],
             schedule=[("2024-04-30", "200.00"), ("2024-06-30", "300.00"), (FUTURE, "400.00")]),
    )  # fmt: skip
    # And 4,000 crowns due in 2024, nothing delivered
    await give(
        writable_api,
        Gift("NO", "GE", objective, "10000.00", "NOK", committed="10000.00",
             schedule=[("2024-05-31", "4000.00"), (FUTURE, "6000.00")]),
    )  # fmt: skip
    # And a withdrawn contribution that delivered 100 of a tranche long due, and one withdrawn
    # before delivering anything
    await give(
        writable_api,
        Gift("CA", "GE", objective, "500.00", committed="500.00", deliveries=["100.00"],
             withdrawn=True, schedule=[("2024-04-30", "500.00")]),
    )  # fmt: skip
    await give(
        writable_api,
        Gift("CA", "GE", objective, "700.00", committed="700.00", withdrawn=True,
             schedule=[("2024-04-30", "700.00")]),
    )  # fmt: skip

    rows = by_code(
        await table(writable_api, [plan], orderBy={"field": "OVERDUE", "direction": "DESC"})
    )

    # Then only the second tranche's missing 200 is overdue for the first
    assert rows["US"]["overdue"] == {"amount": "200.00", "currency": "EUR"}
    # The crowns' overdue is valued with the contribution's own rate, as its other figures
    crowns = in_euros(Decimal("4000.00"), "NOK", date(2024, 3, 1), rates)
    assert Decimal(rows["NO"]["overdue"]["amount"]) == crowns
    assert rows["NO"]["pledged"]["amount"] == str(
        in_euros(Decimal("10000.00"), "NOK", date(2024, 3, 1), rates)
    )
    # A withdrawn contribution owes nothing more; one that delivered nothing is not counted
    assert rows["CA"]["overdue"]["amount"] == "0.00"
    assert rows["CA"]["contributions"] == 1
    assert rows["CA"]["pledged"]["amount"] == rows["CA"]["delivered"]["amount"] == "100.00"
    # Ranked by what is overdue, most first (the crowns are worth more than 200 euros)
    assert crowns > Decimal("200.00")
    assert [(row["rank"], code) for code, row in rows.items()] == [(1, "NO"), (2, "US"), (3, "CA")]


async def test_a_restricted_contribution_is_credited_to_its_contributor_only_where_seen(
    writable_api: Api,
) -> None:
    plan = await given_plan_of(writable_api, "GE")
    objective = await given_objective(writable_api, plan)
    # Given Germany's restricted support, half delivered, and France's public support, all of it
    await give(
        writable_api,
        Gift("DE", "GE", objective, "1000.00", committed="600.00", deliveries=["300.00"],
             restricted=True),
    )  # fmt: skip
    await give(
        writable_api,
        Gift("FR", "GE", objective, "500.00", committed="500.00", deliveries=["500.00"]),
    )

    # When a stranger, the contributor, the recipient and the secretariat ask
    answers = {
        who: await table(writable_api, [plan], who)
        for who in ("other_partner", "institution", "ally", "partner", "secretariat")
    }

    # Then strangers get the German support in a row that names no one, worst first
    for who in ("other_partner", "institution"):
        assert [(row["rank"], row["participant"]) for row in answers[who]] == [
            (1, None),
            (2, {"code": "FR"}),
        ]
        hidden = answers[who][0]
        assert (hidden["contributions"], hidden["pledged"]["amount"]) == (1, "1000.00")
        assert (hidden["deliveredShare"], hidden["committedShare"]) == ("0.5000", "0.6000")
    # And those entitled to its detail see Germany named, with the same figures
    for who in ("ally", "partner", "secretariat"):
        rows = answers[who]
        assert [(row["rank"], row["participant"]) for row in rows] == [
            (1, {"code": "DE"}),
            (2, {"code": "FR"}),
        ]
        named = dict(rows[0], participant=None)
        assert named == answers["other_partner"][0]
    # A filter on who gave finds it only for those who may see who gave it
    german = {"plans": [plan], "contributors": ["DE"]}
    for who, count in (("other_partner", 0), ("partner", 1)):
        found = (await writable_api.data(FULFILMENT, {"filter": german}, as_=who))["fulfilment"]
        assert len(found) == count


@pytest.fixture(scope="module")
async def ranked_plan(writable_api: Api) -> str:
    """Five contributors: US and NO tie on a quarter delivered, CA committed nothing, DE
    delivered everything, FR's restricted support also stands at a quarter."""
    plan = await given_plan_of(writable_api, "GE")
    objective = await given_objective(writable_api, plan)
    for gift in (
        Gift("US", "GE", objective, "1000.00", committed="1000.00", deliveries=["250.00"]),
        Gift("NO", "GE", objective, "1000.00", committed="800.00", deliveries=["200.00"]),
        Gift("CA", "GE", objective, "500.00"),
        Gift("DE", "GE", objective, "2000.00", committed="2000.00", deliveries=["2000.00"]),
        Gift("FR", "GE", objective, "400.00", committed="400.00", deliveries=["100.00"],
             restricted=True),
    ):  # fmt: skip
        await give(writable_api, gift)
    return plan


def order(rows: list[dict[str, Any]]) -> list[tuple[int, str | None]]:
    return [
        (row["rank"], None if row["participant"] is None else row["participant"]["code"])
        for row in rows
    ]


@pytest.mark.parametrize(
    ("order_by", "ranks"),
    [
        # By default the worst share delivered first; ties by code, the withheld row last among
        # them; a group with nothing committed has no share and comes last
        (None, ["NO", "US", None, "DE", "CA"]),
        ({"field": "DELIVERED_SHARE"}, ["NO", "US", None, "DE", "CA"]),
        ({"field": "DELIVERED_SHARE", "direction": "DESC"}, ["DE", "NO", "US", None, "CA"]),
        ({"field": "COMMITTED_SHARE"}, ["CA", "NO", "DE", "US", None]),
        ({"field": "PLEDGED", "direction": "DESC"}, ["DE", "NO", "US", "CA", None]),
        ({"field": "COMMITTED", "direction": "ASC"}, ["CA", None, "NO", "US", "DE"]),
        ({"field": "DELIVERED", "direction": "DESC"}, ["DE", "US", "NO", None, "CA"]),
        ({"field": "OVERDUE"}, ["CA", "DE", "NO", "US", None]),
    ],
)
async def test_the_rows_are_ranked_in_the_order_asked_for(
    writable_api: Api, ranked_plan: str, order_by: dict[str, str] | None, ranks: list[str | None]
) -> None:
    rows = await table(writable_api, [ranked_plan], "other_partner", orderBy=order_by)

    assert order(rows) == list(enumerate(ranks, start=1))


async def test_first_keeps_the_top_ranks(writable_api: Api, ranked_plan: str) -> None:
    rows = await table(writable_api, [ranked_plan], "other_partner", first=2)
    assert order(rows) == [(1, "NO"), (2, "US")]
    shares = {row["participant"]["code"]: row["deliveredShare"] for row in rows}
    assert shares == {"NO": "0.2500", "US": "0.2500"}


@pytest.mark.parametrize("first", [0, -1, 101, 2**31 - 1])
async def test_a_first_out_of_range_is_refused_by_name(writable_api: Api, first: int) -> None:
    body = await writable_api.query(FULFILMENT, {"first": first})

    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == f"Argument `first` must be between 1 and 100, got {first}"
    assert error["extensions"]["argument"] == "first"
    assert error["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_a_filter_naming_no_participant_is_refused_by_name(writable_api: Api) -> None:
    body = await writable_api.query(FULFILMENT, {"filter": {"contributors": ["ZZ"]}})

    (error,) = body["errors"]
    assert error["extensions"]["argument"] == "filter.contributors"
    assert "ZZ" in error["message"]


async def test_pooled_money_counts_once_in_each_row_where_it_is_given(writable_api: Api) -> None:
    writable_api.tokens.setdefault(
        "manager", await tokens.issue(writable_api.database.writes, "NSPA", Role.INSTITUTION, None)
    )
    plan = await given_plan_of(writable_api, "GE")
    objective = await given_objective(writable_api, plan)
    # Given Germany's 1,000 into a fund, earmarked to the plan, of which the fund allocates 800
    gift = {
        "kind": "FUNDING",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "startsOn": "2025-01-01",
        "fund": "DCBTF",
        "planId": plan,
    }
    given_ = (await _payload(writable_api, REGISTER, gift, "ally"))["contribution"]
    allocation = {
        "objectiveId": objective,
        "draws": [{"contributionId": given_["id"], "amount": "800.00"}],
        "startsOn": "2025-02-01",
        "status": "COMMITTED",
    }
    await _payload(writable_api, ALLOCATE, allocation, "manager")

    # Then the gift is Germany's and the allocation the fund's, each once
    rows = by_code(await table(writable_api, [plan]))
    assert {code: row["pledged"]["amount"] for code, row in rows.items()} == {
        "DE": "1000.00",
        "DCBTF": "800.00",
    }
    assert rows["DCBTF"]["committed"]["amount"] == "800.00"
    # By recipient: the fund received the gift, Georgia the allocation
    partners = by_code(await table(writable_api, [plan], groupBy="PARTNER"))
    assert {code: row["pledged"]["amount"] for code, row in partners.items()} == {
        "DCBTF": "1000.00",
        "GE": "800.00",
    }


# --- Statements --------------------------------------------------------------------------------

# The token, the contributions, their rates, the participants named.
STATEMENTS = 4


async def test_the_table_costs_the_same_statements_whatever_the_data(
    writable_api: Api, world: World, ranked_plan: str
) -> None:
    small = await given_plan_of(writable_api, "GE")
    await give(
        writable_api,
        Gift("US", "GE", await given_objective(writable_api, small), "10.00", "USD"),
    )
    counts = []
    for plans, grouping in (
        ([small], "CONTRIBUTOR"),
        ([ranked_plan], "CONTRIBUTOR"),
        (world.plans, "CONTRIBUTOR"),
        ([*world.plans, ranked_plan], "PARTNER"),
    ):
        writable_api.sql.clear()
        rows = await table(writable_api, plans, "other_ally", groupBy=grouping)
        assert rows
        counts.append(len(writable_api.sql))
    assert counts == [STATEMENTS] * len(counts), writable_api.sql.statements


# --- The share, exactly -------------------------------------------------------------------------


@given(
    st.integers(min_value=0, max_value=10**15),
    st.integers(min_value=1, max_value=10**15),
)
def test_a_share_is_the_exact_quotient_rounded_half_to_even(part: int, whole: int) -> None:
    found = share(Decimal(part).scaleb(-2), Decimal(whole).scaleb(-2))

    exact = Fraction(part, whole) * 10_000
    below = exact.numerator // exact.denominator
    rest = exact - below
    nearest = below + (1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and below % 2) else 0)
    assert found == Decimal(nearest) / 10_000
    assert found is not None and found.as_tuple().exponent == -4


def test_a_share_of_nothing_is_none() -> None:
    assert share(Decimal("5.00"), Decimal("0.00")) is None
