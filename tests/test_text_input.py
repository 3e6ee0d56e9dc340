"""Text a request carries must be Unicode text, and text already stored never breaks a read.

A lone surrogate (`"\\ud800"`) is valid JSON but not Unicode text. Every String and ID argument
and input field the schema takes, found by walking it from Query, Mutation and Subscription, is
sent one, as a variable, as a literal in the document, and as a GraphQL escape in a literal: each
is refused before anything runs, by an INVALID_TEXT error naming the argument, on the direct
path as on the ordinary one, over HTTP and WebSocket, and nothing is written. A change event
that holds one all the same (stored through the store, as rows from before this rule may) is
read back through the feed, the history and a subscription with U+FFFD in its place, and the
migration repairs it in the database.

Text that names something (an idempotency key, a reference, a code, a title) may be left out
but never sent blank: a blank key used to be dropped silently, and a retry made a second row.
"""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import graphql
import httpx
import pytest
import sqlalchemy as sa
import websockets
from alembic import command

from api.app import create_app
from api.settings import Settings
from schema.compiled_reads import CompiledReads
from store.changes import ChangeEvent
from store.database import create_engine, create_sessionmaker
from store.enums import ChangeAction
from store.migrate import alembic_config, upgrade
from tests.conftest import Api, Databases, running_api, served
from tests.fuzzing import SERVED, named_type, send_raw
from tests.test_hostile import (
    BASE_INPUTS,
    MUTATIONS,
    QUERY_CASES,
    Case,
    Path,
    Scene,
    Site,
    given_contribution,
    given_objective,
    given_plan,
    is_list,
    placed,
    selection_for,
    string_paths,
    unique,
)

# Lone surrogates: high, and low in the middle of ordinary text.
SURROGATES = ["\ud800", "ok \udfff ok"]
REPLACED = {"\ud800": "\ufffd", "ok \udfff ok": "ok \ufffd ok"}

# How the surrogate travels: as a variable, as a literal in the document (the JSON body escapes
# it), or as a GraphQL escape (`\uD800`) in a literal.
FORMS = ["variable", "literal", "escape"]


def body_of(document: str, variables: dict[str, Any] | None = None) -> bytes:
    # json.dumps escapes the surrogate as `\ud800`, as any JSON encoder that lets one through does.
    return json.dumps({"query": document, "variables": variables or {}}).encode()


def argument_named(argument: str, type_: graphql.GraphQLInputType, path: Path) -> str:
    """The argument path the error must name, e.g. `filter.currencies[0]`, where `placed` put
    the value (the first item of every list)."""
    named = argument
    remaining = list(path)
    while True:
        if is_list(type_):
            named += "[0]"
            type_ = graphql.get_nullable_type(type_).of_type  # type: ignore[union-attr]
            continue
        if not remaining:
            return named
        head = str(remaining.pop(0))
        named += f".{head}"
        inner = named_type(type_)
        assert isinstance(inner, graphql.GraphQLInputObjectType)
        type_ = inner.fields[head].type


def inline(document: str, argument: str, value: Any, type_: graphql.GraphQLInputType) -> str:
    """`document` with `$v` declared nowhere and `value` written in its place, as a literal."""
    literal = graphql.utilities.ast_from_value(value, type_)
    assert literal is not None
    head, _, rest = document.partition("(")
    _, _, rest = rest.partition(")")  # drop the variable definitions
    return head + rest.replace(f"{argument}: $v", f"{argument}: {graphql.print_ast(literal)}", 1)


def sent(document: str, argument: str, value: Any, type_: Any, form: str, char: str) -> bytes:
    if form == "variable":
        return body_of(document, {"v": value})
    written = inline(document, argument, value, type_)
    if form == "escape":
        written = written.replace(char, f"\\u{ord(char):04X}")
    return body_of(written)


def refusals(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        error
        for error in body.get("errors") or ()
        if (error.get("extensions") or {}).get("code") == "INVALID_TEXT"
    ]


def the_surrogate(value: str) -> str:
    return next(char for char in value if "\ud800" <= char <= "\udfff")


def assert_refused(body: dict[str, Any], argument: str, where: str) -> None:
    """Refused before anything ran, by an error that names the argument."""
    found = refusals(body)
    assert found, f"{where}: {json.dumps(body)[:1500]}"
    assert body.get("data") is None, where
    assert any((error["extensions"]).get("argument") == argument for error in found), (
        f"{where}: expected `{argument}` in {found}"
    )
    assert any(f"`{argument}`" in error["message"] for error in found), where


# --- the walk ---------------------------------------------------------------------------------

assert SERVED.subscription_type is not None
SUBSCRIPTION_CASES: list[Case] = [
    (Site((), SERVED.subscription_type, name), argument, path)
    for name, found in SERVED.subscription_type.fields.items()
    for argument, declared in found.args.items()
    for path in string_paths(declared.type)
]
MUTATION_CASES = [
    (name, path)
    for name, found in MUTATIONS.fields.items()
    for path in string_paths(next(iter(found.args.values())).type)
]


def test_the_walk_reaches_every_kind_of_text_input() -> None:
    # Given the text inputs the walks found
    queries = {f"{site.name}({argument}{list(path)})" for site, argument, path in QUERY_CASES}
    mutations = {f"{name}{list(path)}" for name, path in MUTATION_CASES}
    subscriptions = {f"{site.name}({argument})" for site, argument, _ in SUBSCRIPTION_CASES}

    # Then root and nested arguments, IDs, every mutation's text and both subscriptions are there
    assert {"participant(code[])", "contributions(filter['currencies'])", "node(id[])"} <= queries
    assert "contributions(after[])" in queries and "plans(after[])" in queries
    assert {
        "withdrawContribution['reason']",
        "registerContribution['idempotencyKey']",
        "registerContribution['externalReference']",
        "createPlan['partner']",
        "recordPlanReview['assessments', 'comment']",
        "updateObjective['requirement', 'currency']",
    } <= mutations
    assert {"contributionChanged(partner)", "overlapDetected(after)"} <= subscriptions


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("value", SURROGATES, ids=["high", "low-inside"])
async def test_every_query_argument_refuses_a_lone_surrogate_by_name(
    api: Api, value: str, form: str
) -> None:
    # Given every String or ID argument (or input field) of every field reachable from Query
    failures: list[str] = []
    for site, argument, path in QUERY_CASES:
        found = site.owner.fields[site.name]
        type_ = found.args[argument].type
        document = site.document("query", argument, selection_for(found.type))

        # When it carries a lone surrogate
        content = sent(
            document, argument, placed(None, type_, path, value), type_, form, the_surrogate(value)
        )
        _, body = await send_raw(api, content, json_body=True)

        # Then it is refused by name (never a server error or a masked one: `send_raw` checks)
        try:
            assert_refused(body, argument_named(argument, type_, path), document)
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("form", FORMS)
async def test_the_direct_and_the_ordinary_path_refuse_alike(
    api: Api, seeded_url: str, form: str
) -> None:
    # Given the same documents sent to an app with the compiled path and one without
    async with running_api(seeded_url, compiled_reads=False) as ordinary:
        for site, argument, path in QUERY_CASES:
            found = site.owner.fields[site.name]
            type_ = found.args[argument].type
            document = site.document("query", argument, selection_for(found.type))
            content = sent(
                document, argument, placed(None, type_, path, "\ud800"), type_, form, "\ud800"
            )

            # When each carries a lone surrogate
            direct = await api.client.post("/graphql", content=content, headers=_headers(api))
            plain = await ordinary.client.post(
                "/graphql", content=content, headers=_headers(ordinary)
            )

            # Then the answers are the same, byte for byte
            assert (direct.status_code, direct.content) == (plain.status_code, plain.content), (
                document
            )


FAST = """
query List($filter: ContributionFilter, $code: String!) {
  contributions(first: 5, filter: $filter) { nodes { id amount { amount currency } } }
  participant(code: $code) { name }
}
"""


async def test_a_document_the_direct_path_serves_is_refused_as_the_ordinary_path_does(
    api: Api, seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    served_directly: list[bool] = []
    execute = CompiledReads.answer

    async def spy(self: CompiledReads, *args: Any, **kwargs: Any) -> Any:
        result = await execute(self, *args, **kwargs)
        served_directly.append(result is not None)
        return result

    monkeypatch.setattr(CompiledReads, "answer", spy)

    # Given a document the compiled path serves, with good variables and with a lone surrogate
    good = {"filter": {"currencies": ["EUR"]}, "code": "GE"}
    bad = {"filter": {"currencies": ["EUR", "\ud800"]}, "code": "GE"}
    async with running_api(seeded_url, compiled_reads=False) as ordinary:
        answers = []
        for variables in (good, bad):
            # When both apps are asked
            content = body_of(FAST, variables)
            direct = await api.client.post("/graphql", content=content, headers=_headers(api))
            plain = await ordinary.client.post(
                "/graphql", content=content, headers=_headers(ordinary)
            )
            answers.append((direct, plain))

    # Then the compiled path answers the good one; the bad one is refused before execution, by
    # the same pipeline that refuses it without the compiled path: the same answers
    assert served_directly == [True]
    for direct, plain in answers:
        assert direct.json().get("errors") == plain.json().get("errors")
    assert "errors" not in answers[0][0].json()
    assert_refused(answers[1][0].json(), "filter.currencies[1]", FAST)


def _headers(api: Api, as_: str = "secretariat") -> dict[str, str]:
    return {"authorization": f"Bearer {api.tokens[as_]}", "content-type": "application/json"}


async def test_a_surrogate_in_a_field_name_or_a_variable_name_is_refused(api: Api) -> None:
    # Given a field name, and a variable name, holding a lone surrogate (graphql-core would
    # repeat the field name in its own error, which no encoder can send)
    document = "query($f: PlanFilter) { plans(filter: $f) { totalCount } }"
    for variables, named in (
        ({"f": {"kinds": ["IPAP"], "\ud800x": 1}}, "A field name in argument `filter`"),
        ({"f": None, "\udc00": 1}, "The name of a variable"),
    ):
        # When it is sent
        _, body = await send_raw(api, body_of(document, variables), json_body=True)

        # Then it is refused, saying where
        found = refusals(body)
        assert found and named in found[0]["message"], body
        assert body.get("data") is None


# --- mutations --------------------------------------------------------------------------------

LAST_POSITION = "{ changes(last: 1) { edges { node { position } } } }"


async def last_position(api: Api) -> int:
    edges = (await api.data(LAST_POSITION))["changes"]["edges"]
    return int(edges[0]["node"]["position"]) if edges else 0


@pytest.fixture(scope="module")
async def scene(writable_api: Api) -> Scene:
    plan = await given_plan(writable_api)
    objective = await given_objective(writable_api, plan)
    contribution = await given_contribution(writable_api, objective)
    return Scene(writable_api, plan, objective, contribution)


@pytest.mark.parametrize("form", FORMS)
async def test_every_mutation_input_refuses_a_lone_surrogate_and_writes_nothing(
    scene: Scene, form: str
) -> None:
    api = scene.api
    failures: list[str] = []
    for name, path in MUTATION_CASES:
        # Given a valid input of each mutation with one of its strings holding a lone surrogate
        type_ = next(iter(MUTATIONS.fields[name].args.values())).type
        value = placed(copy.deepcopy(await BASE_INPUTS[name](scene)), type_, path, "x\ud800")
        document = Site((), MUTATIONS, name).document(
            "mutation", "input", "{ userErrors { field message code } }"
        )
        before = await last_position(api)

        # When it is sent
        _, body = await send_raw(
            api, sent(document, "input", value, type_, form, "\ud800"), json_body=True
        )

        # Then it is refused by name, and nothing is written
        try:
            assert_refused(body, argument_named("input", type_, path), f"{name} {path}")
            assert await last_position(api) == before, f"{name} {path}: something was written"
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)


# --- subscriptions and WebSocket ----------------------------------------------------------------


@pytest.fixture
async def live(writable_api: Api) -> AsyncIterator[tuple[str, Api]]:
    """The writable database behind a real uvicorn, and a client that talks to it over HTTP."""
    url = str(writable_api.database.reader.url.render_as_string(hide_password=False))
    async with (
        served(create_app(Settings(database_url=url))) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        yield address, replace(writable_api, client=client)


@asynccontextmanager
async def socket(address: str, token: str) -> AsyncIterator[Any]:
    async with websockets.connect(
        f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
    ) as connection:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await connection.send(json.dumps(init))
        assert json.loads(await connection.recv()) == {"type": "connection_ack"}
        yield connection


async def answer(connection: Any, payload: bytes) -> dict[str, Any]:
    """Subscribes with `payload` (a request body) and returns the first message back."""
    request = json.loads(payload)
    message = {"id": uuid.uuid4().hex, "type": "subscribe", "payload": request}
    await connection.send(json.dumps(message))  # a text frame, the surrogate escaped
    received = await asyncio.wait_for(connection.recv(), 30)
    assert isinstance(received, str), "graphql-transport-ws messages are text frames"
    reply: dict[str, Any] = json.loads(received)
    return reply


@pytest.mark.parametrize("form", FORMS)
async def test_over_websocket_every_subscription_argument_and_a_mutation_are_refused(
    live: tuple[str, Api], scene: Scene, form: str
) -> None:
    address, api = live
    async with socket(address, api.tokens["secretariat"]) as connection:
        for site, argument, path in SUBSCRIPTION_CASES:
            # Given a subscription whose text argument holds a lone surrogate
            type_ = site.owner.fields[site.name].args[argument].type
            document = site.document("subscription", argument, "{ cursor }")
            value = placed(None, type_, path, "\ud800")
            payload = sent(document, argument, value, type_, form, "\ud800")

            # When it is subscribed to
            reply = await answer(connection, payload)

            # Then the socket answers with an error naming the argument, and stays open
            assert reply["type"] == "error", reply
            assert_refused(
                {"errors": reply["payload"]}, argument_named(argument, type_, path), document
            )

        # And a mutation sent over the socket is refused alike, writing nothing
        type_ = MUTATIONS.fields["withdrawContribution"].args["input"].type
        value = {**await BASE_INPUTS["withdrawContribution"](scene), "reason": "\ud800"}
        written = await last_position(api)
        document = Site((), MUTATIONS, "withdrawContribution").document(
            "mutation", "input", "{ userErrors { field } }"
        )
        reply = await answer(connection, sent(document, "input", value, type_, form, "\ud800"))
        assert reply["type"] == "error", reply
        assert_refused({"errors": reply["payload"]}, "input.reason", document)
        assert await last_position(api) == written


# --- text already stored ------------------------------------------------------------------------

CHANGES_AFTER = """
query($after: String) { changes(first: 10, after: $after) { edges { node { position after } } } }
"""
HISTORY = """
query($id: ID!) {
  node(id: $id) { ... on Contribution { history(first: 10) { nodes { action before after } } } }
}
"""
CURSOR = "{ changes(last: 1) { edges { cursor } } }"
SUBSCRIBE = """
subscription($after: String) {
  contributionChanged(after: $after) { event { action before after } contribution { id } }
}
"""


async def poison(api: Api, position: int) -> None:
    """Puts lone surrogates into a stored change event, through the store: in a value, in a
    field name, and in its `before` too. (No driver can send one in a text column.)"""
    async with api.database.writes() as session, session.begin():
        event = await session.get(ChangeEvent, position)
        assert event is not None and event.after is not None
        event.after = {**event.after, "reason": "\ud800", "note\udc00": "ok \udfff ok"}
        event.before = {**(event.before or {}), "description": "\udbff"}


async def test_a_stored_surrogate_never_breaks_a_read(live: tuple[str, Api], scene: Scene) -> None:
    address, api = live
    # Given a withdrawal whose change event holds lone surrogates, stored before they were refused
    contribution = await given_contribution(api, scene.objective)
    cursor = (await api.data(CURSOR))["changes"]["edges"][0]["cursor"]
    withdrawn = await api.data(
        """mutation($input: WithdrawContributionInput!) {
             withdrawContribution(input: $input) { userErrors { message } } }""",
        {"input": {"id": contribution, "expectedVersion": await scene.version(contribution)}},
    )
    assert withdrawn["withdrawContribution"]["userErrors"] == []
    position = await last_position(api)
    await poison(api, position)

    # When the feed, the history and a subscription replaying it are read, by two people
    for who in ("secretariat", "partner"):
        feed = await api.data(CHANGES_AFTER, {"after": cursor}, as_=who)
        history = await api.data(HISTORY, {"id": contribution}, as_=who)

        # Then each answers, with U+FFFD where the surrogates were
        (event,) = [
            e["node"] for e in feed["changes"]["edges"] if e["node"]["position"] == position
        ]
        assert event["after"]["reason"] == "\ufffd"
        assert event["after"]["note\ufffd"] == "ok \ufffd ok"
        withdrawal = history["node"]["history"]["nodes"][-1]
        assert withdrawal["action"] == "WITHDRAWN"
        assert withdrawal["before"]["description"] == "\ufffd"

    async with socket(address, api.tokens["secretariat"]) as connection:
        reply = await answer(connection, body_of(SUBSCRIBE, {"after": cursor}))
    assert reply["type"] == "next", reply
    replayed = reply["payload"]["data"]["contributionChanged"]["event"]
    assert replayed["action"] == "WITHDRAWN" and replayed["after"]["reason"] == "\ufffd"


async def test_the_migration_repairs_stored_surrogates(databases: Databases) -> None:
    # Given a database as it was before the repair, with change events holding lone surrogates
    # and, beside them, text that only looks alike (an escaped pair, Hangul)
    url = await databases.new_url()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0001")
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    events = {
        1: {"reason": "\ud800", "a\udc00": ["x \udbff y", 1]},
        2: {"reason": "\U0001f600 \ud55c\uad6d\uc5b4"},
        3: None,
    }
    table = ChangeEvent.__table__
    async with sessions() as session, session.begin():
        for position, after in events.items():
            await session.execute(
                sa.insert(table).values(
                    id=position,
                    entity_type="Contribution",
                    entity_id=1,
                    action=ChangeAction.UPDATED,
                    before=after,
                    after=after,
                )
            )
        if engine.dialect.name == "sqlite":
            # A foreign tool can write a surrogate's bytes into SQLite text; the driver cannot
            # read them back.
            bad_bytes = sa.literal(b"Contribution\xed\xa0\x80", sa.LargeBinary())
            await session.execute(
                sa.update(table)
                .where(table.c.id == 3)
                .values(entity_type=sa.cast(bad_bytes, sa.Text()))
            )

    # When it is migrated
    await engine.dispose()
    await asyncio.to_thread(upgrade, url)

    # Then the surrogates are U+FFFD and the rest is as it was
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            found = (await session.execute(sa.select(ChangeEvent))).scalars().all()
            rows = {event.id: (event.before, event.after, event.entity_type) for event in found}
    finally:
        await engine.dispose()
    repaired = {"reason": "\ufffd", "a\ufffd": ["x \ufffd y", 1]}
    assert rows[1] == (repaired, repaired, "Contribution")
    assert rows[2] == (events[2], events[2], "Contribution")
    sqlite = engine.dialect.name == "sqlite"
    assert rows[3] == (None, None, "Contribution\ufffd" if sqlite else "Contribution")


# --- blank text that names something ----------------------------------------------------------

REGISTER = """
mutation($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id } replayed userErrors { field message code }
  }
}
"""

# Free text, where blank means none; every other text input names something.
PROSE = {
    ("registerContribution", ("description",)),
    ("allocateContribution", ("description",)),
    ("updateContribution", ("description",)),
    ("withdrawContribution", ("reason",)),
    ("createPlan", ("summary",)),
    ("updatePlan", ("summary",)),
    ("transitionPlan", ("summary",)),
    ("addObjective", ("description",)),
    ("updateObjective", ("description",)),
    ("recordPlanReview", ("assessments", "comment")),
    ("registerContribution", ("items", "description")),
    ("updateContribution", ("items", "description")),
    ("recordDelivery", ("note",)),
}


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"], ids=["empty", "spaces", "tab-newline"])
async def test_a_blank_idempotency_key_is_refused_and_a_retry_makes_no_second_row(
    scene: Scene, blank: str
) -> None:
    api = scene.api
    before = await last_position(api)
    entry = {
        "objectiveId": scene.objective,
        "kind": "TRAINING",
        "amount": {"amount": "3.00", "currency": "EUR"},
        "startsOn": "2024-05-01",
        "idempotencyKey": blank,
    }
    for _ in range(2):
        # When the same registration is sent twice with a blank key
        data = await api.data(REGISTER, {"input": entry})

        # Then each is refused, naming the key
        payload = data["registerContribution"]
        assert payload["contribution"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["input", "idempotencyKey"], "INVALID")
        ]
    # And nothing was written
    assert await last_position(api) == before


def _field(path: Path, type_: graphql.GraphQLInputType) -> list[str]:
    return [
        "input",
        *argument_named("", type_, path).replace("[", ".").replace("]", "").split(".")[1:],
    ]


async def valid_input(scene: Scene, name: str) -> dict[str, Any]:
    """An input of mutation `name` that is written as it is."""
    base = copy.deepcopy(await BASE_INPUTS[name](scene))
    if name == "transitionPlan":  # the new ITPP is AGREED, so needs a date, and a code of its own
        base |= {"agreedOn": "2025-01-15", "code": unique("GE-ITPP")}
    return base


async def test_every_text_that_names_something_refuses_blank_and_prose_may_be_blank(
    scene: Scene,
) -> None:
    api = scene.api
    failures: list[str] = []
    for name, path in MUTATION_CASES:
        # Given a valid input of each mutation with one of its strings blank
        type_ = next(iter(MUTATIONS.fields[name].args.values())).type
        value = placed(await valid_input(scene, name), type_, path, "  ")
        document = Site((), MUTATIONS, name).document(
            "mutation", "input", "{ userErrors { field message code } }"
        )
        before = await last_position(api)

        # When it is sent
        _, body = await send_raw(api, body_of(document, {"v": value}), json_body=True)

        # Then prose is taken as none, and anything else is refused by name, writing nothing
        errors = body["data"][name]["userErrors"]
        expected = _field(path, type_)
        if (name, path) in PROSE:
            if errors:
                failures.append(f"{name} {path}: blank prose refused: {errors}")
        elif [error["field"] for error in errors] != [expected]:
            failures.append(f"{name} {path}: expected a user error at {expected}, got {errors}")
        elif await last_position(api) != before:
            failures.append(f"{name} {path}: refused, yet something was written")
    assert not failures, "\n".join(failures)
