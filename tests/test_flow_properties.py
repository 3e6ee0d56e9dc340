"""Each euro is counted once, whatever graph of donors, funds and allocations carries it.

Hypothesis draws a sequence of writes (gifts to objectives, into funds or earmarked to a plan;
allocations by a fund or of earmarked support, some of them beyond what is left; transfers from
fund to fund; withdrawals of allocations), sends each through the API, and keeps its own plain
account of what was accepted. A brute-force oracle then works out from that account what every
figure must be, and the API's answers must equal it: the plan's total counts only what arrived at
its objectives; what waits in pools is apart; credits to contributors, direct or through to the
original donors pro rata, add up exactly to the total, and no donor is ever credited more than it
gave.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from resolvers import tokens
from resolvers.vocabulary import Role
from tests.conftest import Api
from tests.test_funds import ALLOCATE, CREDITS, REGISTER, WITHDRAW, World

DONORS = {"ally": "DE", "other_ally": "FR", "institution": "EU"}
FUNDS = ("DCBTF", "GEDRTF")
CENT = Decimal("0.01")

FLOWS = settings(
    max_examples=25,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],
)


@dataclass
class Row:
    """A contribution the API accepted, as the oracle keeps it."""

    id: str
    giver: str
    amount: Decimal
    # Where it is: an objective (index), or a pool (a fund, or the plan).
    objective: int | None = None
    fund: str | None = None
    earmarked: bool = False
    draws: list[tuple[Row, Decimal]] = field(default_factory=list)
    live: bool = True
    version: int = 1

    def left(self, rows: list[Row]) -> Decimal:
        drawn = sum(
            (amount for row in rows if row.live for source, amount in row.draws if source is self),
            Decimal(0),
        )
        return self.amount - drawn

    def origins(self) -> dict[str, Fraction]:
        """Whose money it is, as exact shares (the oracle's own walk)."""
        if not self.draws:
            return {self.giver: Fraction(1)}
        whole = sum((Fraction(amount) for _, amount in self.draws), Fraction(0))
        found: dict[str, Fraction] = {}
        for source, amount in self.draws:
            for giver, share in source.origins().items():
                found[giver] = found.get(giver, Fraction(0)) + share * Fraction(amount) / whole
        return found


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("give"),
            st.sampled_from(sorted(DONORS)),
            st.sampled_from(["objective", "fund", "fund to the plan", "plan"]),
            st.integers(0, 2),
            st.integers(1, 3000),
        ),
        st.tuples(
            st.just("allocate"),
            st.integers(0, 50),
            st.integers(0, 2),
            st.lists(st.tuples(st.integers(0, 50), st.integers(1, 120)), min_size=1, max_size=3),
        ),
        st.tuples(st.just("transfer"), st.integers(0, 50), st.integers(1, 100)),
        st.tuples(st.just("withdraw"), st.integers(0, 50)),
    ),
    min_size=4,
    max_size=14,
)


class Flows:
    """One drawn sequence of writes, sent to the API and kept by the oracle."""

    def __init__(self, api: Api, world: World, seen: Counter[str]) -> None:
        self.api, self.world = api, world
        self.rows: list[Row] = []
        # What the examples did, so a run that never allocated cannot pass for one that did.
        self.seen = seen

    async def send(self, document: str, input_: dict[str, Any], as_: str) -> dict[str, Any] | None:
        body = await self.api.data(document, {"input": input_}, as_)
        payload: dict[str, Any] = next(iter(body.values()))
        if payload["userErrors"]:
            return None
        found: dict[str, Any] = payload["contribution"]
        return found

    async def give(self, who: str, where: str, index: int, euros: int) -> None:
        amount = Decimal(euros)
        input_: dict[str, Any] = {
            "kind": "FUNDING",
            "amount": {"amount": str(amount), "currency": "EUR"},
            "startsOn": "2025-01-01",
        }
        row = Row("", DONORS[who], amount)
        if where == "objective":
            input_["objectiveId"] = self.world.objectives[index]
            row.objective = index
        elif where == "plan":
            input_["planId"] = self.world.plan
            row.earmarked = True
        else:
            row.fund = FUNDS[index % len(FUNDS)]
            input_["fund"] = row.fund
            if where == "fund to the plan":
                input_["planId"] = self.world.plan
                row.earmarked = True
        made = await self.send(REGISTER, input_, who)
        assert made is not None, input_
        row.id = made["id"]
        self.rows.append(row)

    def pooled(self) -> list[Row]:
        return [row for row in self.rows if row.live and row.objective is None]

    async def allocate(self, pick: int, objective: int, portions: list[tuple[int, int]]) -> None:
        pooled = self.pooled()
        if not pooled:
            return
        first = pooled[pick % len(pooled)]
        # Every source from the same pool as the first: that fund, or that donor's earmark.
        pool = [
            row
            for row in pooled
            if row.fund == first.fund and (row.fund is not None or row.giver == first.giver)
        ]
        chosen: dict[int, tuple[Row, Decimal]] = {}
        for index, percent in portions:
            source = pool[index % len(pool)]
            # Up to 120% of what is left: some allocations ask too much and must be refused.
            wanted = (source.left(self.rows) * percent / 100).quantize(CENT)
            if wanted > 0:
                chosen[id(source)] = (source, wanted)
        if not chosen:
            return
        draws = list(chosen.values())
        fits = all(amount <= source.left(self.rows) for source, amount in draws)
        as_ = "manager" if first.fund is not None else "partner"
        made = await self.send(
            ALLOCATE,
            {
                "objectiveId": self.world.objectives[objective],
                "draws": [
                    {"contributionId": source.id, "amount": str(amount)} for source, amount in draws
                ],
                "startsOn": "2025-02-01",
            },
            as_,
        )
        assert (made is not None) is fits, (draws, made)
        self.seen["allocation" if fits else "allocation refused"] += 1
        if made is not None:
            giver = first.fund if first.fund is not None else first.giver
            total = sum((amount for _, amount in draws), Decimal(0))
            self.rows.append(Row(made["id"], giver, total, objective=objective, draws=draws))

    async def transfer(self, pick: int, percent: int) -> None:
        pooled = [row for row in self.pooled() if row.fund is not None]
        if not pooled:
            return
        source = pooled[pick % len(pooled)]
        amount = (source.left(self.rows) * percent / 100).quantize(CENT)
        if amount <= 0:
            return
        target = next(fund for fund in FUNDS if fund != source.fund)
        made = await self.send(
            ALLOCATE,
            {
                "fund": target,
                "draws": [{"contributionId": source.id, "amount": str(amount)}],
                "startsOn": "2025-02-01",
            },
            "manager",
        )
        assert made is not None
        assert source.fund is not None
        self.rows.append(
            Row(made["id"], source.fund, amount, fund=target, draws=[(source, amount)])
        )
        self.seen["transfer"] += 1

    async def withdraw(self, pick: int) -> None:
        allocations = [row for row in self.rows if row.live and row.draws]
        if not allocations:
            return
        row = allocations[pick % len(allocations)]
        drawn_on = any(
            source is row for other in self.rows if other.live for source, _ in other.draws
        )
        body = await self.api.data(
            WITHDRAW,
            {"id": row.id, "version": row.version},
            as_="manager" if row.fund or any(source.fund for source, _ in row.draws) else "partner",
        )
        refused = bool(body["withdrawContribution"]["userErrors"])
        # Money still passed on from it holds it in place; otherwise it goes.
        assert refused is drawn_on, body
        if not refused:
            row.live = False
        self.seen["withdrawal refused" if refused else "withdrawal"] += 1

    async def check(self) -> None:
        placed = [row for row in self.rows if row.live and row.objective is not None]
        total = sum((row.amount for row in placed), Decimal(0))
        waiting = sum(
            (row.left(self.rows) for row in self.rows if row.live and row.earmarked), Decimal(0)
        )
        for attribution in ("DIRECT", "ORIGINAL_DONORS"):
            variables = {"plan": self.world.plan, "attribution": attribution}
            found = (await self.api.data(CREDITS, variables))["coverage"]
            assert Decimal(found["unallocated"]["amount"]) == waiting
            credits = {
                row["contributor"]["code"]: Decimal(row["pledged"]["amount"])
                for row in found["byContributor"]
            }
            # Every euro that arrived, credited once: the parts make the whole.
            assert sum(credits.values(), Decimal(0)) == total, (attribution, credits)
            if attribution == "DIRECT":
                expected: dict[str, Decimal] = {}
                for row in placed:
                    expected[row.giver] = expected.get(row.giver, Decimal(0)) + row.amount
                assert credits == {k: v for k, v in expected.items() if v}
            else:
                exact: dict[str, Fraction] = {}
                for row in placed:
                    for giver, share in row.origins().items():
                        exact[giver] = exact.get(giver, Fraction(0)) + share * Fraction(row.amount)
                gave: dict[str, Decimal] = {}
                for row in self.rows:
                    if row.live and not row.draws:
                        gave[row.giver] = gave.get(row.giver, Decimal(0)) + row.amount
                for giver, credit in credits.items():
                    # Within a cent per allocation of the exact pro-rata share, and never more
                    # than the donor gave.
                    assert abs(Fraction(credit) - exact[giver]) <= Fraction(len(placed), 100)
                    assert credit <= gave[giver], (giver, credit, gave)
                assert set(credits) <= set(DONORS.values())


@pytest.fixture(scope="module")
async def flows_api(writable_api: Api) -> Api:
    if "manager" not in writable_api.tokens:
        writable_api.tokens["manager"] = await tokens.issue(
            writable_api.database.writes, "NSPA", Role.INSTITUTION, None
        )
    return writable_api


async def test_no_graph_of_donors_funds_and_allocations_counts_a_euro_twice(
    flows_api: Api, backend: str
) -> None:
    loop = asyncio.get_running_loop()
    seen: Counter[str] = Counter()

    async def run(sequence: list[tuple[Any, ...]]) -> None:
        world = await World(flows_api).build()
        flows = Flows(flows_api, world, seen)
        for step in sequence:
            await getattr(flows, step[0])(*step[1:])
        await flows.check()

    @FLOWS
    @seed(uuid.uuid5(uuid.NAMESPACE_OID, backend).int % 2**32)
    @given(sequence=steps)
    def each(sequence: list[tuple[Any, ...]]) -> None:
        asyncio.run_coroutine_threadsafe(run(sequence), loop).result()

    await asyncio.to_thread(each)
    print(f"\n{backend}: {dict(seen)}")
    for done in ("allocation", "allocation refused", "transfer", "withdrawal"):
        assert seen[done], (done, seen)
