"""The recipient partner confirms or disputes support, beside the contributor's report.

Only the partner a contribution goes to may record its account, at the version it read, with
checked input; each record is a row of its own (the latest is `Contribution.confirmation`,
earlier ones stay in the history), and the contribution itself is left as reported.
`reconciliation` lists where the two accounts part, or where nothing was confirmed in time, to
those who may see the contribution's detail only; the change feed and subscriptions carry every
confirmation and dispute, withheld like the rest of a restricted contribution's detail.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from api.app import create_app
from api.settings import Settings
from resolvers import ids
from seeds import load_reference
from store.changes import ChangeEvent
from store.confirmations import Confirmation
from store.contributions import Contribution
from store.database import create_engine, create_sessionmaker
from store.migrate import upgrade
from tests.conftest import Api, Databases, running_api, served
from tests.migrations import database_at
from tests.test_hostile import given_objective, given_plan
from tests.test_subscriptions import socket

TODAY = datetime.now(UTC).date()

REGISTER = """
mutation($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id version } userErrors { field message } }
}
"""
UPDATE = """
mutation($input: UpdateContributionInput!) {
  updateContribution(input: $input) { contribution { version } userErrors { field message } }
}
"""
WITHDRAW = """
mutation($input: WithdrawContributionInput!) {
  withdrawContribution(input: $input) { contribution { version } userErrors { field message } }
}
"""
CONFIRMATION = """
  verdict stage amount { amount currency } on reason ofVersion recordedAt recordedBy { code }
"""
CONFIRM = f"""
mutation($input: ConfirmContributionInput!) {{
  confirmContribution(input: $input) {{
    confirmation {{ {CONFIRMATION} }}
    contribution {{ id version amount {{ amount currency }} }}
    replayed
    userErrors {{ field message code }}
  }}
}}
"""
DISPUTE = f"""
mutation($input: DisputeContributionInput!) {{
  disputeContribution(input: $input) {{
    confirmation {{ {CONFIRMATION} }}
    contribution {{ id version }}
    replayed
    userErrors {{ field message code }}
  }}
}}
"""
CONTRIBUTION = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on Contribution {{
      version amount {{ amount currency }} redaction
      confirmation {{ {CONFIRMATION} }}
      history {{ nodes {{ action redacted before after actor {{ code }} }} }}
    }}
  }}
}}
"""
RECONCILIATION = """
query($filter: ReconciliationFilter, $days: Int! = 90, $after: String) {
  reconciliation(filter: $filter, unconfirmedDays: $days, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      contribution { id }
      state
      reported { amount currency }
      confirmed { amount currency }
      daysUnconfirmed
    }
  }
}
"""
LAST_POSITION = "{ changes(last: 1) { nodes { position } } }"
FEED = """
query($after: String) {
  changes(after: $after, first: 100) {
    edges { cursor node { action entityId redacted after actor { code } } }
  }
}
"""
CURSOR = "{ changes(last: 1) { edges { cursor } } }"
SUBSCRIBE = """
subscription($after: String) {
  contributionChanged(partner: "GE", after: $after) {
    event { action entityId redacted after }
    contribution { id confirmation { verdict amount { amount } } }
  }
}
"""


@pytest.fixture(scope="module")
async def objective(writable_api: Api) -> str:
    """An objective of a fresh Georgian plan in force: Georgia ("partner") is the recipient."""
    return await given_objective(writable_api, await given_plan(writable_api))


async def register(
    api: Api,
    objective: str,
    who: str = "ally",
    kind: str = "FUNDING",
    amount: str = "1000.00",
    currency: str = "EUR",
    starts_on: str = "2024-03-01",
    **more: Any,
) -> str:
    entry = {
        "objectiveId": objective,
        "kind": kind,
        "amount": {"amount": amount, "currency": currency},
        "startsOn": starts_on,
        **more,
    }
    data = await api.data(REGISTER, {"input": entry}, as_=who)
    assert data["registerContribution"]["userErrors"] == [], data
    return str(data["registerContribution"]["contribution"]["id"])


async def read(api: Api, contribution: str, who: str = "secretariat") -> dict[str, Any]:
    node: dict[str, Any] = (await api.data(CONTRIBUTION, {"id": contribution}, as_=who))["node"]
    return node


def confirming(contribution: str, version: int = 1, **more: Any) -> dict[str, Any]:
    return {
        "id": contribution,
        "expectedVersion": version,
        "stage": "RECEIVED",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "on": "2024-04-02",
        **more,
    }


def disputing(contribution: str, version: int = 1, **more: Any) -> dict[str, Any]:
    return {
        "id": contribution,
        "expectedVersion": version,
        "reason": "Nothing has arrived.",
        "on": "2024-05-01",
        **more,
    }


async def confirm(api: Api, values: dict[str, Any], who: str = "partner") -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(CONFIRM, {"input": values}, as_=who))[
        "confirmContribution"
    ]
    return payload


async def dispute(api: Api, values: dict[str, Any], who: str = "partner") -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(DISPUTE, {"input": values}, as_=who))[
        "disputeContribution"
    ]
    return payload


async def last_position(api: Api) -> int:
    nodes = (await api.data(LAST_POSITION))["changes"]["nodes"]
    return int(nodes[0]["position"]) if nodes else 0


def errors(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def reconciled(
    api: Api, who: str = "secretariat", filter: dict[str, Any] | None = None, days: int = 90
) -> dict[str, dict[str, Any]]:
    """Every entry of the reconciliation list, by contribution ID, page after page."""
    found: dict[str, dict[str, Any]] = {}
    after = None
    while True:
        variables = {"filter": filter, "days": days, "after": after}
        page = (await api.data(RECONCILIATION, variables, as_=who))["reconciliation"]
        for node in page["nodes"]:
            found[node["contribution"]["id"]] = node
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(found)
            return found
        after = page["pageInfo"]["endCursor"]


# --- who may --------------------------------------------------------------------------------------


async def test_only_the_recipient_partner_may_confirm_or_dispute(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    # Given a public and a restricted contribution from Germany to Georgia
    public = await register(api, objective)
    restricted = await register(api, objective, visibility="RESTRICTED")
    before = await last_position(api)

    # When anyone but Georgia confirms or disputes either
    refusals = []
    for who in ("ally", "other_ally", "other_partner", "institution", "secretariat"):
        for contribution in (public, restricted):
            refusals.append(await confirm(api, confirming(contribution), who))
            refusals.append(await dispute(api, disputing(contribution), who))

    # Then each is refused at the ID, the same words for both, and nothing is written
    for refusal in refusals:
        assert refusal["confirmation"] is None and refusal["contribution"] is None
        assert errors(refusal) == [(["input", "id"], "FORBIDDEN")]
    assert len({refusal["userErrors"][0]["message"] for refusal in refusals}) == 1
    assert await last_position(api) == before

    # And Georgia may, on both
    for contribution in (public, restricted):
        done = await confirm(api, confirming(contribution))
        assert done["userErrors"] == []
        assert done["confirmation"]["recordedBy"] == {"code": "GE"}
        assert done["contribution"]["id"] == contribution


# --- what it checks ---------------------------------------------------------------------------


async def test_each_bad_input_is_refused_by_name_and_writes_nothing(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    funding = await register(api, objective)
    training = await register(api, objective, kind="TRAINING")
    withdrawn = await register(api, objective)
    done = await api.data(WITHDRAW, {"input": {"id": withdrawn, "expectedVersion": 1}}, as_="ally")
    assert done["withdrawContribution"]["userErrors"] == []
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    nowhere = ids.encode("Contribution", 999999)
    before = await last_position(api)

    cases = [
        (confirming(training), (["input", "stage"], "INVALID")),
        (confirming(funding, stage="DELIVERED"), (["input", "stage"], "INVALID")),
        (
            confirming(funding, amount={"amount": "-5", "currency": "EUR"}),
            (["input", "amount", "amount"], "INVALID"),
        ),
        (
            confirming(funding, amount={"amount": "1.001", "currency": "EUR"}),
            (["input", "amount", "amount"], "INVALID"),
        ),
        (
            confirming(funding, amount={"amount": "5", "currency": "XXQ"}),
            (["input", "amount", "currency"], "INVALID"),
        ),
        (confirming(funding, on=tomorrow), (["input", "on"], "INVALID")),
        (confirming(funding, note="  x" * 1000), (["input", "note"], "INVALID")),
        (confirming(funding, idempotencyKey=" "), (["input", "idempotencyKey"], "INVALID")),
        (confirming("not an id"), (["input", "id"], "INVALID")),
        (confirming(nowhere), (["input", "id"], "NOT_FOUND")),
        (confirming(withdrawn, version=2), (["input", "id"], "INVALID_TRANSITION")),
    ]
    for values, expected in cases:
        # When a confirmation with one bad value is sent
        payload = await confirm(api, values)
        # Then it is refused naming that value
        assert errors(payload) == [expected], (values, payload)
    for values, expected in [
        (disputing(funding, reason="   "), (["input", "reason"], "INVALID")),
        (disputing(funding, on=tomorrow), (["input", "on"], "INVALID")),
        (disputing(withdrawn, version=2), (["input", "id"], "INVALID_TRANSITION")),
    ]:
        payload = await dispute(api, values)
        assert errors(payload) == [expected], (values, payload)

    # And nothing was written
    assert await last_position(api) == before
    assert (await read(api, funding))["confirmation"] is None


async def test_a_confirmation_of_a_version_since_changed_is_refused(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    # Given a contribution its contributor changed after the partner read it
    contribution = await register(api, objective)
    change = {
        "id": contribution,
        "expectedVersion": 1,
        "amount": {"amount": "800", "currency": "EUR"},
    }
    assert (await api.data(UPDATE, {"input": change}, as_="ally"))["updateContribution"][
        "userErrors"
    ] == []

    # When the partner confirms or disputes the version it read
    confirmed = await confirm(api, confirming(contribution, version=1))
    disputed = await dispute(api, disputing(contribution, version=1))

    # Then both are refused, naming the version
    for payload in (confirmed, disputed):
        assert errors(payload) == [(["input", "expectedVersion"], "VERSION_CONFLICT")]
    assert (await confirm(api, confirming(contribution, version=2)))["userErrors"] == []


async def test_a_retry_with_the_same_key_records_once_and_a_reused_key_is_refused(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    contribution = await register(api, objective)
    key = uuid.uuid4().hex
    values = confirming(contribution, idempotencyKey=key)

    # When the same confirmation is sent twice with one key
    first = await confirm(api, values)
    position = await last_position(api)
    second = await confirm(api, values)

    # Then the second returns the first's record, writing nothing
    assert first["userErrors"] == [] and second["userErrors"] == []
    assert (first["replayed"], second["replayed"]) == (False, True)
    assert second["confirmation"] == first["confirmation"]
    assert await last_position(api) == position
    history = (await read(api, contribution))["history"]["nodes"]
    assert [event["action"] for event in history] == ["CREATED", "CONFIRMED"]

    # And the key with another input, or for a dispute of the same, is another matter
    other = await confirm(api, {**values, "amount": {"amount": "999", "currency": "EUR"}})
    assert errors(other) == [(["input", "idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")]
    disputed = await dispute(api, disputing(contribution, idempotencyKey=key))
    assert disputed["userErrors"] == []
    assert await last_position(api) == position + 1


# --- what it records --------------------------------------------------------------------------


async def test_both_accounts_stay_on_record_and_the_latest_is_current(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    # Given Germany's report of 1000 EUR
    contribution = await register(api, objective)

    # When Georgia confirms 950 EUR, then corrects itself to 1000 EUR received later
    first = await confirm(
        api, confirming(contribution, amount={"amount": "950", "currency": "EUR"}, note="Part")
    )
    second = await confirm(api, confirming(contribution, on="2024-04-20"))
    assert first["userErrors"] == [] and second["userErrors"] == []

    # Then the contribution is as reported, at its version, and its confirmation is the latest
    node = await read(api, contribution)
    assert node["version"] == 1
    assert node["amount"] == {"amount": "1000.00", "currency": "EUR"}
    assert node["confirmation"] == {
        "verdict": "CONFIRMED",
        "stage": "RECEIVED",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "on": "2024-04-20",
        "reason": None,
        "ofVersion": 1,
        "recordedAt": second["confirmation"]["recordedAt"],
        "recordedBy": {"code": "GE"},
    }
    # And the history holds both, with who recorded them and what
    events = node["history"]["nodes"]
    assert [event["action"] for event in events] == ["CREATED", "CONFIRMED", "CONFIRMED"]
    assert [event["actor"] for event in events[1:]] == [{"code": "GE"}] * 2
    assert events[1]["after"]["amount"] == "950.00"
    assert events[1]["after"]["reason"] == "Part"
    assert events[2]["after"]["on"] == "2024-04-20"
    assert ids.decode(events[2]["after"]["recordedById"], "recordedById")[0] == "Participant"
    assert events[2]["after"]["contributionId"] == contribution


async def test_a_dispute_is_recorded_with_its_reason(writable_api: Api, objective: str) -> None:
    api = writable_api
    contribution = await register(api, objective, kind="EQUIPMENT")
    assert (await confirm(api, confirming(contribution, stage="DELIVERED")))["userErrors"] == []

    # When Georgia disputes it
    disputed = await dispute(api, disputing(contribution, reason="  Only half was delivered. "))

    # Then the dispute is its current account, and the confirmation before stays in its history
    assert disputed["userErrors"] == []
    confirmation = (await read(api, contribution))["confirmation"]
    assert {key: confirmation[key] for key in ("verdict", "stage", "amount", "on", "reason")} == {
        "verdict": "DISPUTED",
        "stage": None,
        "amount": None,
        "on": "2024-05-01",
        "reason": "Only half was delivered.",
    }
    history = (await read(api, contribution))["history"]["nodes"]
    assert [event["action"] for event in history] == ["CREATED", "CONFIRMED", "DISPUTED"]
    assert history[2]["after"]["verdict"] == "DISPUTED"
    assert history[1]["after"]["stage"] == "DELIVERED"


# --- reconciliation -------------------------------------------------------------------------------


async def test_reconciliation_names_each_state_and_filters(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    # Given support in every state, and support that needs no reconciling
    differs = await register(api, objective, who="other_ally")
    await confirm(api, confirming(differs, amount={"amount": "900", "currency": "EUR"}))
    in_dollars = await register(api, objective)
    await confirm(api, confirming(in_dollars, amount={"amount": "1000", "currency": "USD"}))
    outdated = await register(api, objective)
    await confirm(api, confirming(outdated))
    change = {"id": outdated, "expectedVersion": 1, "status": "DISBURSED"}
    assert (await api.data(UPDATE, {"input": change}, as_="ally"))["updateContribution"][
        "userErrors"
    ] == []
    disputed = await register(api, objective)
    await dispute(api, disputing(disputed))
    unconfirmed = await register(api, objective, status="COMMITTED", starts_on="2024-01-01")
    recent = (TODAY - timedelta(days=10)).isoformat()
    lately = await register(api, objective, status="COMMITTED", starts_on=recent)
    agreed = await register(api, objective)
    await confirm(api, confirming(agreed))
    pledged = await register(api, objective, starts_on="2020-01-01")
    mine = {differs, in_dollars, outdated, disputed, unconfirmed, lately, agreed, pledged}

    # When the secretariat asks for the reconciliation list
    found = await reconciled(api)

    # Then each is listed with its state, its two amounts and its days unconfirmed
    states = {key: found[key]["state"] for key in mine if key in found}
    assert states == {
        differs: "DIFFERS",
        in_dollars: "DIFFERS",
        outdated: "OUTDATED",
        disputed: "DISPUTED",
        unconfirmed: "UNCONFIRMED",
    }
    assert found[differs]["reported"] == {"amount": "1000.00", "currency": "EUR"}
    assert found[differs]["confirmed"] == {"amount": "900.00", "currency": "EUR"}
    assert found[in_dollars]["confirmed"] == {"amount": "1000.00", "currency": "USD"}
    assert found[disputed]["confirmed"] is None
    assert found[unconfirmed]["confirmed"] is None
    assert found[unconfirmed]["daysUnconfirmed"] == (TODAY - date(2024, 1, 1)).days
    assert found[differs]["daysUnconfirmed"] is None

    # And a shorter limit lists recent support too; filters narrow the list
    assert (await reconciled(api, days=5))[lately]["state"] == "UNCONFIRMED"
    only = await reconciled(api, filter={"states": ["DIFFERS", "DISPUTED"]})
    assert {key for key in mine if key in only} == {differs, in_dollars, disputed}
    assert {node["state"] for node in only.values()} <= {"DIFFERS", "DISPUTED"}
    french = await reconciled(api, filter={"contributors": ["FR"]})
    assert {key for key in mine if key in french} == {differs}
    assert set(await reconciled(api, filter={"partners": ["md"]})).isdisjoint(mine)
    georgian = await reconciled(api, filter={"partners": ["GE"], "contributors": ["DE"]})
    assert {key for key in mine if key in georgian} == mine - {differs, lately, agreed, pledged}


async def test_reconciliation_refuses_bad_arguments_by_name(writable_api: Api) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"days": -1}, "unconfirmedDays"),
        ({"filter": {"partners": ["ZZ"]}}, "filter.partners"),
        ({"filter": {"contributors": ["ZZ"]}}, "filter.contributors"),
    ]
    for variables, argument in cases:
        body = await writable_api.query(RECONCILIATION, variables)
        assert body["errors"] and argument in body["errors"][0]["message"], body


async def test_reconciliation_pages_keep_their_order(writable_api: Api, objective: str) -> None:
    api = writable_api
    for _ in range(3):
        await register(api, objective, status="COMMITTED", starts_on="2023-06-01")
    whole = (await api.data(RECONCILIATION))["reconciliation"]["nodes"]
    pages: list[str] = []
    after = None
    while True:
        page = (
            await api.data(
                """query($after: String) { reconciliation(first: 2, after: $after) {
                     pageInfo { hasNextPage endCursor } nodes { contribution { id } } } }""",
                {"after": after},
            )
        )["reconciliation"]
        pages += [node["contribution"]["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [node["contribution"]["id"] for node in whole][: len(pages)]
    assert len(pages) == len(whole) or len(whole) == 100


# --- restricted support ------------------------------------------------------------------------


async def test_an_outsider_sees_nothing_of_a_restricted_contributions_confirmation(
    writable_api: Api, objective: str
) -> None:
    api = writable_api
    # Given restricted support from Germany, confirmed by Georgia at another amount with a note
    contribution = await register(api, objective, visibility="RESTRICTED")
    cursor = (await api.data(CURSOR))["changes"]["edges"][0]["cursor"]
    values = confirming(contribution, amount={"amount": "640", "currency": "USD"}, note="Late")
    assert (await confirm(api, values))["userErrors"] == []

    for who in ("secretariat", "ally", "partner"):
        # Then those who see its detail see the confirmation, its entry and its event
        node = await read(api, contribution, who)
        assert node["confirmation"]["amount"] == {"amount": "640.00", "currency": "USD"}
        assert (await reconciled(api, who))[contribution]["state"] == "DIFFERS"
        event = (await read(api, contribution, who))["history"]["nodes"][-1]
        assert event["after"]["amount"] == "640.00" and event["after"]["reason"] == "Late"

    for who in ("other_ally", "other_partner", "institution"):
        # And the others see neither its confirmation, nor an entry, nor the event's detail
        node = await read(api, contribution, who)
        assert node["redaction"] is not None and node["confirmation"] is None
        assert contribution not in await reconciled(api, who)
        feed = (await api.data(FEED, {"after": cursor}, as_=who))["changes"]["edges"]
        (event,) = [edge["node"] for edge in feed if edge["node"]["entityId"] == contribution]
        assert event["action"] == "CONFIRMED" and event["redacted"] is True
        assert event["actor"] is None
        withheld = ("amount", "currency", "reason", "verdict", "stage", "recordedById")
        assert all(event["after"][key] is None for key in withheld), event
        history = node["history"]["nodes"][-1]
        assert history["redacted"] and history["after"]["amount"] is None


# --- feed and subscriptions --------------------------------------------------------------------


async def test_a_confirmation_is_in_the_change_feed(writable_api: Api, objective: str) -> None:
    api = writable_api
    contribution = await register(api, objective)
    cursor = (await api.data(CURSOR))["changes"]["edges"][0]["cursor"]

    assert (await confirm(api, confirming(contribution)))["userErrors"] == []
    assert (await dispute(api, disputing(contribution)))["userErrors"] == []

    feed = (await api.data(FEED, {"after": cursor}, as_="other_ally"))["changes"]["edges"]
    events = [edge["node"] for edge in feed]
    assert [(event["action"], event["entityId"]) for event in events] == [
        ("CONFIRMED", contribution),
        ("DISPUTED", contribution),
    ]
    confirmed = events[0]
    assert confirmed["redacted"] is False and confirmed["actor"] == {"code": "GE"}
    assert confirmed["after"]["id"] == contribution
    assert confirmed["after"]["amount"] == "1000.00"
    assert confirmed["after"]["contributionId"] == contribution
    assert events[1]["after"]["reason"] == "Nothing has arrived."


@pytest.fixture
async def live(writable_api: Api) -> AsyncIterator[tuple[str, Api]]:
    """The writable database behind a real uvicorn, and a client that talks to it over HTTP."""
    url = str(writable_api.database.reader.url.render_as_string(hide_password=False))
    async with (
        served(create_app(Settings(database_url=url))) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        yield address, replace(writable_api, client=client)


async def test_a_confirmation_reaches_a_subscriber(live: tuple[str, Api], objective: str) -> None:
    address, api = live
    contribution = await register(api, objective)
    cursor = (await api.data(CURSOR))["changes"]["edges"][0]["cursor"]
    assert (await confirm(api, confirming(contribution)))["userErrors"] == []

    # When someone follows Georgia's support from before the confirmation
    async with socket(address, api.tokens["other_ally"]) as client:
        await client.subscribe(SUBSCRIBE, {"after": cursor})
        message = await client.next()

    # Then the confirmation arrives, with the contribution's current account
    assert message["type"] == "next", message
    change = message["payload"]["data"]["contributionChanged"]
    assert change["event"]["action"] == "CONFIRMED"
    assert change["event"]["entityId"] == contribution
    assert change["event"]["after"]["amount"] == "1000.00"
    assert change["contribution"] == {
        "id": contribution,
        "confirmation": {"verdict": "CONFIRMED", "amount": {"amount": "1000.00"}},
    }


# --- cost -------------------------------------------------------------------------------------


async def test_a_page_of_confirmations_costs_one_statement(writable_api: Api) -> None:
    api = writable_api
    plain = "{ contributions(first: 100) { nodes { id } } }"
    confirmed = (
        "{ contributions(first: 100) { nodes { id "
        "confirmation { verdict recordedBy { code } } } } }"
    )
    await api.data(plain)
    api.sql.clear()
    await api.data(plain)
    base = len(api.sql)
    api.sql.clear()
    await api.data(confirmed)
    # One for the confirmations, one for who recorded them
    assert len(api.sql) == base + 2, api.sql.statements


# --- migration --------------------------------------------------------------------------------


async def test_the_migration_keeps_existing_data_and_takes_confirmations(
    databases: Databases,
) -> None:
    # Given a database as it was before confirmations, holding a contribution and its event
    old = await database_at(databases, "0002")
    url, partner, contribution_id = old.url, old.partner, old.contribution

    # When it is migrated (and the reference data added, for the people's tokens)
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    await load_reference(create_sessionmaker(engine))
    await engine.dispose()

    # Then what it held is as it was, with no confirmation yet, and the recipient may confirm
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            kept = await session.get(Contribution, contribution_id)
            assert kept is not None and kept.amount == Decimal("12.3456")
            assert (kept.version, kept.recipient_id) == (1, partner)
            confirmed = sa.select(sa.func.count()).select_from(Confirmation)
            assert await session.scalar(confirmed) == 0
            event = await session.get(ChangeEvent, 1)
            assert event is not None and event.after == {"amount": "12.3456"}
    finally:
        await engine.dispose()
    async with running_api(url) as api:
        global_id = ids.encode("Contribution", contribution_id)
        values = confirming(global_id, amount={"amount": "12.35", "currency": "EUR"})
        done = await confirm(api, values)
        assert done["userErrors"] == [], done
        node = await read(api, global_id)
        assert node["confirmation"]["verdict"] == "CONFIRMED"
        assert [event["action"] for event in node["history"]["nodes"]] == ["CREATED", "CONFIRMED"]
        assert (await reconciled(api))[global_id]["state"] == "DIFFERS"
