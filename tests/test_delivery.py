"""A pledge is not a delivery: a contribution keeps its stages (pledged, committed, delivered),
its deliveries one by one, its planned tranches and its in-kind items, and every total counts the
stage it asks for. The rules of the earlier work hold for them: who may write, expectedVersion,
idempotency, redaction of a restricted contribution's detail, and clear errors by field."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic import command

from store.contributions import Contribution
from store.database import create_engine, create_sessionmaker
from store.migrate import alembic_config, upgrade
from tests.conftest import Api, Databases
from tests.migrations import database_at
from tests.test_hostile import given_objective, given_plan

TODAY = datetime.now(UTC).date()

REGISTER = """
mutation($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id version status }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($input: UpdateContributionInput!) {
  updateContribution(input: $input) {
    contribution { version status committed { amount currency } }
    userErrors { field message code }
  }
}
"""
DELIVER = """
mutation($input: RecordDeliveryInput!) {
  recordDelivery(input: $input) {
    contribution { version status delivered { amount currency } deliveredOn }
    replayed
    userErrors { field message code }
  }
}
"""
WITHDRAW = """
mutation($input: WithdrawContributionInput!) {
  withdrawContribution(input: $input) { contribution { version status } userErrors { field } }
}
"""
STAGES = """
query($id: ID!) {
  node(id: $id) {
    ... on Contribution {
      version status pledgedOn redaction
      amount { amount currency }
      committed { amount currency } committedOn
      delivered { amount currency } deliveredOn
      deliveries { amount { amount } deliveredOn note recordedBy { code } }
      tranches { number dueOn amount { amount } firmness delivered { amount }
                 outstanding { amount } status }
      overdue { amount }
      items { category quantity unit unitValue { amount } value { amount } valuation }
    }
  }
}
"""
COVERAGE = """
query($plan: ID!) {
  coverage(filter: { plans: [$plan] }) {
    total { pledged { amount } committed { amount } disbursed { amount } }
  }
}
"""


@pytest.fixture(scope="module")
async def plan(writable_api: Api) -> str:
    return await given_plan(writable_api)


@pytest.fixture
async def objective(writable_api: Api, plan: str) -> str:
    return await given_objective(writable_api, plan)


def giving(objective: str, amount: str = "1000.00", **more: Any) -> dict[str, Any]:
    return {
        "objectiveId": objective,
        "kind": "FUNDING",
        "amount": {"amount": amount, "currency": "EUR"},
        "startsOn": "2024-03-01",
        "pledgedOn": "2024-02-01",
        **more,
    }


async def registered(api: Api, values: dict[str, Any], who: str = "ally") -> dict[str, Any]:
    payload = (await api.data(REGISTER, {"input": values}, as_=who))["registerContribution"]
    assert payload["userErrors"] == [], payload
    found: dict[str, Any] = payload["contribution"]
    return found


async def refused(api: Api, document: str, values: dict[str, Any], who: str = "ally") -> Any:
    data = await api.data(document, {"input": values}, as_=who)
    payload = next(iter(data.values()))
    assert payload["userErrors"], payload
    return payload["userErrors"][0]


async def stages(api: Api, contribution: str, who: str = "ally") -> dict[str, Any]:
    node: dict[str, Any] = (await api.data(STAGES, {"id": contribution}, as_=who))["node"]
    return node


def delivering(contribution: str, version: int, amount: str, on: str, **more: Any) -> Any:
    return {
        "id": contribution,
        "expectedVersion": version,
        "amount": {"amount": amount, "currency": "EUR"},
        "deliveredOn": on,
        **more,
    }


async def totals(api: Api, plan: str) -> tuple[str, str, str]:
    found = (await api.data(COVERAGE, {"plan": plan}))["coverage"]["total"]
    return (
        found["pledged"]["amount"],
        found["committed"]["amount"],
        found["disbursed"]["amount"],
    )


async def test_a_pledge_is_committed_in_part_and_delivered_in_tranches(
    writable_api: Api, plan: str, objective: str
) -> None:
    before = [Decimal(figure) for figure in await totals(writable_api, plan)]
    # Given a pledge of 1,000 with 600 committed and three tranches planned
    schedule = [
        {"dueOn": "2024-04-30", "amount": "200.00"},
        {"dueOn": "2024-06-30", "amount": "200.00", "firmness": "INDICATIVE"},
        {"dueOn": (TODAY + timedelta(days=60)).isoformat(), "amount": "200.00"},
    ]
    given = await registered(
        writable_api,
        giving(
            objective,
            committed={"amount": "600.00", "currency": "EUR"},
            committedOn="2024-02-15",
            schedule=schedule,
        ),
    )
    assert given["status"] == "COMMITTED"

    # When 250 is delivered, then 350 more
    first = (
        await writable_api.data(
            DELIVER, {"input": delivering(given["id"], 1, "250.00", "2024-05-02")}, as_="ally"
        )
    )["recordDelivery"]
    assert first["userErrors"] == []
    assert first["contribution"]["status"] == "COMMITTED"
    seen = await stages(writable_api, given["id"])

    # Then the first tranche is delivered, the second partly and overdue, the third pending
    assert [t["status"] for t in seen["tranches"]] == ["DELIVERED", "OVERDUE", "PENDING"]
    assert [t["delivered"]["amount"] for t in seen["tranches"]] == ["200.00", "50.00", "0.00"]
    assert seen["overdue"] == {"amount": "150.00"}
    assert seen["committed"] == {"amount": "600.00", "currency": "EUR"}
    assert (seen["pledgedOn"], seen["committedOn"]) == ("2024-02-01", "2024-02-15")
    assert seen["deliveries"] == [
        {"amount": {"amount": "250.00"}, "deliveredOn": "2024-05-02", "note": None,
         "recordedBy": {"code": "DE"}}
    ]  # fmt: skip
    after = [Decimal(figure) for figure in await totals(writable_api, plan)]
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        Decimal("1000.00"),
        Decimal("600.00"),
        Decimal("250.00"),
    ]
    second = (
        await writable_api.data(
            DELIVER,
            {"input": delivering(given["id"], 2, "350.00", "2024-07-01", note="the rest")},
            as_="ally",
        )
    )["recordDelivery"]
    assert second["userErrors"] == []
    # The commitment delivered in full: funding is DISBURSED
    assert second["contribution"]["status"] == "DISBURSED"
    assert second["contribution"]["delivered"] == {"amount": "600.00", "currency": "EUR"}
    assert second["contribution"]["deliveredOn"] == "2024-07-01"


@pytest.mark.parametrize(
    ("amount", "on", "field", "words"),
    [
        ("700.00", "2024-05-01", ["input", "amount", "amount"], "beyond the 600.00 EUR committed"),
        ("10.00", "2024-02-10", ["input", "deliveredOn"], "before the commitment (2024-02-15)"),
        ("10.00", (TODAY + timedelta(days=1)).isoformat(), ["input", "deliveredOn"], "after"),
        ("-5", "2024-05-01", ["input", "amount", "amount"], "positive"),
        ("10.001", "2024-05-01", ["input", "amount", "amount"], "decimal places"),
    ],
)
async def test_a_delivery_out_of_bounds_is_refused_by_name_and_writes_nothing(
    writable_api: Api, objective: str, amount: str, on: str, field: list[str], words: str
) -> None:
    given = await registered(
        writable_api,
        giving(
            objective, committed={"amount": "600.00", "currency": "EUR"}, committedOn="2024-02-15"
        ),
    )
    error = await refused(writable_api, DELIVER, delivering(given["id"], 1, amount, on))
    assert error["field"] == field
    assert words in error["message"]
    assert (await stages(writable_api, given["id"]))["version"] == 1


async def test_a_delivery_needs_a_commitment_in_the_contributions_currency(
    writable_api: Api, objective: str
) -> None:
    given = await registered(writable_api, giving(objective))
    uncommitted = await refused(
        writable_api, DELIVER, delivering(given["id"], 1, "10.00", "2024-05-01")
    )
    assert (uncommitted["field"], uncommitted["code"]) == (
        ["input", "amount"],
        "INVALID_TRANSITION",
    )
    assert "commit it" in uncommitted["message"]
    moved = (
        await writable_api.data(
            UPDATE,
            {"input": {"id": given["id"], "expectedVersion": 1, "status": "COMMITTED"}},
            as_="ally",
        )
    )["updateContribution"]
    assert moved["contribution"]["committed"] == {"amount": "1000.00", "currency": "EUR"}
    values = delivering(given["id"], 2, "10.00", TODAY.isoformat())
    values["amount"]["currency"] = "USD"
    other = await refused(writable_api, DELIVER, values)
    assert other["field"] == ["input", "amount", "currency"]
    assert "the contribution is in EUR" in other["message"]


async def test_only_who_may_change_a_contribution_records_its_deliveries_once_per_key(
    writable_api: Api, objective: str
) -> None:
    given = await registered(writable_api, giving(objective, status="COMMITTED", pledgedOn=None))
    values = delivering(given["id"], 1, "100.00", TODAY.isoformat(), idempotencyKey="d-1")
    stranger = await refused(writable_api, DELIVER, values, who="other_ally")
    assert stranger["code"] == "FORBIDDEN"
    first = (await writable_api.data(DELIVER, {"input": values}, as_="ally"))["recordDelivery"]
    again = (await writable_api.data(DELIVER, {"input": values}, as_="ally"))["recordDelivery"]
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["contribution"]["delivered"]["amount"] == "100.00"
    stale = await refused(writable_api, DELIVER, delivering(given["id"], 1, "5.00", "2024-05-01"))
    assert stale["code"] == "VERSION_CONFLICT"


async def test_a_withdrawal_keeps_what_was_delivered(
    writable_api: Api, plan: str, objective: str
) -> None:
    given = await registered(
        writable_api,
        giving(
            objective,
            committed={"amount": "400.00", "currency": "EUR"},
            schedule=[{"dueOn": "2024-06-30", "amount": "400.00"}],
        ),
    )
    delivered = (
        await writable_api.data(
            DELIVER,
            {"input": delivering(given["id"], 1, "150.00", TODAY.isoformat())},
            as_="ally",
        )
    )["recordDelivery"]
    assert delivered["userErrors"] == []
    before = [Decimal(figure) for figure in await totals(writable_api, plan)]
    withdrawn = (
        await writable_api.data(
            WITHDRAW, {"input": {"id": given["id"], "expectedVersion": 2}}, as_="ally"
        )
    )["withdrawContribution"]
    assert withdrawn["contribution"]["status"] == "WITHDRAWN"
    after = [Decimal(figure) for figure in await totals(writable_api, plan)]
    # The pledge's 1,000 and the commitment's 400 go, but the 150 delivered stays at every stage
    assert [b - a for a, b in zip(after, before, strict=True)] == [
        Decimal("850.00"),
        Decimal("250.00"),
        Decimal("0.00"),
    ]
    after_withdrawal = await stages(writable_api, given["id"])
    assert after_withdrawal["delivered"]["amount"] == "150.00"
    assert after_withdrawal["overdue"]["amount"] == "0.00"
    late = await refused(writable_api, DELIVER, delivering(given["id"], 3, "1.00", "2024-05-01"))
    assert late["code"] == "INVALID_TRANSITION"


async def test_in_kind_items_add_up_to_the_amount_and_funding_has_none(
    writable_api: Api, objective: str
) -> None:
    items = [
        {"category": "VEHICLES", "quantity": "4", "unit": "vehicles", "unitValue": "150.00",
         "valuation": "REPLACEMENT_COST"},
        {"category": "TRAINING_COURSES", "quantity": "2.5", "unit": "course places",
         "unitValue": "160.00", "valuation": "DONOR_DECLARED"},
    ]  # fmt: skip
    given = await registered(
        writable_api, giving(objective, "1000.00", kind="EQUIPMENT", items=items)
    )
    seen = await stages(writable_api, given["id"])
    assert [(i["category"], i["value"]["amount"]) for i in seen["items"]] == [
        ("VEHICLES", "600.00"),
        ("TRAINING_COURSES", "400.00"),
    ]
    short = await refused(
        writable_api, REGISTER, giving(objective, "999.00", kind="EQUIPMENT", items=items)
    )
    assert short["field"] == ["input", "items"]
    assert "1000.00 EUR" in short["message"]
    funding = await refused(writable_api, REGISTER, giving(objective, "1000.00", items=items))
    assert funding["field"] == ["input", "items"]
    # An amount that no longer matches its items is refused until the items change with it
    changed = await refused(
        writable_api,
        UPDATE,
        {"id": given["id"], "expectedVersion": 1, "amount": {"amount": "900", "currency": "EUR"}},
    )
    assert changed["field"] == ["input", "items"]


async def test_a_restricted_contributions_stages_are_detail(
    writable_api: Api, objective: str
) -> None:
    given = await registered(
        writable_api,
        giving(
            objective,
            visibility="RESTRICTED",
            committed={"amount": "600.00", "currency": "EUR"},
            schedule=[{"dueOn": "2024-04-30", "amount": "200.00"}],
        ),
    )
    owner = await stages(writable_api, given["id"], who="ally")
    stranger = await stages(writable_api, given["id"], who="other_ally")
    assert owner["committed"] is not None and owner["tranches"]
    for name in ("pledgedOn", "committed", "committedOn", "delivered", "deliveries", "tranches",
                 "overdue", "items"):  # fmt: skip
        assert stranger[name] is None, name
    assert stranger["status"] == owner["status"] == "COMMITTED"


async def test_the_migration_turns_statuses_into_stages_with_the_same_figures(
    databases: Databases,
) -> None:
    for status, committed, delivered in (
        ("PLEDGED", None, "0"),
        ("COMMITTED", "12.3456", "0"),
        ("DISBURSED", "12.3456", "12.3456"),
        ("WITHDRAWN", None, "0"),
    ):
        # Given a database from before stages, holding a contribution at `status`
        old = await database_at(databases, "0004", status)

        # When it is migrated
        await asyncio.to_thread(upgrade, old.url)

        # Then the contribution holds the stages its status said, dated when it last changed
        engine = create_engine(old.url)
        try:
            async with create_sessionmaker(engine)() as session:
                kept = await session.get(Contribution, old.contribution)
                assert kept is not None
                assert kept.status.name == status
                assert kept.committed_amount == (None if committed is None else Decimal(committed))
                assert kept.delivered_amount == Decimal(delivered)
                assert kept.pledged_on.isoformat() == "2024-01-01"
                assert len(kept.deliveries) == (1 if status == "DISBURSED" else 0)
                assert (kept.schedule, kept.items) == ([], [])
        finally:
            await engine.dispose()
        # And it goes back, as nothing partial is held
        await asyncio.to_thread(command.downgrade, alembic_config(old.url), "0004")


INFLOW = """
query($from: Date, $months: Int!) {
  expectedInflow(partner: "GE", from: $from, months: $months) {
    partner { code } overdue { amount currency }
    months { month firm { amount } indicative { amount } total { amount } }
  }
}
"""
BY_KIND = """
query($plan: ID!) {
  coverage(filter: { plans: [$plan] }) {
    total { pledged { amount } committed { amount } disbursed { amount } }
    byKind { kind pledged { amount } committed { amount } disbursed { amount } }
  }
}
"""


def _month(day: date, ahead: int) -> date:
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


async def test_a_partner_expects_what_is_left_of_its_tranches_month_by_month(
    writable_api: Api, objective: str
) -> None:
    next_month, after_that = _month(TODAY, 1), _month(TODAY, 2)
    variables = {"from": TODAY.isoformat(), "months": 3}
    before = (await writable_api.data(INFLOW, variables, as_="partner"))["expectedInflow"]
    # Given a pledge with a tranche overdue, a firm one next month and an indicative one after
    schedule = [
        {"dueOn": "2024-06-30", "amount": "200.00"},
        {"dueOn": next_month.isoformat(), "amount": "100.00"},
        {"dueOn": (after_that + timedelta(days=9)).isoformat(), "amount": "50.00",
         "firmness": "INDICATIVE"},
    ]  # fmt: skip
    await registered(
        writable_api,
        giving(objective, "400.00", committed={"amount": "300.00", "currency": "EUR"},
               schedule=schedule),
    )  # fmt: skip

    # When the partner asks what it can expect
    after = (await writable_api.data(INFLOW, variables, as_="partner"))["expectedInflow"]

    # Then each month shows what is still to come, and the past-due tranche is overdue
    def figures(found: dict[str, Any]) -> list[Decimal]:
        return [Decimal(found["overdue"]["amount"])] + [
            Decimal(month[part]["amount"])
            for month in found["months"]
            for part in ("firm", "indicative")
        ]

    change = [b - a for a, b in zip(figures(before), figures(after), strict=True)]
    assert change == [Decimal(n) for n in ("200", "0", "0", "100", "0", "0", "50")]
    assert [month["month"] for month in after["months"]] == [
        _month(TODAY, n).isoformat() for n in range(3)
    ]
    assert after["partner"] == {"code": "GE"}
    for bad, argument in (({"months": 0}, "months"), ({"months": 61}, "months")):
        body = await writable_api.query(INFLOW, {**variables, **bad}, as_="partner")
        assert body["errors"][0]["extensions"]["argument"] == argument, body


async def test_coverage_by_kind_adds_up_to_the_totals(
    writable_api: Api, plan: str, objective: str
) -> None:
    await registered(writable_api, giving(objective, "300.00", kind="TRAINING"))
    await registered(writable_api, giving(objective, "200.00"))
    found = (await writable_api.data(BY_KIND, {"plan": plan}))["coverage"]
    kinds = {row["kind"] for row in found["byKind"]}
    assert {"FUNDING", "TRAINING"} <= kinds
    for stage in ("pledged", "committed", "disbursed"):
        parts = sum(Decimal(row[stage]["amount"]) for row in found["byKind"])
        assert parts == Decimal(found["total"][stage]["amount"]), stage


LONG = "1.0000000000000000000000000000001"  # 31 digits: beyond the decimal context's 28


async def test_an_amount_finer_than_its_currency_is_refused_however_many_digits(
    writable_api: Api, objective: str
) -> None:
    for field, values in (
        (["input", "amount", "amount"], giving(objective, LONG)),
        (
            ["input", "committed", "amount"],
            giving(objective, committed={"amount": LONG, "currency": "EUR"}),
        ),
    ):
        error = await refused(writable_api, REGISTER, values)
        assert error["field"] == field
        assert "decimal places" in error["message"]
    gaps = "query($t: Decimal!) { aidGaps(threshold: $t) { totalCount } }"
    body = await writable_api.query(gaps, {"t": "0.5" + "0" * 30 + "1"})
    assert body["errors"][0]["extensions"]["argument"] == "threshold", body
