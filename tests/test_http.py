"""GraphQL over HTTP: media types, status codes and refusals as the specification asks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from api.app import create_app
from api.settings import Settings
from tests.conftest import Api, served

GRAPHQL_RESPONSE = "application/graphql-response+json"
PLAN = '{ plan(code: "GE-IPAP-2004") { code } }'
WITHDRAW = 'mutation { withdrawContribution(input: { id: "x" }) { userErrors { code } } }'


async def _post(api: Api, body: Any, accept: str | None = GRAPHQL_RESPONSE, **extra: Any) -> Any:
    headers = {"authorization": f"Bearer {api.tokens['ally']}", **extra.pop("headers", {})}
    if accept is not None:
        headers["accept"] = accept
    return await api.client.post("/graphql", json=body, headers=headers, **extra)


@pytest.mark.parametrize(
    ("document", "variables", "mentions"),
    [
        ("{ plan(code: ", None, "Syntax Error"),
        ('{ plan(code: "x") { nosuchfield } }', None, "nosuchfield"),
        ("query Q($first: Int) { plans(first: $first) { totalCount } }", {"first": "ten"}, "first"),
        ("query A { __typename }", None, '"B"'),
    ],
)
async def test_request_errors_get_400_and_no_data_with_the_graphql_media_type(
    api: Api, document: str, variables: dict[str, Any] | None, mentions: str
) -> None:
    operation = "B" if document.startswith("query A") else None
    response = await _post(
        api, {"query": document, "variables": variables, "operationName": operation}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    assert mentions.lower() in body["errors"][0]["message"].lower()


async def test_request_errors_stay_200_with_plain_json(api: Api) -> None:
    response = await _post(api, {"query": "{ nosuchfield }"}, accept="application/json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"]


async def test_field_errors_are_a_partial_success(api: Api) -> None:
    response = await _post(api, {"query": '{ __typename plan(id: "nonsense") { code } }'})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"__typename": "Query", "plan": None}
    assert body["errors"][0]["path"] == ["plan"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, GRAPHQL_RESPONSE),  # the specification's default since 2025
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.2, application/json;q=0.9", "application/json"),
        ("text/html, */*;q=0.1", "application/json"),
    ],
)
async def test_the_media_type_follows_accept(api: Api, accept: str | None, media_type: str) -> None:
    headers = {"authorization": f"Bearer {api.tokens['ally']}"}
    request = api.client.build_request("POST", "/graphql", json={"query": PLAN}, headers=headers)
    del request.headers["accept"]
    if accept is not None:
        request.headers["accept"] = accept
    response = await api.client.send(request)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"


async def test_an_unacceptable_accept_gets_406(api: Api) -> None:
    response = await _post(api, {"query": PLAN}, accept="text/csv")

    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def _get(api: Api, document: str) -> Any:
    headers = {"authorization": f"Bearer {api.tokens['ally']}", "accept": GRAPHQL_RESPONSE}
    return await api.client.get("/graphql", params={"query": document}, headers=headers)


async def test_queries_work_over_get(api: Api) -> None:
    response = await _get(api, PLAN)

    assert response.status_code == 200
    assert response.json()["data"] == {"plan": {"code": "GE-IPAP-2004"}}


async def test_a_mutation_over_get_gets_405(api: Api) -> None:
    response = await _get(api, WITHDRAW)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "mutations are not allowed" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_the_limit_gets_413(api: Api, chunked: bool) -> None:
    payload = b'{"query": "{ __typename }", "variables": {"x": "' + b"a" * 1_100_000 + b'"}}'

    async def pieces() -> Any:  # no Content-Length: the limit holds while reading
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    response = await api.client.post(
        "/graphql",
        content=pieces() if chunked else payload,
        headers={
            "authorization": f"Bearer {api.tokens['ally']}",
            "content-type": "application/json",
        },
    )

    assert response.status_code == 413
    assert "larger than 1048576 bytes" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("content", "content_type", "status", "mentions"),
    [
        (b"NONSENSE", "application/json", 400, "not valid"),
        (b'{"query": "{ __typename }", "x": "\xff\xfe"}', "application/json", 400, "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "nests"),
        (b"{ __typename }", "text/plain", 415, "application/json"),
        (b'[{"query": "{ __typename }"}]', "application/json", 400, "batching"),
        (b'{"qeury": "{ __typename }"}', "application/json", 400, "No GraphQL query"),
        (b'{"query": "{ __typename }", "variables": [7]}', "application/json", 400, "variables"),
    ],
)
async def test_malformed_requests_get_a_graphql_error_naming_the_fault(
    api: Api, content: bytes, content_type: str, status: int, mentions: str
) -> None:
    response = await api.client.post(
        "/graphql",
        content=content,
        headers={"authorization": f"Bearer {api.tokens['ally']}", "content-type": content_type},
    )

    assert response.status_code == status
    error = response.json()["errors"][0]
    assert mentions.lower() in error["message"].lower()
    assert error["extensions"]["code"] == "BAD_REQUEST"


async def test_unauthenticated_requests_get_401_in_the_negotiated_type(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": PLAN}, headers={"accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_a_client_that_leaves_mid_body_is_no_error(
    seeded_url: str, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(database_url=seeded_url))
    async with served(app) as address:
        host, port = address.split(":")
        # Given a request that promises 100 bytes of body and sends 10
        _, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {api.tokens['ally']}\r\n".encode()
            + b"Content-Length: 100\r\n\r\n"
            + b'{"query":'
        )
        await writer.drain()
        # When the client goes away
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.2)
    await app.state.database.dispose()

    # Then nothing is logged as an error: there was no one left to answer
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
