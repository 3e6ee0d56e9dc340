"""A request's members (query, variables, operationName, extensions) on every path: a malformed
one is refused by name, never with a 500 nor a Python spelling of the value; a request that
fails before execution answers without `data`, whatever the media type."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from api.app import create_app
from api.settings import Settings
from tests.conftest import REQUEST_TIMEOUT, Api, running_api, served

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MEDIA_TYPES = [JSON, GRAPHQL_RESPONSE]
DOCUMENT = "query Q { __typename }"
# How Python, not JSON, writes values: none may reach a client.
PYTHON_SPELLINGS = ("{'", "['", "True", "False", "None")
SECONDS = 30

# A member, and a value of the wrong kind for it (absent: the member is left out).
ABSENT = object()
POSTED = [
    ("query", ABSENT),
    ("query", None),
    ("query", ""),
    ("query", 5),
    ("query", 1.5),
    ("query", True),
    ("query", False),
    ("query", [DOCUMENT]),
    ("query", {"query": DOCUMENT}),
    ("variables", "x"),
    ("variables", '{"a": 1}'),
    ("variables", [1]),
    ("variables", []),
    ("variables", 3),
    ("variables", True),
    ("variables", False),
    ("operationName", {"x": 1}),
    ("operationName", {}),
    ("operationName", [1]),
    ("operationName", ["Q"]),
    ("operationName", 3),
    ("operationName", 0),
    ("operationName", True),
    ("operationName", False),
    ("extensions", "x"),
    ("extensions", [1]),
    ("extensions", 3),
    ("extensions", True),
]
# Over GET every member is text, and `variables` and `extensions` are JSON text.
IN_THE_URL = [
    ("query", ABSENT),
    ("query", ""),
    ("variables", "x"),
    ("variables", "{nope"),
    ("variables", "[1]"),
    ("variables", "3"),
    ("variables", "true"),
    ("variables", '"{}"'),
    ("variables", "[" * 10_000),
    ("extensions", "x"),
    ("extensions", "[1]"),
    ("extensions", "false"),
]


def _ids(cases: list[tuple[str, Any]]) -> list[str]:
    return [
        f"{member}={'absent' if value is ABSENT else json.dumps(value)[:20]}"
        for member, value in cases
    ]


def _headers(api: Api, accept: str) -> dict[str, str]:
    return {"authorization": f"Bearer {api.tokens['ally']}", "accept": accept}


def assert_refused_by_name(response: httpx.Response, member: str, media_type: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(media_type)
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert f"`{member}`" in error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "member": member}
    assert not [spelling for spelling in PYTHON_SPELLINGS if spelling in error["message"]]


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize(("member", "value"), POSTED, ids=_ids(POSTED))
async def test_a_posted_member_of_the_wrong_kind_is_refused_by_name(
    api: Api, member: str, value: Any, media_type: str
) -> None:
    body: dict[str, Any] = {"query": DOCUMENT}
    if value is ABSENT:
        del body[member]
    else:
        body[member] = value

    response = await api.client.post("/graphql", json=body, headers=_headers(api, media_type))

    assert_refused_by_name(response, member, media_type)


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize(("member", "value"), IN_THE_URL, ids=_ids(IN_THE_URL))
async def test_a_member_in_the_url_of_the_wrong_kind_is_refused_by_name(
    api: Api, member: str, value: Any, media_type: str
) -> None:
    parameters: dict[str, Any] = {"query": DOCUMENT}
    if value is ABSENT:
        del parameters[member]
    else:
        parameters[member] = value

    response = await api.client.get(
        "/graphql", params=parameters, headers=_headers(api, media_type)
    )

    assert_refused_by_name(response, member, media_type)


@pytest.mark.parametrize("body", ["x", 5, None, True, {"query"}], ids=str)
async def test_a_body_that_is_no_object_is_refused(api: Api, body: Any) -> None:
    content = json.dumps(sorted(body) if isinstance(body, set) else body)

    response = await api.client.post(
        "/graphql",
        content=content,
        headers={**_headers(api, GRAPHQL_RESPONSE), "content-type": JSON},
    )

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "request body" in error["message"]
    assert not [spelling for spelling in PYTHON_SPELLINGS if spelling in error["message"]]


async def test_a_member_given_twice_in_the_url_is_refused(api: Api) -> None:
    response = await api.client.get(
        "/graphql",
        params=[("query", DOCUMENT), ("query", "{ __typename }")],
        headers=_headers(api, JSON),
    )

    assert_refused_by_name(response, "query", JSON)


# Requests that fail before execution -----------------------------------------------------------


@pytest.fixture(scope="module", params=["compiled path", "resolver path"])
async def strict(request: pytest.FixtureRequest, seeded_url: str) -> AsyncIterator[Api]:
    """The API with either read path, and a cost limit any connection exceeds."""
    direct = request.param == "compiled path"
    async with running_api(seeded_url, compiled_reads=direct, max_query_cost=1) as running:
        yield running


# (what fails, document, variables, operationName, a word the error holds)
REQUEST_ERRORS = [
    ("syntax", '{ plan(code: "GE-IPAP-2004") ', None, None, "Syntax Error"),
    ("validation", "{ nosuchfield }", None, None, "nosuchfield"),
    (
        "variables",
        "query($b: Boolean!) { __typename @include(if: $b) }",
        {"b": "yes"},
        None,
        "$b",
    ),
    ("missing variable", "query($b: Boolean!) { __typename @include(if: $b) }", {}, None, "$b"),
    ("unknown operation", "query A { __typename }", None, "B", "operationName"),
    ("several operations", "query A { a: __typename } query B { __typename }", None, "C", "A, B"),
    # No name for one of several: none runs (the first could be a mutation the client did not mean).
    ("no name", "query A { a: __typename } query B { __typename }", None, None, "A, B"),
    ("cost", "{ plans(first: 5) { totalCount } }", None, None, "cost"),
]


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize(
    ("fault", "document", "variables", "operation", "mentions"),
    REQUEST_ERRORS,
    ids=[case[0] for case in REQUEST_ERRORS],
)
async def test_a_request_error_has_no_data_whatever_the_media_type(
    strict: Api,
    fault: str,
    document: str,
    variables: dict[str, Any] | None,
    operation: str | None,
    mentions: str,
    media_type: str,
    method: str,
) -> None:
    request: dict[str, Any] = {"query": document}
    if variables is not None:
        request["variables"] = variables
    if operation is not None:
        request["operationName"] = operation
    headers = _headers(strict, media_type)

    if method == "POST":
        response = await strict.client.post("/graphql", json=request, headers=headers)
    else:
        if variables is not None:
            request["variables"] = json.dumps(variables)
        response = await strict.client.get("/graphql", params=request, headers=headers)

    # Well-formed requests: plain JSON keeps the legacy 200, the GraphQL media type says 400.
    assert response.status_code == (200 if media_type == JSON else 400), response.text
    assert response.headers["content-type"].startswith(media_type)
    body = response.json()
    assert "data" not in body, body
    assert mentions in json.dumps(body["errors"])
    assert all("path" not in error for error in body["errors"])


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
async def test_of_several_operations_with_no_name_none_runs(strict: Api, media_type: str) -> None:
    # Given a document whose first operation is a mutation, and no operationName
    document = (
        'mutation M { withdrawContribution(input: {id: "x", expectedVersion: 1}) '
        "{ userErrors { code } } } query Q { __typename }"
    )

    # When it is posted
    response = await strict.client.post(
        "/graphql", json={"query": document}, headers=_headers(strict, media_type)
    )

    # Then nothing ran: a request error naming operationName, and no data
    assert response.status_code == (200 if media_type == JSON else 400), response.text
    body = response.json()
    assert "data" not in body, body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "member": "operationName"}
    assert "M, Q" in error["message"]


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
async def test_a_failed_execution_keeps_its_data(strict: Api, media_type: str) -> None:
    # A field that cannot be null fails as the request runs: `data` is there, and null.
    response = await strict.client.post(
        "/graphql",
        json={"query": '{ nodes(ids: ["bad"]) { id } }'},
        headers=_headers(strict, media_type),
    )

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["nodes"]


VARIABLES = """
query($first: Int, $day: Date, $filter: PlanFilter) {
  plans(first: $first, filter: $filter) { totalCount }
  p: plans(filter: { activeOn: $day }) { totalCount }
}
"""


@pytest.mark.parametrize(
    ("variables", "written"),
    [
        ({"first": {"x": 1}}, '{"x": 1}'),
        ({"first": "ten"}, '"ten"'),
        ({"first": True}, "true"),
        ({"first": [1, 2]}, "[1, 2]"),
        ({"day": {"x": 1}}, '{"x": 1}'),
        ({"day": False}, "false"),
        ({"day": "2021-02-30"}, '"2021-02-30"'),
        ({"filter": "IPAP"}, '"IPAP"'),
        ({"filter": {"kinds": [None]}}, "null"),
        ({"filter": {"kinds": ["IPAP", 7]}}, "7"),
        ({"filter": {"nope": True}}, '{"nope": true}'),
        ({"filter": {"partners": [{"a": [None]}]}}, '{"a": [null]}'),
    ],
    ids=str,
)
async def test_variable_errors_write_the_value_as_json(
    api: Api, variables: dict[str, Any], written: str
) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": VARIABLES, "variables": variables},
        headers=_headers(api, JSON),
    )

    body = response.json()
    assert "data" not in body
    messages = " ".join(error["message"] for error in body["errors"])
    assert f"${next(iter(variables))}" in messages
    assert written in messages
    assert not [spelling for spelling in PYTHON_SPELLINGS if spelling in messages], messages


# Over a WebSocket ------------------------------------------------------------------------------


@asynccontextmanager
async def socket_to(seeded_url: str, api: Api) -> AsyncIterator[Any]:
    """An acknowledged graphql-transport-ws connection to a served app."""
    app = create_app(Settings(database_url=seeded_url, request_timeout=REQUEST_TIMEOUT))
    try:
        async with (
            served(app) as address,
            websockets.connect(
                f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
            ) as connection,
        ):
            init = {"Authorization": f"Bearer {api.tokens['ally']}"}
            await connection.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await connection.recv()) == {"type": "connection_ack"}
            yield connection
    finally:
        await app.state.database.dispose()


async def _received(connection: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(connection.recv(), SECONDS))
    return message


async def _still_answers(connection: Any) -> None:
    subscribe = {"id": "alive", "type": "subscribe", "payload": {"query": "{ __typename }"}}
    await connection.send(json.dumps(subscribe))
    answer = await _received(connection)
    assert (answer["id"], answer["type"]) == ("alive", "next"), answer
    assert answer["payload"]["data"] == {"__typename": "Query"}
    assert await _received(connection) == {"id": "alive", "type": "complete"}


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


SUBSCRIBED = [
    *[(member, value) for member, value in POSTED],
    ("payload", "x"),
    ("payload", None),
    ("payload", [DOCUMENT]),
]


@pytest.mark.parametrize(("member", "value"), SUBSCRIBED, ids=_ids(SUBSCRIBED))
async def test_a_subscribe_with_a_malformed_payload_gets_an_error_naming_the_member(
    seeded_url: str, api: Api, member: str, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    if member == "payload":
        payload: Any = value
    else:
        payload = {"query": DOCUMENT}
        if value is ABSENT:
            del payload[member]
        else:
            payload[member] = value

    async with socket_to(seeded_url, api) as connection:
        await connection.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        refused = await _received(connection)
        # The connection and its other operations go on.
        await _still_answers(connection)

    assert refused["id"] == "1" and refused["type"] == "error"
    (error,) = refused["payload"]
    named = "payload" if member == "payload" else f"`{member}`"
    assert named in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert not [spelling for spelling in PYTHON_SPELLINGS if spelling in error["message"]]
    _no_errors_logged(caplog)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (5, "object"),
        ([{"type": "ping"}], "object"),
        ({"type": 5}, "`type`"),
        ({"type": ["subscribe"]}, "`type`"),
        ({"type": "subscribe", "payload": {"query": DOCUMENT}}, "`id`"),
        ({"id": {"x": 1}, "type": "subscribe", "payload": {"query": DOCUMENT}}, "`id`"),
        ({"id": ["1"], "type": "subscribe", "payload": {"query": DOCUMENT}}, "`id`"),
        ({"id": "", "type": "subscribe", "payload": {"query": DOCUMENT}}, "`id`"),
        ({"id": {"x": 1}, "type": "complete"}, "`id`"),
        ({"type": "x" * 500}, "Unknown message type"),
    ],
    ids=str,
)
async def test_a_message_that_cannot_be_read_closes_the_socket_with_4400(
    seeded_url: str, api: Api, message: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with socket_to(seeded_url, api) as connection:
        await connection.send(json.dumps(message))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _received(connection)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert reason in closed.value.rcvd.reason
    _no_errors_logged(caplog)


async def test_a_request_error_over_a_socket_is_an_error_not_a_next(
    seeded_url: str, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    bad_variables = {
        "query": "query($first: Int) { plans(first: $first) { totalCount } }",
        "variables": {"first": {"x": True}},
    }
    unknown = {"query": DOCUMENT, "operationName": "Nope"}
    async with socket_to(seeded_url, api) as connection:
        await connection.send(
            json.dumps({"id": "v", "type": "subscribe", "payload": bad_variables})
        )
        variables_refused = await _received(connection)
        await connection.send(json.dumps({"id": "o", "type": "subscribe", "payload": unknown}))
        operation_refused = await _received(connection)
        # No `complete` follows an `error`: the next message answers the next operation.
        await _still_answers(connection)

    assert variables_refused["type"] == "error", variables_refused
    assert variables_refused["payload"][0]["message"].endswith('{"x": true}')
    assert operation_refused["type"] == "error", operation_refused
    assert "`operationName`" in operation_refused["payload"][0]["message"]
    assert '"Nope"' in operation_refused["payload"][0]["message"]
    _no_errors_logged(caplog)


async def test_gql_gets_request_errors_and_keeps_its_connection(seeded_url: str, api: Api) -> None:
    app = create_app(Settings(database_url=seeded_url, request_timeout=REQUEST_TIMEOUT))
    async with served(app) as address:
        transport = WebsocketsTransport(
            url=f"ws://{address}/graphql",
            init_payload={"Authorization": f"Bearer {api.tokens['ally']}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            ack_timeout=SECONDS,
        )
        async with Client(transport=transport) as session:
            with pytest.raises(TransportQueryError) as unknown:
                await session.execute(GraphQLRequest(DOCUMENT, operation_name="Nope"))
            with pytest.raises(TransportQueryError) as coerced:
                await session.execute(
                    GraphQLRequest(
                        "query($b: Boolean!) { __typename @include(if: $b) }",
                        variable_values={"b": "yes"},
                    )
                )
            answered = await session.execute(GraphQLRequest(DOCUMENT, operation_name="Q"))
    await app.state.database.dispose()

    assert "`operationName`" in str(unknown.value)
    assert '"yes"' in str(coerced.value) and "'yes'" not in str(coerced.value)
    assert answered == {"__typename": "Query"}
