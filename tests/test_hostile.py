"""Hostile input, case by case: documents built to exhaust the server, bodies that are not what they
claim, numbers and strings beyond any sane size, SQL metacharacters in every string the schema
takes, and variables of the wrong type. Each gets a clear GraphQL error or a clear 4xx: never a
5xx, a stack trace, or an exception masked as unexpected.

Requests go with the test client's default `Accept` (application/json), under which a GraphQL
request error is still HTTP 200 with `errors`. Where a limit may answer before the GraphQL layer
(a body size limit, a cost limit), the tests accept either answer and assert only `status < 500`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import graphql
import httpx
import pytest

from tests.conftest import Api
from tests.fuzzing import (
    SERVED,
    SQL_METACHARACTERS,
    named_type,
    no_server_error,
    raw_cursor,
    raw_id,
    send_raw,
    unexpected_errors,
)

# --- helpers --------------------------------------------------------------------------------


async def send(
    api: Api, document: str, variables: dict[str, Any] | None = None, as_: str = "secretariat"
) -> tuple[httpx.Response, dict[str, Any]]:
    """The response and its body, once they are known to show no server error."""
    with unexpected_errors() as logged:
        response = await api.post(document, variables, as_)
    return response, no_server_error(response, logged, (document[:2000], variables))


def messages(body: dict[str, Any]) -> str:
    return " | ".join(str(error.get("message")) for error in body.get("errors") or ())


def refused(response: httpx.Response, body: dict[str, Any], *hints: str) -> None:
    """A clear refusal: a 4xx, or GraphQL errors whose message says one of `hints`."""
    if 400 <= response.status_code < 500 and not body.get("errors"):
        return
    assert body.get("errors"), (response.status_code, response.text[:1000])
    text = messages(body).lower()
    assert any(hint.lower() in text for hint in hints), text[:1000]


# --- documents that ask for too much --------------------------------------------------------


def fragment_chain(length: int) -> str:
    """`{ ...F0 }` with F0 spreading F1, F1 spreading F2... down to one field: no field is
    deeper than the first, so only the document's size can stop it."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} }}" for n in range(length - 1)] + [
        f"fragment F{length - 1} on Query {{ __typename }}"
    ]
    return "{ ...F0 } " + " ".join(fragments)


def predecessor_fragments(depth: int) -> str:
    """A chain of fragments each one `predecessor` deeper: depth hidden behind spreads."""
    fragments = [
        f"fragment P{n} on Plan {{ code predecessor {{ ...P{n + 1} }} }}" for n in range(depth)
    ] + [f"fragment P{depth} on Plan {{ code }}"]
    return '{ plan(code: "MD-ITPP-2025") { ...P0 } } ' + " ".join(fragments)


def nested_selections(depth: int) -> str:
    """`plan { predecessor { predecessor { ... } } }`, `depth` levels: two tokens a level, so as
    deep as the token budget allows. A recursive parser or validator would run out of stack."""
    return (
        '{ plan(code: "GE-IPAP-2004") { '
        + "predecessor { " * depth
        + "code"
        + " }" * depth
        + " } }"
    )


FRAGMENT_CYCLE = """
query { ...A }
fragment A on Query { viewer { role } ...B }
fragment B on Query { ...A }
"""

SELF_SPREAD = """
query { plans(first: 1) { nodes { ...Self } } }
fragment Self on Plan { code predecessor { ...Self } }
"""


async def test_deeply_nested_fragments_are_refused_by_depth(api: Api) -> None:
    # Given a plan chain 40 levels deep, each level in its own fragment
    document = predecessor_fragments(40)

    # When it is sent
    response, body = await send(api, document)

    # Then the depth limit sees through the spreads
    refused(response, body, "depth")


async def test_a_short_chain_of_fragments_is_answered(api: Api) -> None:
    # Given fragments spreading each other 20 deep, as a generated client might
    document = fragment_chain(20)

    # When it is sent
    _, body = await send(api, document)

    # Then it is answered
    assert body["data"] == {"__typename": "Query"}, messages(body)


@pytest.mark.parametrize("length", [300, 3_000], ids=["300", "3000"])
async def test_long_chains_of_fragments_are_refused_cleanly(api: Api, length: int) -> None:
    # Given fragments spreading each other hundreds or thousands deep (within the token budget,
    # or beyond it)
    document = fragment_chain(length)

    # When it is sent
    response, body = await send(api, document)

    # Then a limit refuses it by name, not a recursion error
    assert "recursion" not in messages(body)
    refused(response, body, "fragments spread", "token")


async def test_deep_nesting_up_to_the_token_budget_does_not_crash_the_parser(api: Api) -> None:
    # Given selections nested as deep as 5,000 tokens allow
    document = nested_selections(2_480)

    # When it is sent
    response, body = await send(api, document)

    # Then a limit refuses it (the parser's nesting, depth, tokens, cost...), never a recursion
    # error
    assert "recursion" not in messages(body)
    refused(response, body, "nested too deeply", "depth", "token", "cost", "limit")


@pytest.mark.parametrize("document", [FRAGMENT_CYCLE, SELF_SPREAD], ids=["two", "self"])
async def test_fragment_cycles_are_refused(api: Api, document: str) -> None:
    # Given fragments that spread each other, or themselves, forever

    # When the document is sent
    response, body = await send(api, document)

    # Then validation names the cycle instead of recursing without end
    refused(response, body, "cannot spread fragment")


async def test_ten_thousand_aliases_are_refused(api: Api) -> None:
    # Given 10,000 aliases of one field
    document = "{ " + " ".join(f"a{n}: __typename" for n in range(10_000)) + " }"

    # When it is sent
    response, body = await send(api, document)

    # Then a limit refuses it (the aliases, or the tokens first)
    refused(response, body, "aliases", "token", "cost", "too large", "limit")


# --- sizes beyond reason --------------------------------------------------------------------

MEGABYTES = 3

PARTICIPANT_BY_CODE = "query($code: String!) { participant(code: $code) { name } }"

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id amount { amount currency } }
    userErrors { field message code }
  }
}
"""


async def test_a_string_of_several_megabytes_is_refused(api: Api) -> None:
    # Given a string argument of several megabytes, inline and as a variable
    huge = "A" * (MEGABYTES * 1024 * 1024)
    inline = f'{{ participant(code: "{huge}") {{ name }} }}'

    for document, variables in ((inline, None), (PARTICIPANT_BY_CODE, {"code": huge})):
        # When it is sent
        response, body = await send(api, document, variables)

        # Then a body limit (413) or the argument check refuses it
        refused(response, body, "code", "larger than", "too large", "limit")


@pytest.mark.parametrize(
    "literal",
    ["1e400", str(2**64), "9" * 10_000, "-" + "9" * 10_000, "1.5", "0x10"],
    ids=["1e400", "2**64", "10k-digits", "minus-10k-digits", "fraction", "hex"],
)
async def test_huge_or_odd_numbers_for_first_are_refused(api: Api, literal: str) -> None:
    # Given a page size that is not a 32-bit integer, written inline
    document = f"{{ plans(first: {literal}) {{ totalCount }} }}"

    # When it is sent
    response, body = await send(api, document)

    # Then the argument is refused by name (or the document by the parser)
    refused(response, body, "first", "syntax error", "int cannot represent")


@pytest.mark.parametrize(
    "raw",
    ["1e400", str(2**64), "9" * 10_000, "NaN", "Infinity", "1.5", "true", '"10"'],
    ids=["1e400", "2**64", "10k-digits", "NaN", "Infinity", "fraction", "bool", "string"],
)
async def test_huge_or_odd_numbers_as_variables_are_refused(api: Api, raw: str) -> None:
    # Given a variable `$first: Int` whose JSON value is not a 32-bit integer (written by hand:
    # a JSON encoder would not produce 1e400, NaN or a 10,000-digit literal)
    content = (
        '{"query": "query($first: Int) { plans(first: $first) { totalCount } }",'
        f' "variables": {{"first": {raw}}}}}'
    ).encode()

    # When it is sent
    response, body = await send_raw(api, content)

    # Then the variable is refused by name, or the body as unreadable: never a server error
    if response.status_code == 200:
        refused(response, body, "$first")
    else:
        assert 400 <= response.status_code < 500, response.text[:500]


@pytest.mark.parametrize(
    "amount",
    ["9" * 10_000, "1" + "0" * 12, "1e400", "NaN", "-1", "0.001", "0." + "0" * 5_000 + "1"],
    ids=["10k-digits", "trillion", "1e400", "NaN", "negative", "too-precise", "5k-places"],
)
async def test_absurd_amounts_are_refused_as_user_errors(writable_api: Api, amount: str) -> None:
    # Given an objective to support
    objective = await given_objective(writable_api, await given_plan(writable_api))

    # When a contribution is registered with an absurd amount
    _, body = await send(
        writable_api,
        REGISTER,
        {
            "input": {
                "objectiveId": objective,
                "kind": "FUNDING",
                "amount": {"amount": amount, "currency": "EUR"},
                "startsOn": "2024-03-01",
            }
        },
    )

    # Then it is refused, as a user error on the amount or as an invalid Decimal
    if "errors" in body:
        refused(httpx.Response(200), body, "decimal", "$input")
    else:
        (error,) = body["data"]["registerContribution"]["userErrors"]
        assert error["field"] == ["input", "amount", "amount"], error


# --- bodies that are not what they claim ----------------------------------------------------

BAD_BODIES = {
    "invalid UTF-8": b'{"query": "{ viewer { role } }", "x": "\xff\xfe\xc3\x28"}',
    "invalid UTF-8 in the query": b'{"query": "{ participant(code: \\"\xc3\x28\\") { name } }"}',
    "not JSON": b"query { viewer { role } }",
    "truncated JSON": b'{"query": "{ viewer { role } }"',
    "JSON but a list": b'[{"query": "{ viewer { role } }"}]',
    "JSON but a string": b'"{ viewer { role } }"',
    "JSON but null": b"null",
    "query not a string": b'{"query": {"a": 1}}',
    "variables not an object": b'{"query": "{ viewer { role } }", "variables": [1, 2]}',
    "operationName not a string": b'{"query": "{ viewer { role } }", "operationName": 7}',
    "empty": b"",
    "NUL bytes": b"\x00" * 64,
    "JSON nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "variables nested 100,000 deep": (
        b'{"query": "{ viewer { role } }", "variables": {"v": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}"
    ),
}
BODY_CASES = [pytest.param(content, id=name) for name, content in BAD_BODIES.items()]


@pytest.mark.parametrize("content", BODY_CASES)
async def test_malformed_bodies_get_a_client_error(api: Api, content: bytes) -> None:
    # Given a body that is not a GraphQL request in JSON

    # When it is posted as JSON
    response, body = await send_raw(api, content)

    # Then the answer is a 4xx, or a GraphQL error, with no stack trace
    assert 400 <= response.status_code < 500 or body.get("errors"), response.text[:500]


# --- variables of the wrong type ------------------------------------------------------------

WRONG_VARIABLES = [
    # (document, variables, the variable the error must name)
    ("query($first: Int) { plans(first: $first) { totalCount } }", {"first": "ten"}, "$first"),
    ("query($first: Int) { plans(first: $first) { totalCount } }", {"first": [1]}, "$first"),
    ("query($first: Int) { plans(first: $first) { totalCount } }", {"first": 2**64}, "$first"),
    ("query($id: ID!) { node(id: $id) { id } }", {"id": {"a": 1}}, "$id"),
    ("query($id: ID!) { node(id: $id) { id } }", {"id": [raw_id("Plan", 1)]}, "$id"),
    ("query($id: ID!) { node(id: $id) { id } }", {"id": None}, "$id"),
    ("query($id: ID!) { node(id: $id) { id } }", {}, "$id"),
    ("query($code: String!) { participant(code: $code) { name } }", {"code": ["GE"]}, "$code"),
    ("query($code: String!) { participant(code: $code) { name } }", {"code": 12}, "$code"),
    ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [None]}, "$ids"),
    (
        "query($f: PlanFilter) { plans(filter: $f) { totalCount } }",
        {"f": {"kinds": ["FOO"]}},
        "$f",
    ),
    ("query($f: PlanFilter) { plans(filter: $f) { totalCount } }", {"f": {"nope": 1}}, "$f"),
    ("query($f: PlanFilter) { plans(filter: $f) { totalCount } }", {"f": "GE"}, "$f"),
    (
        "query($f: PlanFilter) { plans(filter: $f) { totalCount } }",
        {"f": {"activeOn": 20240101}},
        "$f",
    ),
    (
        "query($t: Decimal!) { aidGaps(threshold: $t) { totalCount } }",
        {"t": 0.5},
        "$t",
    ),
    ("query($t: Decimal!) { aidGaps(threshold: $t) { totalCount } }", {"t": "NaN"}, "$t"),
    ("query($t: Decimal!) { aidGaps(threshold: $t) { totalCount } }", {"t": {"a": 1}}, "$t"),
    ("query($d: Date) { partners(asOf: $d) { totalCount } }", {"d": ["2024-01-01"]}, "$d"),
]


@pytest.mark.parametrize(("document", "variables", "name"), WRONG_VARIABLES)
async def test_variables_of_the_wrong_type_are_refused_by_name(
    api: Api, document: str, variables: dict[str, Any], name: str
) -> None:
    # Given a variable whose value does not fit its declared type

    # When it is sent
    response, body = await send(api, document, variables)

    # Then the error names the variable, and nothing ran
    assert response.status_code < 500
    assert body.get("data") is None, body
    assert name in messages(body), messages(body)


# --- forged cursors and IDs -----------------------------------------------------------------

PLANS_AFTER = "query($after: String) { plans(first: 2, after: $after) { totalCount } }"
OBJECTIVES_AFTER = """
query($after: String) {
  objectives(first: 2, after: $after, orderBy: {field: PRIORITY}) { totalCount }
}
"""
PLANS_BY_CODE_AFTER = """
query($after: String) { plans(first: 2, after: $after, orderBy: {field: CODE}) { totalCount } }
"""
CHANGES_AFTER = "query($after: String) { changes(first: 2, after: $after) { totalCount } }"
OVERLAPS_AFTER = "query($after: String) { aidOverlaps(first: 2, after: $after) { totalCount } }"

FORGED_CURSORS = [
    (PLANS_AFTER, raw_cursor(["AGREED_ON", "2024-01-01", 2**64])),
    (PLANS_AFTER, raw_cursor(["AGREED_ON", "2024-01-01", 2**31])),
    (PLANS_AFTER, raw_cursor(["AGREED_ON", ["2024-01-01"], 1])),
    (PLANS_BY_CODE_AFTER, raw_cursor(["CODE", ["GE"], 1])),
    (PLANS_BY_CODE_AFTER, raw_cursor(["CODE", {"a": 1}, 1])),
    (PLANS_BY_CODE_AFTER, raw_cursor(["CODE", 12, 1])),
    (PLANS_BY_CODE_AFTER, raw_cursor(["CODE", "'; --\x00", 1])),
    (OBJECTIVES_AFTER, raw_cursor(["PRIORITY", "HIGH", 1])),
    (OBJECTIVES_AFTER, raw_cursor(["PRIORITY", 2**70, 1])),
    (OBJECTIVES_AFTER, raw_cursor(["PRIORITY", 1.5, 1])),
    (OBJECTIVES_AFTER, raw_cursor(["PRIORITY", True, 1])),
    (CHANGES_AFTER, raw_cursor(["POSITION", 2**64, 2**64])),
    (CHANGES_AFTER, raw_cursor(["POSITION", "1", 1])),
    (OVERLAPS_AFTER, raw_cursor(["SCORE", "abc", 1])),
    (OVERLAPS_AFTER, raw_cursor(["SCORE", "NaN", 1])),
    (OVERLAPS_AFTER, raw_cursor(["SCORE", "1e400", 1])),
    (OVERLAPS_AFTER, raw_cursor(["SCORE", [1], 1])),
    (
        "query($after: String) { contributions(first: 2, after: $after) { totalCount } }",
        raw_cursor(["CREATED_AT", "2024-01-01T00:00:00", 1]),
    ),
]


@pytest.mark.parametrize(("document", "cursor"), FORGED_CURSORS)
async def test_forged_cursors_are_refused(api: Api, document: str, cursor: str) -> None:
    # Given a cursor this API could never have issued: a key beyond any integer column, a sort
    # value of the wrong type, a date-time without a time zone

    # When a page after it is asked for
    response, body = await send(api, document, {"after": cursor})

    # Then the cursor is refused by name
    refused(response, body, "`after`")


@pytest.mark.parametrize("key", [0, -1, 2**31, 2**63, 2**64, 10**30, "1e3", "0x10", " 1"])
async def test_ids_with_keys_that_cannot_exist_are_refused(api: Api, key: object) -> None:
    # Given an ID of the right shape whose key no row can have

    # When it is looked up
    response, body = await send(
        api, "query($id: ID!) { node(id: $id) { id } }", {"id": raw_id("Plan", key)}
    )

    # Then it is an invalid ID, named
    refused(response, body, "not a valid id")


# --- SQL metacharacters in every string the schema takes ------------------------------------

Path = tuple[str | int, ...]


def scalar_paths(
    type_: graphql.GraphQLInputType, scalars: frozenset[str], seen: frozenset[str] = frozenset()
) -> Iterator[Path]:
    """Every place a value of one of `scalars` goes inside a value of `type_`."""
    inner = named_type(type_)
    if isinstance(inner, graphql.GraphQLScalarType) and inner.name in scalars:
        yield ()
    elif isinstance(inner, graphql.GraphQLInputObjectType) and inner.name not in seen:
        for name, found in inner.fields.items():
            for rest in scalar_paths(found.type, scalars, seen | {inner.name}):
                yield (name, *rest)


# An ID is a string on the wire, and the first thing the server does is parse it.
STRINGS = frozenset({"String", "ID"})


def string_paths(type_: graphql.GraphQLInputType) -> Iterator[Path]:
    return scalar_paths(type_, STRINGS)


def is_list(type_: graphql.GraphQLType) -> bool:
    if isinstance(type_, graphql.GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, graphql.GraphQLList)


def placed(base: Any, type_: graphql.GraphQLInputType, path: Path, value: str) -> Any:
    """`base` (a value of `type_`) with `value` at `path`, inside lists where the type has them."""
    if is_list(type_):
        item_type = graphql.get_nullable_type(type_).of_type  # type: ignore[union-attr]
        first = base[0] if isinstance(base, list) and base else None
        return [placed(first, item_type, path, value)]
    if not path:
        return value
    inner = named_type(type_)
    assert isinstance(inner, graphql.GraphQLInputObjectType)
    head, *rest = path
    result = dict(base or {})
    result[str(head)] = placed(
        result.get(str(head)), inner.fields[str(head)].type, tuple(rest), value
    )
    return result


@dataclass(frozen=True)
class Site:
    """A field that takes arguments, and the selections that lead to it from the root."""

    path: tuple[str, ...]
    owner: graphql.GraphQLObjectType
    name: str

    def document(self, kind: str, argument: str, selection: str) -> str:
        found = self.owner.fields[self.name]
        declared = f"$v: {found.args[argument].type}"
        inner = f"{self.name}({argument}: $v) {selection}"
        for step in reversed(self.path):
            inner = f"{step} {{ {inner} }}"
        return f"{kind} Hostile({declared}) {{ {inner} }}"


def query_sites(schema: graphql.GraphQLSchema) -> list[Site]:
    """Every field with arguments, reached by the shortest path from Query that needs no argument
    (a connection is asked for two items, so nested fields run for real rows)."""
    assert schema.query_type is not None
    found: list[Site] = []
    reached = {schema.query_type.name}
    queue: list[tuple[graphql.GraphQLObjectType, tuple[str, ...]]] = [(schema.query_type, ())]
    while queue:
        owner, path = queue.pop(0)
        for name, field_ in owner.fields.items():
            if field_.args:
                found.append(Site(path, owner, name))
            target = named_type(field_.type)
            if not isinstance(target, graphql.GraphQLObjectType) or target.name in reached:
                continue
            if any(graphql.is_required_argument(argument) for argument in field_.args.values()):
                continue
            reached.add(target.name)
            step = f"{name}(first: 2)" if "first" in field_.args else name
            queue.append((target, (*path, step)))
    return found


def selection_for(type_: graphql.GraphQLOutputType) -> str:
    target = named_type(type_)
    if not isinstance(target, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
        return ""
    return "{ totalCount }" if "totalCount" in target.fields else "{ __typename }"


Case = tuple[Site, str, Path]


def query_cases(scalars: frozenset[str]) -> list[Case]:
    """Every place, in every argument of every field reachable from Query, that takes one of
    `scalars`."""
    return [
        (site, argument, path)
        for site in query_sites(SERVED)
        for argument, found in site.owner.fields[site.name].args.items()
        for path in scalar_paths(found.type, scalars)
    ]


QUERY_CASES = query_cases(STRINGS)


async def sent_everywhere(
    api: Api, cases: list[Case], value: object, *, baseline: bool = False
) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """`value` at each place in turn, each answer shown to have no server error; with `baseline`,
    the answer without the argument as well. Every place is tried before any assertion fails,
    so one run lists all the places that fail."""
    answers: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    failures: list[str] = []
    for site, argument, path in cases:
        found = site.owner.fields[site.name]
        argument_type = found.args[argument].type
        document = site.document("query", argument, selection_for(found.type))
        try:
            _, body = await send(api, document, {"v": placed(None, argument_type, path, value)})
            unfiltered = (await send(api, document, {"v": None}))[1] if baseline else None
        except AssertionError as failure:
            failures.append(str(failure).split("\nmasked:")[0])
            continue
        answers.append((f"{document} at {argument}{list(path)}", body, unfiltered))
    assert not failures, "\n\n".join(failures)
    return answers


def total_counts(value: Any) -> int:
    """The sum of every `totalCount` in a response's data."""
    if isinstance(value, dict):
        return sum(
            item if key == "totalCount" else total_counts(item) for key, item in value.items()
        )
    if isinstance(value, list):
        return sum(total_counts(item) for item in value)
    return 0


def test_the_walk_finds_the_string_filters() -> None:
    # Given the walk over the served schema
    found = {
        f"{site.owner.name}.{site.name}({argument}{''.join('.' + str(p) for p in path)})"
        for site, argument, path in QUERY_CASES
    }

    # Then it reaches root and nested string filters alike, so a new one cannot be missed
    for expected in (
        "Query.participant(code)",
        "Query.partners(filter.regions)",
        "Query.contributions(filter.currencies)",
        "Query.changes(filter.entityTypes)",
        "Query.aidGaps(filter.partners)",
        "Plan.contributions(filter.contributors)",
        "Query.plans(after)",
    ):
        assert expected in found, sorted(found)


@pytest.mark.parametrize("value", SQL_METACHARACTERS, ids=repr)
async def test_sql_metacharacters_in_every_query_string_are_harmless(api: Api, value: str) -> None:
    # Given every string argument (or string inside an input) of every field, anywhere in the
    # graph, in turn

    # When it carries the metacharacter (and, for a LIKE wildcard, when it is left out)
    wildcard = value in ("%", "_")
    answers = await sent_everywhere(api, QUERY_CASES, value, baseline=wildcard)

    # Then no server error anywhere (checked as they are sent), and a wildcard matches nothing
    # more than the exact text would: never the whole list
    matched_everything = [
        where
        for where, body, unfiltered in answers
        if unfiltered is not None
        and 0 < total_counts(unfiltered.get("data")) <= total_counts(body.get("data"))
    ]
    assert not matched_everything, "\n".join(matched_everything)


EXTREMES = [
    # (the scalars it is tried in, the value): the ends of each type's range, where date
    # arithmetic overflows and integers stop fitting a column
    (frozenset({"Date"}), "0001-01-01"),
    (frozenset({"Date"}), "9999-12-31"),
    (frozenset({"Int"}), 2**31 - 1),
    (frozenset({"Int"}), -(2**31)),
    (frozenset({"Decimal"}), "9" * 40),
    (frozenset({"Decimal"}), "-0.000000001"),
]


@pytest.mark.parametrize(("scalars", "value"), EXTREMES, ids=[repr(v)[:12] for _, v in EXTREMES])
async def test_extreme_values_in_every_query_argument_are_harmless(
    api: Api, scalars: frozenset[str], value: object
) -> None:
    # Given every argument of these scalars, anywhere in the graph, in turn
    cases = query_cases(scalars)
    assert cases, scalars

    # When it carries the extreme value
    answers = await sent_everywhere(api, cases, value)

    # Then each is answered, or refused with a clear error (no server error: checked as sent)
    assert len(answers) == len(cases)


# Mutations: one valid input each, as the secretariat sends it, and the hostile text put in each of
# its strings in turn. A mutation with no base input here fails `test_every_mutation_is_covered`.


@dataclass
class Scene:
    """Rows for mutations to act on: a plan in force, an objective, a contribution."""

    api: Api
    plan: str
    objective: str
    contribution: str

    async def version(self, global_id: str) -> int:
        _, body = await send(self.api, VERSION, {"id": global_id})
        return int(body["data"]["node"]["version"])


VERSION = """
query($id: ID!) {
  node(id: $id) {
    ... on Plan { version }
    ... on Objective { version }
    ... on Contribution { version }
  }
}
"""

CREATE_PLAN = """
mutation($input: CreatePlanInput!) {
  createPlan(input: $input) { plan { id } userErrors { message } }
}
"""
ADD_OBJECTIVE = """
mutation($input: AddObjectiveInput!) {
  addObjective(input: $input) { objective { id } userErrors { message } }
}
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def _created(api: Api, mutation: str, field: str, entity: str, values: dict[str, Any]) -> str:
    """The ID of what a mutation created, which must have had no user errors."""
    _, body = await send(api, mutation, {"input": values})
    assert body["data"][field]["userErrors"] == [], body
    return str(body["data"][field][entity]["id"])


async def given_plan(api: Api) -> str:
    """A fresh IPAP in force for Georgia."""
    values = {
        "partner": "GE",
        "kind": "IPAP",
        "title": "Hostile input plan",
        "code": unique("GE-H"),
        "status": "ACTIVE",
        "agreedOn": "2024-01-15",
    }
    return await _created(api, CREATE_PLAN, "createPlan", "plan", values)


async def given_objective(api: Api, plan: str) -> str:
    values = {
        "planId": plan,
        "code": unique("H"),
        "category": "CIVIL_PREPAREDNESS",
        "title": "Flood response capacity",
        "requirement": {"amount": "50000", "currency": "EUR"},
    }
    return await _created(api, ADD_OBJECTIVE, "addObjective", "objective", values)


async def given_contribution(api: Api, objective: str) -> str:
    values = {
        "objectiveId": objective,
        "kind": "FUNDING",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "startsOn": "2024-03-01",
    }
    return await _created(api, REGISTER, "registerContribution", "contribution", values)


Base = Callable[[Scene], Awaitable[dict[str, Any]]]


async def _create_plan(scene: Scene) -> dict[str, Any]:
    return {"partner": "GE", "kind": "IPAP", "title": "Plan", "code": unique("GE-M")}


async def _update_plan(scene: Scene) -> dict[str, Any]:
    return {"id": scene.plan, "expectedVersion": await scene.version(scene.plan), "title": "T"}


async def _add_objective(scene: Scene) -> dict[str, Any]:
    return {
        "planId": scene.plan,
        "code": unique("M"),
        "category": "PUBLIC_DIPLOMACY",
        "title": "Objective",
        "requirement": {"amount": "10.00", "currency": "EUR"},
    }


async def _update_objective(scene: Scene) -> dict[str, Any]:
    version = await scene.version(scene.objective)
    return {
        "id": scene.objective,
        "expectedVersion": version,
        "requirement": {"amount": "20.00", "currency": "EUR"},
    }


def _items(unit_value: str) -> list[dict[str, str]]:
    return [
        {
            "category": "TRAINING_COURSES",
            "description": "A staff course",
            "quantity": "1",
            "unit": "course place",
            "unitValue": unit_value,
            "valuation": "DONOR_DECLARED",
        }
    ]


async def _register(scene: Scene) -> dict[str, Any]:
    return {
        "objectiveId": scene.objective,
        "kind": "TRAINING",
        "amount": {"amount": "5.00", "currency": "EUR"},
        "startsOn": "2024-05-01",
        "committed": {"amount": "5.00", "currency": "EUR"},
        "items": _items("5.00"),
    }


async def _update_contribution(scene: Scene) -> dict[str, Any]:
    version = await scene.version(scene.contribution)
    return {
        "id": scene.contribution,
        "expectedVersion": version,
        "kind": "TRAINING",
        "amount": {"amount": "7.00", "currency": "EUR"},
        "committed": {"amount": "7.00", "currency": "EUR"},
        "items": _items("7.00"),
    }


async def _withdraw(scene: Scene) -> dict[str, Any]:
    # Withdrawing uses its contribution up: each case gets a fresh one.
    contribution = await given_contribution(scene.api, scene.objective)
    return {"id": contribution, "expectedVersion": await scene.version(contribution)}


async def _deliver(scene: Scene) -> dict[str, Any]:
    # A committed contribution of its own, so that each case may deliver a little of it.
    values = {
        "objectiveId": scene.objective,
        "kind": "FUNDING",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "startsOn": "2024-03-01",
        "status": "COMMITTED",
    }
    committed = await _created(scene.api, REGISTER, "registerContribution", "contribution", values)
    return {
        "id": committed,
        "expectedVersion": 1,
        "amount": {"amount": "1.00", "currency": "EUR"},
        "deliveredOn": datetime.now(UTC).date().isoformat(),
        "note": "Delivered",
    }


async def _review(scene: Scene) -> dict[str, Any]:
    return {
        "planId": scene.plan,
        "reviewedOn": "2024-06-01",
        "summary": "Review",
        "assessments": [{"objectiveId": scene.objective, "assessment": "ON_TRACK"}],
    }


async def _transition(scene: Scene) -> dict[str, Any]:
    # A transition supersedes its plan: each case gets a fresh one.
    return {"planId": await given_plan(scene.api)}


async def _confirm(scene: Scene) -> dict[str, Any]:
    # The secretariat is not the recipient: refused once every input has passed its checks.
    return {
        "id": scene.contribution,
        "expectedVersion": await scene.version(scene.contribution),
        "stage": "RECEIVED",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "on": "2024-04-01",
    }


async def _dispute(scene: Scene) -> dict[str, Any]:
    return {
        "id": scene.contribution,
        "expectedVersion": await scene.version(scene.contribution),
        "reason": "Not received",
        "on": "2024-04-01",
    }


async def _allocate(scene: Scene) -> dict[str, Any]:
    # A gift into a fund, reported by the secretariat for Germany; the secretariat allocates a
    # little of it each time.
    values = {
        "fund": "GEDRTF",
        "onBehalfOf": "DE",
        "kind": "FUNDING",
        "amount": {"amount": "1000.00", "currency": "EUR"},
        "startsOn": "2024-03-01",
    }
    pooled = await _created(scene.api, REGISTER, "registerContribution", "contribution", values)
    return {
        "objectiveId": scene.objective,
        "draws": [{"contributionId": pooled, "amount": "1.00"}],
        "startsOn": "2024-05-01",
    }


BASE_INPUTS: dict[str, Base] = {
    "createPlan": _create_plan,
    "updatePlan": _update_plan,
    "addObjective": _add_objective,
    "updateObjective": _update_objective,
    "registerContribution": _register,
    "allocateContribution": _allocate,
    "updateContribution": _update_contribution,
    "withdrawContribution": _withdraw,
    "recordDelivery": _deliver,
    "recordPlanReview": _review,
    "transitionPlan": _transition,
    "confirmContribution": _confirm,
    "disputeContribution": _dispute,
}

assert SERVED.mutation_type is not None
MUTATIONS = SERVED.mutation_type


def test_every_mutation_is_covered() -> None:
    # Given the served mutations

    # Then each has a base input, so its strings are tried below
    assert set(MUTATIONS.fields) == set(BASE_INPUTS)


@pytest.mark.parametrize("value", SQL_METACHARACTERS, ids=repr)
async def test_sql_metacharacters_in_every_mutation_string_are_harmless(
    writable_api: Api, value: str
) -> None:
    # Given rows to act on
    plan = await given_plan(writable_api)
    objective = await given_objective(writable_api, plan)
    scene = Scene(writable_api, plan, objective, await given_contribution(writable_api, objective))

    # Every string is tried before the verdict, so one run lists all the places that fail.
    failures: list[str] = []
    for name, found in MUTATIONS.fields.items():
        (argument,) = found.args
        argument_type = found.args[argument].type
        site = Site((), MUTATIONS, name)
        document = site.document("mutation", argument, "{ userErrors { field message code } }")
        for path in string_paths(argument_type):
            # Given a valid input with one of its strings replaced by the metacharacter
            base = await BASE_INPUTS[name](scene)
            variables = {"v": placed(copy.deepcopy(base), argument_type, path, value)}

            # When the mutation is sent
            try:
                await send(writable_api, document, variables)
            except AssertionError as failure:
                failures.append(str(failure).split("\nmasked:")[0])

    # Then each is written or refused as data, never a server error (checked by `send`)
    assert not failures, "\n\n".join(failures)


async def test_a_nul_byte_in_a_title_is_refused_as_a_user_error(writable_api: Api) -> None:
    # Given a plan title with a NUL byte, which PostgreSQL text cannot hold
    payload = await _create_plan(Scene(writable_api, "", "", ""))
    payload["title"] = "Plan\x00; DROP TABLE plan; --"

    # When it is created
    _, body = await send(writable_api, CREATE_PLAN, {"input": payload})

    # Then it is refused as a user error naming the title, and nothing is stored
    (error,) = body["data"]["createPlan"]["userErrors"]
    assert "control characters" in error["message"]
    assert body["data"]["createPlan"]["plan"] is None
