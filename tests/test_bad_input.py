"""Every bad argument gets a clear error naming it: never a 500, never a stack trace."""

from __future__ import annotations

import pytest

from tests.conftest import Api

CASES = [
    # (document, argument named, code)
    ("{ plans(first: 1000) { totalCount } }", "first", "INVALID_ARGUMENT"),
    ("{ plans(first: -1) { totalCount } }", "first", "INVALID_ARGUMENT"),
    ("{ plans(last: 101) { totalCount } }", "last", "INVALID_ARGUMENT"),
    ("{ plans(first: 1, last: 1) { totalCount } }", "last", "INVALID_ARGUMENT"),
    ('{ plans(after: "not-a-cursor") { totalCount } }', "after", "INVALID_ARGUMENT"),
    ('{ plans(before: "eyJ4IjoxfQ") { totalCount } }', "before", "INVALID_ARGUMENT"),
    ('{ node(id: "malformed!") { id } }', "id", "INVALID_ARGUMENT"),
    ('{ node(id: "UGxhbjo5OTk5OTk5") { id } }', "id", "NOT_FOUND"),
    ('{ nodes(ids: ["UGxhbjox", "bad"]) { id } }', "ids[1]", "INVALID_ARGUMENT"),
    ('{ participant(code: "XX") { name } }', "code", "NOT_FOUND"),
    ('{ participant(code: "ge; drop table plan") { name } }', "code", "INVALID_ARGUMENT"),
    ('{ plan(code: "NOPE-1") { code } }', "code", "NOT_FOUND"),
    ("{ plan { code } }", "id", "INVALID_ARGUMENT"),
    ('{ plans(filter: { partners: ["ZZ"] }) { totalCount } }', "filter.partners", "NOT_FOUND"),
    (
        '{ contributions(filter: { contributors: ["QQ"] }) { totalCount } }',
        "filter.contributors",
        "NOT_FOUND",
    ),
    (
        '{ objectives(filter: { plans: ["UGFydGljaXBhbnQ6MQ"] }) { totalCount } }',
        "filter.plans",
        "INVALID_ARGUMENT",
    ),
]


@pytest.mark.parametrize(("document", "argument", "code"), CASES)
async def test_resolver_errors_name_the_argument(
    api: Api, document: str, argument: str, code: str
) -> None:
    body = await api.query(document)

    (error,) = body["errors"]
    assert error["extensions"]["argument"] == argument
    assert error["extensions"]["code"] == code
    assert argument.split("[")[0].split(".")[-1] in error["message"] or code == "NOT_FOUND"
    assert "Traceback" not in error["message"]


VALIDATION_CASES = [
    ("{ plans(filter: { kinds: [IPAP, FOO] }) { totalCount } }", "filter.kinds[1]", "FOO"),
    ('{ plans(filter: { activeOn: "2020-13-01" }) { totalCount } }', "filter.activeOn", "month"),
    ('{ plans(filter: { activeOn: "01/02/2020" }) { totalCount } }', "filter.activeOn", "YYYY"),
    ('{ plans(first: "ten") { totalCount } }', "first", "Int"),
    ("{ participant(code: 12) { name } }", "code", "String"),
]


@pytest.mark.parametrize(("document", "argument", "hint"), VALIDATION_CASES)
async def test_invalid_literals_name_the_argument(
    api: Api, document: str, argument: str, hint: str
) -> None:
    body = await api.query(document)

    (error,) = body["errors"]
    assert "data" not in body  # a request error: validation stopped it before execution
    assert error["extensions"]["argument"] == argument
    assert error["message"].startswith(f"Argument `{argument}`")
    assert hint in error["message"]


async def test_invalid_variables_name_the_variable(api: Api) -> None:
    body = await api.query(
        "query($day: Date) { plans(filter: { activeOn: $day }) { totalCount } }",
        {"day": "2021-02-30"},
    )

    (error,) = body["errors"]
    assert "$day" in error["message"]
    assert "calendar date" in error["message"]


async def test_unknown_field_errors_are_not_masked(api: Api) -> None:
    body = await api.query("{ plans { totalCount nonsense } }")

    (error,) = body["errors"]
    assert "nonsense" in error["message"]


# Values a client may write where another kind is expected.
WRONG_VALUES = ["true", "false", "null", "{x: 1}", '["a", 2]', "1.5", "ENUM"]
PYTHON_ONLY = ("True", "False", "None", "{'", "['", "Decimal(", "datetime.")
WRONG_PLACES = [
    "{{ plans(filter: {{ activeOn: {} }}) {{ totalCount }} }}",
    "{{ partners(asOf: {}) {{ totalCount }} }}",
    "{{ aidGaps(threshold: {}) {{ totalCount }} }}",
    "{{ node(id: {}) {{ id }} }}",
    "{{ participant(code: {}) {{ name }} }}",
]


@pytest.mark.parametrize("place", WRONG_PLACES)
@pytest.mark.parametrize("literal", WRONG_VALUES)
async def test_messages_write_values_as_json_never_as_python(
    api: Api, place: str, literal: str
) -> None:
    # Given a value of the wrong kind, written in the document
    body = await api.query(place.format(literal))

    # Then no message shows it, or anything else, the way Python would write it
    assert body.get("errors") or literal == "null", "null is a value of a nullable argument"
    for error in body.get("errors", []):
        assert not any(word in error["message"] for word in PYTHON_ONLY), error["message"]


@pytest.mark.parametrize(
    ("document", "value"),
    [
        ('{ participant(code: "Ü1") { name } }', '"Ü1"'),
        ('{ plan(code: "it\'s") { code } }', '"it\'s"'),
        ('{ node(id: "a\\"b") { id } }', '"a\\"b"'),
    ],
)
async def test_resolver_messages_quote_values_as_json(api: Api, document: str, value: str) -> None:
    body = await api.query(document)

    (error,) = body["errors"]
    assert value in error["message"], error["message"]
