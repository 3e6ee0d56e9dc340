"""Overlaps, coverage and gaps over the API: they follow every write at once, count restricted
support without naming it, and stay cheap to read."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from api import cli
from store.tallies import OverlapSpan
from tests.conftest import Api, StatementLog

PLAN = """
mutation Plan($code: String!) {
  createPlan(input: { partner: "RS", kind: ITPP, code: $code, title: $code, status: ACTIVE,
                      agreedOn: "2024-01-01" }) {
    plan { id }
    userErrors { message }
  }
}
"""

OBJECTIVE = """
mutation Objective($plan: ID!, $code: String!, $requirement: MoneyInput) {
  addObjective(input: { planId: $plan, code: $code, category: CIVIL_PREPAREDNESS,
                        title: "Flood response", priority: CRITICAL, requirement: $requirement }) {
    objective { id version }
    userErrors { message }
  }
}
"""

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id version }
    userErrors { message }
  }
}
"""

WITHDRAW = """
mutation Withdraw($id: ID!, $version: Int!) {
  withdrawContribution(input: { id: $id, expectedVersion: $version }) { userErrors { message } }
}
"""

OVERLAPS = """
query Overlaps($plan: ID!, $activeOn: Date) {
  aidOverlaps(filter: { plans: [$plan] }, activeOn: $activeOn) {
    totalCount
    nodes {
      objective { code }
      contributorCount
      hiddenContributorCount
      contributors { code }
      contributions { amount { amount currency } contributor { code } redaction }
      total { amount currency rates { currency validFrom rate } }
      requirement { amount currency }
      excess { amount }
      score
      reasons
    }
  }
}
"""

COVERAGE = """
query Coverage($plan: ID!) {
  coverage(filter: { plans: [$plan] }) {
    total { objectives requirement { amount } pledged { amount } committed { amount }
            disbursed { amount } ratio }
    byCategory { category objectives committed { amount } }
  }
}
"""

GAPS = """
query Gaps($plan: ID!, $threshold: Decimal) {
  aidGaps(filter: { plans: [$plan] }, threshold: $threshold) {
    totalCount
    nodes { objective { code } requirement { amount } committed { amount } lacking { amount } }
  }
}
"""


async def _plan(api: Api) -> str:
    code = f"RS-T-{uuid.uuid4().hex[:8]}"
    data = await api.data(PLAN, {"code": code})
    assert data["createPlan"]["userErrors"] == []
    return str(data["createPlan"]["plan"]["id"])


async def _objective(api: Api, plan: str, requirement: str | None = None) -> str:
    money = None if requirement is None else {"amount": requirement, "currency": "EUR"}
    code = f"CP-{uuid.uuid4().hex[:6]}"
    data = await api.data(OBJECTIVE, {"plan": plan, "code": code, "requirement": money})
    assert data["addObjective"]["userErrors"] == []
    return str(data["addObjective"]["objective"]["id"])


async def _give(
    api: Api,
    who: str,
    objective: str,
    amount: str,
    starts: str = "2025-01-01",
    ends: str | None = "2025-12-31",
    **more: Any,
) -> dict[str, Any]:
    entry = {
        "objectiveId": objective,
        "kind": more.pop("kind", "TRAINING"),
        "amount": {"amount": amount, "currency": more.pop("currency", "EUR")},
        "startsOn": starts,
        "endsOn": ends,
        **more,
    }
    data = await api.data(REGISTER, {"input": entry}, as_=who)
    assert data["registerContribution"]["userErrors"] == [], data
    contribution: dict[str, Any] = data["registerContribution"]["contribution"]
    return contribution


async def test_an_overlap_appears_with_a_second_donor_and_goes_when_one_withdraws(
    writable_api: Api,
) -> None:
    # Given an objective with support from one ally
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan, requirement="100000.00")
    await _give(writable_api, "ally", objective, "60000.00")
    alone = await writable_api.data(OVERLAPS, {"plan": plan})

    # When a second ally supports it over an overlapping period
    second = await _give(writable_api, "other_ally", objective, "50000.00", starts="2025-06-01")
    both = await writable_api.data(OVERLAPS, {"plan": plan})

    # And then withdraws
    await writable_api.data(WITHDRAW, {"id": second["id"], "version": 1}, as_="other_ally")
    withdrawn = await writable_api.data(OVERLAPS, {"plan": plan})

    # Then the overlap is there only while both give
    assert alone["aidOverlaps"]["totalCount"] == 0
    assert withdrawn["aidOverlaps"]["totalCount"] == 0
    (overlap,) = both["aidOverlaps"]["nodes"]
    assert overlap["contributorCount"] == 2
    assert {c["code"] for c in overlap["contributors"]} == {"DE", "FR"}
    assert overlap["total"] == {"amount": "110000.00", "currency": "EUR", "rates": []}
    assert overlap["requirement"] == {"amount": "100000.00", "currency": "EUR"}
    assert overlap["excess"] == {"amount": "10000.00"}
    assert overlap["reasons"] == [
        "SAME_OBJECTIVE",
        "OVERLAPPING_PERIOD",
        "SAME_KIND",
        "EXCEEDS_REQUIREMENT",
    ]
    assert Decimal(overlap["score"]) == Decimal("1.6")


@pytest.mark.parametrize(
    ("second", "overlaps"),
    [
        ({"starts": "2026-01-01", "ends": "2026-06-30"}, False),  # the day after the first ends
        ({"starts": "2025-12-31", "ends": "2026-06-30"}, True),  # the day the first ends
        ({"starts": "2020-01-01", "ends": None}, True),  # open-ended, from before
    ],
)
async def test_only_overlapping_periods_make_an_overlap(
    writable_api: Api, second: dict[str, Any], overlaps: bool
) -> None:
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan)
    await _give(writable_api, "ally", objective, "1000.00")

    await _give(writable_api, "institution", objective, "1000.00", **second)

    found = await writable_api.data(OVERLAPS, {"plan": plan})
    assert found["aidOverlaps"]["totalCount"] == int(overlaps)


async def test_one_donor_twice_is_no_overlap(writable_api: Api) -> None:
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan)

    await _give(writable_api, "ally", objective, "1000.00")
    await _give(writable_api, "ally", objective, "2000.00", kind="EQUIPMENT")

    assert (await writable_api.data(OVERLAPS, {"plan": plan}))["aidOverlaps"]["totalCount"] == 0


async def test_a_period_filter_keeps_only_support_running_then(writable_api: Api) -> None:
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan)
    await _give(writable_api, "ally", objective, "1000.00", starts="2025-01-01", ends="2025-03-31")
    await _give(writable_api, "other_ally", objective, "1000.00", "2025-03-01", "2025-09-30")

    during = await writable_api.data(OVERLAPS, {"plan": plan, "activeOn": "2025-03-15"})
    after = await writable_api.data(OVERLAPS, {"plan": plan, "activeOn": "2025-06-01"})

    assert during["aidOverlaps"]["totalCount"] == 1
    assert after["aidOverlaps"]["totalCount"] == 0


async def test_restricted_support_counts_but_is_not_named(writable_api: Api) -> None:
    # Given Germany's restricted support and France's public support, overlapping
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan)
    await _give(writable_api, "ally", objective, "7777.77", visibility="RESTRICTED")
    await _give(writable_api, "other_ally", objective, "1000.00")

    # When an institution looks, and when Germany looks
    outsider = await writable_api.data(OVERLAPS, {"plan": plan}, as_="institution")
    germany = await writable_api.data(OVERLAPS, {"plan": plan}, as_="ally")

    # Then both see two contributors and the same total; only Germany sees who and how much
    (seen,) = outsider["aidOverlaps"]["nodes"]
    assert (seen["contributorCount"], seen["hiddenContributorCount"]) == (2, 1)
    assert [c["code"] for c in seen["contributors"]] == ["FR"]
    assert seen["total"]["amount"] == "8777.77"
    text = json.dumps(seen["contributions"])
    assert '"DE"' not in text and "7777.77" not in text and "Germany" not in text
    (full,) = germany["aidOverlaps"]["nodes"]
    assert full["hiddenContributorCount"] == 0
    assert {c["code"] for c in full["contributors"]} == {"DE", "FR"}
    assert full["total"] == seen["total"]


async def test_totals_are_in_euros_with_the_rates_used(writable_api: Api) -> None:
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan)
    await _give(writable_api, "ally", objective, "1000.00", currency="USD", valuedOn="2025-02-01")
    await _give(writable_api, "other_ally", objective, "500.00")

    (overlap,) = (await writable_api.data(OVERLAPS, {"plan": plan}))["aidOverlaps"]["nodes"]

    (rate,) = overlap["total"]["rates"]
    assert rate["currency"] == "USD" and rate["validFrom"] <= "2025-02-01"
    dollars = (Decimal("1000.00") * Decimal(rate["rate"])).quantize(Decimal("0.01"))
    assert Decimal(overlap["total"]["amount"]) == dollars + Decimal("500.00")


async def test_coverage_adds_up_by_status_and_category(writable_api: Api) -> None:
    # Given an objective needing 10,000 with support at each stage
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan, requirement="10000.00")
    await _give(writable_api, "ally", objective, "1000.00")
    await _give(writable_api, "ally", objective, "2000.00", status="COMMITTED")
    await _give(writable_api, "ally", objective, "3000.00", kind="FUNDING", status="DISBURSED")
    withdrawn = await _give(writable_api, "ally", objective, "4000.00")
    await writable_api.data(WITHDRAW, {"id": withdrawn["id"], "version": 1}, as_="ally")

    coverage = (await writable_api.data(COVERAGE, {"plan": plan}))["coverage"]

    assert coverage["total"] == {
        "objectives": 1,
        "requirement": {"amount": "10000.00"},
        "pledged": {"amount": "6000.00"},
        "committed": {"amount": "5000.00"},
        "disbursed": {"amount": "3000.00"},
        "ratio": "0.5000",
    }
    assert coverage["byCategory"] == [
        {"category": "CIVIL_PREPAREDNESS", "objectives": 1, "committed": {"amount": "5000.00"}}
    ]


async def test_a_gap_closes_when_support_is_committed(writable_api: Api) -> None:
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan, requirement="10000.00")
    empty = await writable_api.data(GAPS, {"plan": plan})
    await _give(writable_api, "ally", objective, "1000.00")  # a pledge is not a commitment
    pledged = await writable_api.data(GAPS, {"plan": plan})

    await _give(writable_api, "ally", objective, "3000.00", status="COMMITTED")
    committed = await writable_api.data(GAPS, {"plan": plan})
    under_half = await writable_api.data(GAPS, {"plan": plan, "threshold": "0.5"})

    lacking = [n["lacking"] for n in empty["aidGaps"]["nodes"]]
    assert lacking == [{"amount": "10000.00"}]
    assert pledged["aidGaps"]["totalCount"] == 1
    assert committed["aidGaps"]["totalCount"] == 0
    (gap,) = under_half["aidGaps"]["nodes"]
    assert gap["committed"] == {"amount": "3000.00"}
    assert gap["lacking"] == {"amount": "2000.00"}


async def test_support_follows_an_objective_carried_over_to_an_itpp(writable_api: Api) -> None:
    plan = await writable_api.data('{ plan(code: "RS-IPAP-2015") { id } }')
    old_plan = plan["plan"]["id"]
    objective = await _objective(writable_api, old_plan, requirement="500.00")
    await _give(writable_api, "ally", objective, "400.00")
    await _give(writable_api, "other_ally", objective, "300.00")

    moved = await writable_api.data(
        """mutation($plan: ID!) { transitionPlan(input: { planId: $plan, code: "RS-ITPP-T",
           agreedOn: "2025-01-01" }) { plan { id } userErrors { message } } }""",
        {"plan": old_plan},
    )
    new_plan = moved["transitionPlan"]["plan"]["id"]

    on_new = await writable_api.data(OVERLAPS, {"plan": new_plan})
    on_old = await writable_api.data(OVERLAPS, {"plan": old_plan})
    assert [n["total"]["amount"] for n in on_new["aidOverlaps"]["nodes"]] == ["700.00"]
    assert on_old["aidOverlaps"]["totalCount"] == 0, "a line counts once, under its current plan"


async def test_an_alliance_wide_overlap_read_runs_a_fixed_number_of_statements(
    api: Api, sql: StatementLog
) -> None:
    document = """
    query($first: Int!) {
      aidOverlaps(first: $first) {
        totalCount
        nodes {
          objective { code plan { code } } contributorCount contributors { code }
          contributions { amount { amount } contributor { code } }
          total { amount rates { currency } } score reasons
        }
      }
    }"""
    counts = []
    for first in (1, 5, 50):
        sql.clear()
        data = await api.data(document, {"first": first})
        assert len(data["aidOverlaps"]["nodes"]) == first
        counts.append(len(sql))

    # the token, the page, the count, the contributions, their rates, the contributors, the plans
    assert counts == [7, 7, 7], sql.statements


async def test_an_achieved_objective_is_no_gap(writable_api: Api) -> None:
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan, requirement="10000.00")
    before = await writable_api.data(GAPS, {"plan": plan})

    await writable_api.data(
        """mutation($id: ID!) { updateObjective(input: { id: $id, expectedVersion: 1,
           status: ACHIEVED }) { userErrors { message } } }""",
        {"id": objective},
    )

    after = await writable_api.data(GAPS, {"plan": plan})
    assert (before["aidGaps"]["totalCount"], after["aidGaps"]["totalCount"]) == (1, 0)


WINDOWED = """
query Windowed($plan: ID!, $activeOn: Date, $period: PeriodInput) {
  aidOverlaps(filter: { plans: [$plan] }, activeOn: $activeOn, period: $period, first: 100) {
    totalCount
    nodes {
      objective { id }
      contributorCount
      total { amount }
      excess { amount }
      score
      reasons
      contributions { id }
    }
  }
}
"""
DAYS = [date(2025, 1, 1) + timedelta(days=n) for n in range(0, 60, 3)]
GIVERS = ("ally", "other_ally", "institution")
CODES = {"ally": "DE", "other_ally": "FR", "institution": "EU"}


@dataclass(frozen=True)
class Given:
    who: str
    kind: str
    cents: int
    starts: date
    ends: date | None
    withdrawn: bool


gifts = st.builds(
    Given,
    who=st.sampled_from(GIVERS),
    kind=st.sampled_from(["TRAINING", "FUNDING"]),
    cents=st.integers(1, 10**7),
    starts=st.sampled_from(DAYS),
    ends=st.none() | st.sampled_from(DAYS),
    withdrawn=st.booleans(),
).filter(lambda gift: gift.ends is None or gift.ends >= gift.starts)


def brute_force(
    gifts: list[tuple[str, Given]], start: date | None, end: date | None, requirement: Decimal
) -> dict[str, Any] | None:
    """The overlap within [start, end] by its definition: live support meeting the period, and
    of it every pair from distinct contributors whose periods meet."""

    def meets(gift: Given, first: date | None, last: date | None) -> bool:
        return (last is None or gift.starts <= last) and (
            first is None or gift.ends is None or gift.ends >= first
        )

    live = [(key, gift) for key, gift in gifts if not gift.withdrawn and meets(gift, start, end)]
    pairs = [
        (a, b)
        for a, b in itertools.combinations(live, 2)
        if a[1].who != b[1].who and meets(a[1], b[1].starts, b[1].ends)
    ]
    if not pairs:
        return None
    flagged = {key: gift for pair in pairs for key, gift in pair}
    total = sum(Decimal(gift.cents) / 100 for gift in flagged.values())
    excess = max(total - requirement, Decimal(0))
    same_kind = any(a[1].kind == b[1].kind for a, b in pairs)
    contributors = len({gift.who for gift in flagged.values()})
    score = Decimal(contributors - 1) + (Decimal("0.5") if same_kind else 0) + excess / requirement
    reasons = ["SAME_OBJECTIVE", "OVERLAPPING_PERIOD"]
    reasons += ["SAME_KIND"] if same_kind else []
    reasons += ["EXCEEDS_REQUIREMENT"] if excess else []
    return {
        "contributorCount": contributors,
        "total": {"amount": f"{total:.2f}"},
        "excess": {"amount": f"{excess:.2f}"},
        "score": f"{score.quantize(Decimal('0.0001'), ROUND_HALF_EVEN)}",
        "reasons": reasons,
        "contributions": sorted(flagged),
    }


async def test_overlaps_on_a_day_or_within_a_period_are_the_brute_force_ones(
    writable_api: Api, backend: str
) -> None:
    """Hypothesis draws support to one objective (three contributors, two kinds, open or closed
    periods, some withdrawn), registers it through the API, and asks for the overlap on days and
    within periods: each answer, read from the spans each write keeps, equals the definition's."""
    loop = asyncio.get_running_loop()
    plan = await _plan(writable_api)
    requirement = Decimal("50000.00")

    async def run(drawn: list[Given], windows: list[tuple[date | None, date | None]]) -> None:
        objective = await _objective(writable_api, plan, str(requirement))
        given = []
        for gift in drawn:
            made = await _give(
                writable_api,
                gift.who,
                objective,
                f"{Decimal(gift.cents) / 100:.2f}",
                gift.starts.isoformat(),
                None if gift.ends is None else gift.ends.isoformat(),
                kind=gift.kind,
            )
            if gift.withdrawn:
                answer = await writable_api.data(
                    WITHDRAW, {"id": made["id"], "version": made["version"]}, as_=gift.who
                )
                assert answer["withdrawContribution"]["userErrors"] == []
            given.append((made["id"], gift))
        for start, end in windows:
            on_day = start is not None and start == end
            variables = {
                "plan": plan,
                "activeOn": start.isoformat() if on_day and start else None,
                "period": None
                if on_day or (start is None and end is None)
                else {
                    "start": None if start is None else start.isoformat(),
                    "end": None if end is None else end.isoformat(),
                },
            }
            nodes = (await writable_api.data(WINDOWED, variables))["aidOverlaps"]["nodes"]
            found = [node for node in nodes if node["objective"]["id"] == objective]
            expected = brute_force(given, start, end, requirement)
            if expected is None:
                assert found == [], (start, end)
                continue
            assert len(found) == 1, (start, end)
            node = found[0]
            node["contributions"] = sorted(row["id"] for row in node["contributions"])
            del node["objective"]
            assert node == expected, (start, end)

    windows = st.lists(
        st.tuples(st.none() | st.sampled_from(DAYS), st.none() | st.sampled_from(DAYS)).map(
            lambda pair: pair if None in pair else (min(pair), max(pair))
        )
        | st.sampled_from(DAYS).map(lambda day: (day, day)),
        min_size=3,
        max_size=6,
    )

    @settings(max_examples=15, deadline=None, database=None)
    @seed(uuid.uuid5(uuid.NAMESPACE_OID, f"windows-{backend}").int % 2**32)
    @given(drawn=st.lists(gifts, min_size=2, max_size=6), windows=windows)
    def each(drawn: list[Given], windows: list[tuple[date | None, date | None]]) -> None:
        asyncio.run_coroutine_threadsafe(run(drawn, windows), loop).result()

    await asyncio.to_thread(each)


async def test_migrate_works_out_the_spans_a_database_from_before_them_lacks(
    writable_api: Api,
) -> None:
    # Given an overlap on a day, in a database whose spans are gone (as before revision 0007)
    plan = await _plan(writable_api)
    objective = await _objective(writable_api, plan)
    for who in ("ally", "other_ally"):
        await _give(writable_api, who, objective, "1000.00", "2025-01-01", "2025-06-30")
    day = {"plan": plan, "activeOn": "2025-03-01", "period": None}
    before = await writable_api.data(WINDOWED, day)
    async with writable_api.database.writes() as session, session.begin():
        await session.execute(delete(OverlapSpan))
    emptied = await writable_api.data(WINDOWED, day)

    # When `python -m api migrate` runs
    url = writable_api.database.writer.url.render_as_string(hide_password=False)
    rebuilt = await asyncio.to_thread(cli._upgrade, url)

    # Then the spans are worked out again, and the day's overlap is back as it was
    assert emptied["aidOverlaps"]["totalCount"] == 0
    assert rebuilt > 0
    assert await writable_api.data(WINDOWED, day) == before
    assert before["aidOverlaps"]["totalCount"] == 1
    # And a second run finds nothing to do
    assert await asyncio.to_thread(cli._upgrade, url) == 0
