"""Compiled reads (the compiled path) answer exactly as per-field execution does.

Two apps over the same seeded database, one with compiled reads and one without, get the same
requests in lockstep as each person of conftest's PEOPLE; every answer must be the same bytes of
JSON, `extensions.cost` included (their budgets refill too slowly to drift apart), with the same
status and headers that matter. Supported documents must really take the compiled path; the others
must fall back to the ordinary one untouched.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, update

from api.settings import Settings
from resolvers.compiled import CompiledRead
from schema.compiled_reads import CompiledReads
from seeds import load_reference
from store.database import create_engine, create_sessionmaker
from store.objectives import Objective
from store.plans import Plan
from store.tallies import ObjectiveTally
from tests.conftest import PEOPLE, Api, Databases, running_api
from tests.test_statement_counts import DEEP, DEEP_STATEMENTS, ORDINARY_DEEP_STATEMENTS

# Budgets that refill by less than a point over any test run: `currentlyAvailable` then follows
# from the requests alone, the same on both paths.
METERED = {"cost_budget": 1_000_000_000, "cost_restore_rate": 1e-6}

LIST = """
query List($first: Int, $after: String, $filter: ContributionFilter, $order: ContributionOrder) {
  contributions(first: $first, after: $after, filter: $filter, orderBy: $order) {
    nodes {
      id kind status amount { amount currency } startsOn
      contributor { name } objective { title }
    }
  }
}
"""

RESTRICTED_DETAIL = """
query Restricted($filter: ContributionFilter) {
  contributions(first: 100, filter: $filter) {
    totalCount
    nodes {
      id visibility redaction externalReference description
      amount { amount currency __typename }
      contributor { code name kind region alliedSince }
      objective { code plan { code partner { code } } }
    }
  }
}
"""

PAGES = """
query Pages($first: Int, $last: Int, $after: String, $before: String) {
  __typename
  contributions(first: $first, last: $last, after: $after, before: $before,
                filter: { partners: ["GE"] }, orderBy: { field: STARTS_ON, direction: DESC }) {
    __typename
    totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node { __typename id startsOn createdAt updatedAt } }
  }
}
"""

EVERY_FIELD = """
{
  participant(code: "GE") {
    __typename id code name kind region alliedSince
    plans(first: 3, orderBy: { field: CODE, direction: DESC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id code title summary kind status agreedOn agreedOnPrecision startsOn endsOn version
          createdAt updatedAt partner { code }
          contributions(first: 4, orderBy: { field: UPDATED_AT }) {
            totalCount
            nodes { id valuedOn endsOn withdrawnAt version createdAt updatedAt }
          }
          objectives(first: 4, filter: { priorities: [CRITICAL, HIGH] }) {
            nodes {
              id code title description category priority status targetDate version createdAt
              updatedAt requirement { currency amount }
              plan { code } carriedOverFrom { code plan { code } }
              contributions(first: 2) { totalCount pageInfo { hasPreviousPage startCursor } }
            }
          }
        }
      }
    }
  }
}
"""

# Every member of a connection but its items, alone and together, at the root, under a root
# object and under a list, over lists the variables make many, one or none long.
PAGE_MEMBERS = """
query Members($first: Int, $last: Int, $partners: [String!], $categories: [Category!],
              $statuses: [ObjectiveStatus!]) {
  a: objectives(first: $first, last: $last,
                filter: { partners: $partners, categories: $categories, statuses: $statuses }) {
    pageInfo { hasNextPage }
  }
  b: objectives(first: $first, last: $last,
                filter: { partners: $partners, categories: $categories, statuses: $statuses }) {
    pageInfo { hasPreviousPage }
  }
  c: objectives(first: $first, last: $last,
                filter: { partners: $partners, categories: $categories, statuses: $statuses }) {
    __typename totalCount pageInfo { __typename startCursor endCursor }
  }
  d: objectives(first: $first, last: $last,
                filter: { partners: $partners, categories: $categories, statuses: $statuses }) {
    edges { cursor } n: nodes { __typename }
  }
  e: contributions(first: $first, last: $last, filter: { partners: $partners }) {
    edges { __typename } totalCount
  }
  plan(code: "GE-IPAP-2004") {
    f: objectives(first: $first, last: $last,
                  filter: { categories: $categories, statuses: $statuses }) {
      pageInfo { __typename }
    }
    g: objectives(first: $first, last: $last,
                  filter: { categories: $categories, statuses: $statuses }) {
      totalCount pageInfo { hasNextPage hasPreviousPage }
    }
    h: contributions(first: $first, last: $last) { __typename pageInfo { hasPreviousPage } }
  }
  plans(first: 3) {
    nodes {
      i: objectives(first: $first, last: $last,
                    filter: { categories: $categories, statuses: $statuses }) {
        pageInfo { hasNextPage endCursor }
      }
      j: contributions(first: $first, last: $last) { totalCount edges { cursor } }
    }
  }
}
"""

# Documents the compiled path serves, with their variables.
# Overlaps over all time, from the tallies each write keeps.
OVERLAPS = """
query ($first: Int, $last: Int, $after: String, $before: String, $filter: AnalysisFilter,
       $minimum: Int! = 2) {
  aidOverlaps(first: $first, last: $last, after: $after, before: $before, filter: $filter,
              minimumContributors: $minimum) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      objective { code title plan { code } } contributorCount
      total { amount currency } requirement { amount currency } excess { amount }
    } }
  }
}
"""

SUPPORTED: list[tuple[str, str, dict[str, Any]]] = [
    ("overlaps", OVERLAPS, {"first": 20}),
    ("overlaps, the last few", OVERLAPS, {"last": 3}),
    (
        "overlaps of two partners, three contributors or more",
        OVERLAPS,
        {"first": 10, "minimum": 3, "filter": {"partners": ["GE", "md"]}},
    ),
    (
        "overlaps by plan kind, category and priority",
        OVERLAPS,
        {
            "first": 10,
            "filter": {
                "planKinds": ["IPAP"],
                "categories": ["DEFENCE_AND_MILITARY", "CIVIL_PREPAREDNESS"],
                "priorities": ["HIGH", "CRITICAL"],
            },
        },
    ),
    ("deep GE", DEEP, {"code": "GE", "plans": 10, "objectives": 50, "contributions": 20}),
    ("deep MD", DEEP, {"code": "MD", "plans": 10, "objectives": 50, "contributions": 20}),
    ("deep RS small", DEEP, {"code": "RS", "plans": 1, "objectives": 1, "contributions": 1}),
    ("deep KR", DEEP, {"code": "KR", "plans": 2, "objectives": 5, "contributions": 3}),
    ("deep empty pages", DEEP, {"code": "GE", "plans": 0, "objectives": 0, "contributions": 0}),
    ("deep lowercase code", DEEP, {"code": "ge", "plans": 1, "objectives": 2, "contributions": 3}),
    ("list 100", LIST, {"first": 100}),
    ("list 7", LIST, {"first": 7}),
    ("list default size", LIST, {}),
    ("list empty page", LIST, {"first": 0}),
    ("list nothing matches", LIST, {"first": 5, "filter": {"currencies": ["XXX"]}}),
    (
        "list filtered and ordered",
        LIST,
        {
            "first": 30,
            "filter": {"statuses": ["COMMITTED", "PLEDGED"], "kinds": ["FUNDING", "TRAINING"]},
            "order": {"field": "STARTS_ON", "direction": "DESC"},
        },
    ),
    (
        "list by partner and category",
        LIST,
        {"first": 20, "filter": {"partners": ["md"], "categories": ["CIVIL_PREPAREDNESS"]}},
    ),
    ("list active on", LIST, {"first": 20, "filter": {"activeOn": "2025-06-01"}}),
    ("restricted", RESTRICTED_DETAIL, {"filter": {"visibilities": ["RESTRICTED"]}}),
    (
        "restricted given by DE",
        RESTRICTED_DETAIL,
        {"filter": {"contributors": ["DE"], "visibilities": ["RESTRICTED"]}},
    ),
    (
        "restricted to GE",
        RESTRICTED_DETAIL,
        {"filter": {"partners": ["GE"], "visibilities": ["RESTRICTED"]}},
    ),
    ("restricted to MD", RESTRICTED_DETAIL, {"filter": {"partners": ["MD"]}}),
    ("pages forward", PAGES, {"first": 4}),
    ("pages backward", PAGES, {"last": 3}),
    ("every field", EVERY_FIELD, {}),
    (
        "cursors of every ordering",
        """{
          latest: plans(last: 4) {
            pageInfo { startCursor endCursor hasPreviousPage } edges { cursor node { agreedOn } }
          }
          byPriority: objectives(first: 3) { pageInfo { startCursor endCursor } edges { cursor } }
          byTarget: objectives(last: 2, orderBy: { field: TARGET_DATE }) { edges { cursor } }
          contributions(first: 3, orderBy: { field: UPDATED_AT, direction: DESC }) {
            edges { cursor node { updatedAt } }
          }
          participant(code: "MD") {
            plans(first: 2) { edges { cursor node {
              contributions(last: 2, orderBy: { field: STARTS_ON }) {
                pageInfo { startCursor endCursor } edges { cursor }
              }
            } } }
          }
          none: plans(first: 0) { pageInfo { startCursor endCursor } }
        }""",
        {},
    ),
    (
        "every scalar without cursors",
        """{
          contributions(first: 40, orderBy: { field: UPDATED_AT, direction: DESC },
                        filter: { statuses: [WITHDRAWN, DELIVERED] }) {
            __typename totalCount pageInfo { __typename hasNextPage hasPreviousPage }
            edges { __typename node { id kind status valuedOn startsOn endsOn withdrawnAt
              version createdAt updatedAt description externalReference visibility redaction
              amount { __typename amount currency } } }
          }
          plans(last: 4) {
            totalCount pageInfo { hasNextPage hasPreviousPage }
            nodes { id summary agreedOnPrecision endsOn version createdAt updatedAt }
          }
          objectives(first: 6, orderBy: { field: PRIORITY }) {
            nodes { description targetDate version createdAt updatedAt priority
              requirement { amount currency } carriedOverFrom { code } }
          }
        }""",
        {},
    ),
    (
        "aliases",
        """{
          georgia: participant(code: "GE") {
            c: code n: name
            p: plans(first: 2) { t: totalCount items: nodes { k: kind o: objectives(first: 1) {
              all: totalCount } } }
          }
          serbia: participant(code: "RS") { code }
          kinds: __typename
        }""",
        {},
    ),
    (
        "variables with defaults",
        """query Plans($n: Int = 3, $kinds: [PlanKind!] = [IPAP, ITPP]) {
          plans(first: $n, filter: { kinds: $kinds }) {
            totalCount nodes { code kind agreedOn partner { code alliedSince } }
          }
        }""",
        {},
    ),
    (
        "objectives root",
        """query Objectives($order: ObjectiveOrder) {
          objectives(first: 15, filter: { categories: [PUBLIC_DIPLOMACY] }, orderBy: $order) {
            totalCount nodes { id code priority targetDate plan { code } }
          }
        }""",
        {"order": {"field": "TARGET_DATE", "direction": "DESC"}},
    ),
    (
        "plan by code",
        """{ plan(code: "GE-IPAP-2004") { code title objectives(first: 3) {
             nodes { code contributions(first: 2, filter: { statuses: [DELIVERED] }) {
               nodes { status contributor { code } } } } } } }""",
        {},
    ),
    ("plan by id", "query ($id: ID) { plan(id: $id) { code status } }", {"id": "UGxhbjox"}),
    (
        "references of a root object",
        """{ plan(code: "GE-IPAP-2004") { code partner { code name alliedSince }
             objectives(first: 2) { nodes {
               plan { partner { code } } carriedOverFrom { code } } } } }""",
        {},
    ),
    ("plan not found", '{ plan(code: "XX-NONE-1999") { code } }', {}),
    ("plan by both", 'query ($id: ID) { plan(id: $id, code: "GE") { code } }', {"id": "UGxhbjox"}),
    ("plan by a bad id", "query ($id: ID) { plan(id: $id) { code } }", {"id": "nonsense"}),
    ("participant not found", '{ participant(code: "ZZ") { code } }', {}),
    ("participant code refused", '{ participant(code: "G3") { code } }', {}),
    (
        "a failing root beside one that answers",
        '{ participant(code: "ZZ") { code } plans(first: 1) { totalCount } }',
        {},
    ),
    (
        "root filter names nobody",
        '{ contributions(filter: { partners: ["QQ"] }) { totalCount } }',
        {},
    ),
    (
        "over the cost limit",
        """{ plans(first: 100) { nodes { objectives(first: 100) {
        nodes { contributions(first: 100) { nodes { id } } } } } } }""",
        {},
    ),
    # A connection asked for its page's members but not its items: PostgreSQL must still give one
    # value, whether the page holds many rows, one or none.
    ("pageInfo alone, backwards", "{ contributions(last: 2) { pageInfo { hasNextPage } } }", {}),
    (
        "totalCount and pageInfo of an empty list",
        '{ objectives(filter: {partners: ["US"]}) { totalCount pageInfo { hasPreviousPage } } }',
        {},
    ),
    (
        "pageInfo's __typename alone, nested",
        '{ plan(code: "GE-IPAP-2004") { objectives { pageInfo { __typename } } } }',
        {},
    ),
    ("members without items", PAGE_MEMBERS, {"first": 2}),
    ("members without items, backwards", PAGE_MEMBERS, {"last": 1}),
    ("members without items, an empty page", PAGE_MEMBERS, {"first": 0}),
    ("members without items, default page", PAGE_MEMBERS, {}),
    (
        "members without items, empty lists",
        PAGE_MEMBERS,
        {"first": 3, "partners": ["US"], "statuses": ["CARRIED_OVER"]},
    ),
    (
        "members without items, lists of one",
        PAGE_MEMBERS,
        {"last": 2, "partners": ["GE"], "categories": ["POLITICAL_AND_SECURITY"]},
    ),
    # Several root fields fail: every one is listed, in the order asked, whichever path answers.
    (
        "two root lists whose filters name nobody",
        """{ a: contributions(filter: { partners: ["QQ"] }) { totalCount }
             b: objectives(filter: { partners: ["ZZ"] }) { totalCount } }""",
        {},
    ),
    (
        "failing roots, nullable and not",
        """{ a: participant(code: "ZZ") { code }
             b: contributions(filter: { partners: ["QQ"] }) { totalCount }
             c: participant(code: "G3") { code } }""",
        {},
    ),
    (
        "failing nullable roots beside one that answers",
        """{ a: participant(code: "ZZ") { code } b: plans(first: 1) { totalCount }
             c: participant(code: "G3") { code } d: plan(code: "XX-NONE-1999") { code } }""",
        {},
    ),
    (
        "a failing root list after one that answers and a failing object",
        """{ b: plans(first: 1) { totalCount }
             a: contributions(filter: { contributors: ["QQ"], partners: ["GE"] }) { totalCount }
             c: participant(code: "G3") { code } }""",
        {},
    ),
]

# Deeper than the depth limit, through fields the compiled path supports.
TOO_DEEP = (
    "{ contributions(first: 1) { nodes { "
    + "objective { plan { objectives(first: 1) { nodes { " * 4
    + "code"
    + " } } } }" * 4
    + " } } }"
)

# A field that fails (a nested cursor the compiled path leaves to the ordinary one) while another
# branch waits for the same loaded objects (the objectives' plans).
SHARED_LOADS = """
{ objectives { edges { node { plan { summary } contributions(after: "") { edges { __typename } } } }
  e2: edges { node { plan { summary } } } } }
"""

# Documents the compiled path leaves to the ordinary one.
UNSUPPORTED: list[tuple[str, str, dict[str, Any]]] = [
    ("fragment", '{ participant(code: "GE") { ...P } } fragment P on Participant { code }', {}),
    ("inline fragment", '{ participant(code: "GE") { ... on Participant { code } } }', {}),
    (
        "directive",
        'query ($x: Boolean!) { participant(code: "GE") { code @include(if: $x) } }',
        {"x": True},
    ),
    ("an unsupported field", '{ participant(code: "GE") { code role } }', {}),
    ("an unsupported root", "{ viewer { role participant { code } } }", {}),
    (
        "overlaps on a day",
        '{ aidOverlaps(activeOn: "2026-06-01") { nodes { contributorCount } } }',
        {},
    ),
    (
        "overlaps within a period",
        '{ aidOverlaps(period: { start: "2026-01-01" }) { nodes { contributorCount } } }',
        {},
    ),
    ("overlaps with their score", "{ aidOverlaps { nodes { score reasons } } }", {}),
    (
        "overlaps, too few contributors",
        "{ aidOverlaps(minimumContributors: 1) { totalCount } }",
        {},
    ),
    ("a key asked twice", '{ participant(code: "GE") { code code } }', {}),
    ("page too large", "{ plans(first: 1000) { totalCount } }", {}),
    (
        "nested page too large",
        '{ participant(code: "GE") { plans(first: 101) { totalCount } } }',
        {},
    ),
    (
        "nested filter naming codes",
        """{ participant(code: "GE") { plans(first: 2) { nodes {
          objectives(filter: { partners: ["ZZ"] }) { totalCount } } } } }""",
        {},
    ),
    ("bad cursor", '{ plans(after: "nonsense") { totalCount } }', {}),
    ("first and last", "{ plans(first: 1, last: 1) { totalCount } }", {}),
    ("unknown field", '{ participant(code: "GE") { nope } }', {}),
    ("syntax error", "{ participant(code: ", {}),
    ("missing variable", "query ($code: String!) { participant(code: $code) { code } }", {}),
    ("wrong variable type", "query ($n: Int) { plans(first: $n) { totalCount } }", {"n": "x"}),
    ("bad enum", "{ plans(filter: { kinds: [IPAPP] }) { totalCount } }", {}),
    ("introspection", "{ __schema { queryType { name } } }", {}),
    (
        "too deep",
        TOO_DEEP,
        {},
    ),
    (
        "two operations",
        "query A { plans { totalCount } } query B { objectives { totalCount } }",
        {},
    ),
    ("a failing field beside siblings that share its loads", SHARED_LOADS, {}),
    (
        "several roots failing on their arguments",
        """{ a: plans(after: "x") { totalCount } b: objectives(first: 1000) { totalCount }
             c: participant(code: "ZZ") { code } d: contributions(before: "") { totalCount } }""",
        {},
    ),
    (
        "roots failing on their arguments and their filters",
        """{ a: contributions(filter: { partners: ["QQ"] }) { totalCount }
             b: plans(first: 1, last: 1) { totalCount } c: participant(code: "G3") { code } }""",
        {},
    ),
]


@contextlib.asynccontextmanager
async def _paths(url: str, **settings: Any) -> AsyncIterator[tuple[Api, Api]]:
    async with (
        running_api(url, **settings) as direct,
        running_api(url, compiled_reads=False, **settings) as ordinary,
    ):
        yield direct, ordinary


@pytest.fixture(scope="module")
async def paths(seeded_url: str) -> AsyncIterator[tuple[Api, Api]]:
    async with _paths(seeded_url, **METERED) as both:
        yield both


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each request that reached execution was answered by the compiled path (True) or
    by the resolvers (False). A request refused before (invalid, over its cost) reaches neither."""
    outcomes: list[bool] = []
    execute = CompiledReads.answer

    async def spy(self: CompiledReads, *args: Any, **kwargs: Any) -> Any:
        result = await execute(self, *args, **kwargs)
        outcomes.append(result is not None)
        return result

    monkeypatch.setattr(CompiledReads, "answer", spy)
    return outcomes


@pytest.fixture
def in_sql(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The root fields whose JSON the database was asked to build."""
    built: list[str] = []
    root = CompiledRead.root

    async def spy(self: CompiledRead, spec: Any, variables: Any) -> Any:
        built.append(spec.key)
        return await root(self, spec, variables)

    monkeypatch.setattr(CompiledRead, "root", spy)
    return built


def _without_waits(body: dict[str, Any]) -> dict[str, Any]:
    """A throttled answer without the seconds it says to wait, which depend on the moment."""
    errors = [
        {
            **error,
            "message": re.sub(r"Retry in \d+ s", "Retry in N s", error["message"]),
            "extensions": {
                key: value
                for key, value in error.get("extensions", {}).items()
                if key != "retryAfterSeconds"
            },
        }
        for error in body.get("errors", [])
    ]
    return {**body, "errors": errors}


def _same(direct: httpx.Response, ordinary: httpx.Response) -> dict[str, Any]:
    assert direct.status_code == ordinary.status_code, (direct.text[:300], ordinary.text[:300])
    assert direct.headers.get("content-type") == ordinary.headers.get("content-type")
    # Seconds until the budget allows the request: each app's budget restores from the moment
    # of its own first request, so a busy machine can put a second or two between them.
    # The body says the same wait, in its message and its extensions.
    waits = [response.headers.get("retry-after") for response in (direct, ordinary)]
    assert (waits[0] is None) == (waits[1] is None)
    body: dict[str, Any] = direct.json()
    if waits[0] is not None and waits[1] is not None:
        assert abs(int(waits[0]) - int(waits[1])) <= 5, waits
        assert _without_waits(body) == _without_waits(ordinary.json())
        return body
    assert body == ordinary.json()
    # Equal as parsed JSON, and in the same field order: the same text.
    assert direct.content == ordinary.content
    return body


async def _both(
    paths: tuple[Api, Api], document: str, variables: dict[str, Any], person: str
) -> dict[str, Any]:
    direct, ordinary = paths
    return _same(
        await direct.post(document, variables, person),
        await ordinary.post(document, variables, person),
    )


@pytest.mark.parametrize(
    ("name", "document", "variables"), SUPPORTED, ids=[s[0] for s in SUPPORTED]
)
async def test_supported_documents_answer_the_same_for_everyone(
    paths: tuple[Api, Api],
    served: list[bool],
    in_sql: list[str],
    name: str,
    document: str,
    variables: dict[str, Any],
) -> None:
    for person in PEOPLE:
        await _both(paths, document, variables, person)

    refused = name == "over the cost limit"  # by the cost, before execution
    assert served == [True] * (0 if refused else len(PEOPLE)), "the compiled path answered"
    assert bool(in_sql) == (not refused)


# The unsupported documents that do not validate.
INVALID = {"unknown field", "syntax error", "bad enum", "too deep", "two operations"}


@pytest.mark.parametrize(
    ("name", "document", "variables"), UNSUPPORTED, ids=[s[0] for s in UNSUPPORTED]
)
async def test_unsupported_documents_fall_back_and_answer_the_same(
    paths: tuple[Api, Api],
    served: list[bool],
    in_sql: list[str],
    name: str,
    document: str,
    variables: dict[str, Any],
) -> None:
    answer = await _both(paths, document, variables, "ally")

    # A document that validates reaches execution and the resolvers answer it; one that does not
    # is refused before either could.
    assert served == ([] if name in INVALID else [False]), answer

    assert in_sql == []


async def test_a_field_error_beside_siblings_sharing_its_loads_is_the_fields_error(
    paths: tuple[Api, Api], served: list[bool]
) -> None:
    direct, ordinary = paths
    for person in PEOPLE:
        response = await ordinary.post(SHARED_LOADS, None, person)

        assert response.status_code == 200, response.text[:300]
        body = response.json()
        assert body["data"] is None
        assert [(error["path"][-1], error["extensions"]) for error in body["errors"]] == [
            ("contributions", {"code": "INVALID_ARGUMENT", "argument": "after"})
        ]
        assert body == (await direct.post(SHARED_LOADS, None, person)).json()
    assert served == [False] * len(PEOPLE), "the compiled path left it to the ordinary one"


async def test_restricted_detail_is_withheld_as_the_ordinary_path_withholds_it(
    paths: tuple[Api, Api], served: list[bool]
) -> None:
    variables = {"filter": {"partners": ["GE"], "visibilities": ["RESTRICTED"]}}
    seen = {
        person: (await _both(paths, RESTRICTED_DETAIL, variables, person))["data"]
        for person in ("secretariat", "partner", "other_partner")
    }

    def redacted(person: str) -> list[bool]:
        nodes = seen[person]["contributions"]["nodes"]
        return [node["redaction"] is not None for node in nodes]

    assert redacted("secretariat") and not any(redacted("secretariat"))
    assert not any(redacted("partner")), "the recipient sees every detail"
    assert all(redacted("other_partner")), "an outsider sees none"
    assert all(served)


@pytest.mark.parametrize(
    ("document", "root", "person"),
    [
        (PAGES, "contributions", "secretariat"),
        # Scores are decimals: their cursors are written as `str` writes them
        (OVERLAPS, "aidOverlaps", "ally"),
    ],
    ids=["contributions", "overlaps by score"],
)
async def test_cursors_the_database_writes_page_on(
    paths: tuple[Api, Api], served: list[bool], document: str, root: str, person: str
) -> None:
    first = (await _both(paths, document, {"first": 4}, person))["data"][root]
    after = await _both(
        paths, document, {"first": 4, "after": first["pageInfo"]["endCursor"]}, person
    )
    before = after["data"][root]["pageInfo"]["startCursor"]
    back = await _both(paths, document, {"last": 4, "before": before}, person)

    assert after["data"][root]["pageInfo"]["hasPreviousPage"] is True
    assert back["data"][root]["edges"] == first["edges"]
    assert all(served) and len(served) == 3


NESTED_PAGES = """
query Nested($after: String, $before: String) {
  participant(code: "MD") {
    plans(first: 1, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes {
        code
        objectives(last: 2, before: $before) {
          totalCount pageInfo { startCursor hasPreviousPage } nodes { code }
        }
      }
    }
  }
}
"""


async def test_nested_pages_after_a_cursor_count_the_whole_list(
    paths: tuple[Api, Api], served: list[bool]
) -> None:
    first = await _both(paths, NESTED_PAGES, {}, "other_partner")
    plans = first["data"]["participant"]["plans"]
    objectives = plans["nodes"][0]["objectives"]["pageInfo"]["startCursor"]
    after = await _both(
        paths,
        NESTED_PAGES,
        {"after": plans["pageInfo"]["endCursor"], "before": objectives},
        "partner",
    )

    assert after["data"]["participant"]["plans"]["totalCount"] == plans["totalCount"] > 1
    assert after["data"]["participant"]["plans"]["nodes"], "a second page of plans"
    assert after["data"]["participant"]["plans"]["pageInfo"]["hasPreviousPage"] is True
    assert all(served) and len(served) == 2


async def test_queries_over_get_answer_the_same(paths: tuple[Api, Api], served: list[bool]) -> None:
    async def get(api: Api) -> httpx.Response:
        return await api.client.get(
            "/graphql",
            params={"query": '{ participant(code: "GE") { code plans(first: 2) { totalCount } } }'},
            headers={
                "authorization": f"Bearer {api.tokens['partner']}",
                "accept": "application/graphql-response+json",
            },
        )

    _same(await get(paths[0]), await get(paths[1]))
    assert served == [True]


async def test_throttling_refuses_alike(seeded_url: str, served: list[bool]) -> None:
    limits = {"max_query_cost": 40_000, "cost_budget": 40_000, "cost_restore_rate": 1e-6}
    variables = {"code": "GE", "plans": 10, "objectives": 50, "contributions": 20}
    async with _paths(seeded_url, **limits) as both:
        allowed = await _both(both, DEEP, variables, "ally")
        refused = await _both(both, DEEP, variables, "ally")

    assert "errors" not in allowed
    assert refused["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert served == [True], "the refused request never reached execution"


@pytest.mark.parametrize("sizes", [(1, 1, 1), (2, 5, 3), (10, 50, 20)])
async def test_the_deep_read_runs_a_constant_number_of_statements_on_both_paths(
    paths: tuple[Api, Api], served: list[bool], sizes: tuple[int, int, int]
) -> None:
    direct, ordinary = paths
    variables = dict(zip(("plans", "objectives", "contributions"), sizes, strict=True))
    direct.sql.clear()
    ordinary.sql.clear()

    await _both(paths, DEEP, {"code": "GE", **variables}, "secretariat")

    assert len(direct.sql) == DEEP_STATEMENTS, "\n".join(direct.sql.statements)
    assert len(ordinary.sql) == ORDINARY_DEEP_STATEMENTS, "\n".join(ordinary.sql.statements)
    assert served == [True]


def test_compiled_reads_are_on_unless_switched_off() -> None:
    assert Settings.from_env({}).compiled_reads is True
    assert Settings.from_env({"COMPILED_READS": "off"}).compiled_reads is False
    # The setting's earlier name still works, and the current one wins over it.
    assert Settings.from_env({"DIRECT_READS": "off"}).compiled_reads is False
    assert Settings.from_env({"DIRECT_READS": "off", "COMPILED_READS": "on"}).compiled_reads
    with pytest.raises(SystemExit, match="COMPILED_READS"):
        Settings.from_env({"COMPILED_READS": "sometimes"})


# Every character JSON escapes (the controls, quotes, backslashes), and some that it must not
# (DEL, non-ASCII, U+2028 and U+2029, which JavaScript once took for line ends, a character beyond
# the BMP, a slash, text that looks like an escape already).
AWKWARD = (
    "".join(chr(code) for code in range(1, 32))
    + ' "quoted" \\back\\slash\\ \x7f é ß Ω 日本 \u2028 \u2029 😀 </script> \\u0041 \\"'
)
# The newest plan of a partner, as a root object's and as a list's.
NEWEST_PLAN = """
{ participant(code: "GE") {
    plans(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) {
      nodes { title summary partner { plans(last: 1, orderBy: { field: CREATED_AT }) {
        nodes { title } } } } } } }
"""
# Cursors of an ordering by text: `encode_cursor` writes them with json.dumps, which escapes
# what orjson escapes, and DEL and everything beyond ASCII too.
BY_CODE = """
{ participant(code: "GE") { plans(first: 100, orderBy: { field: CODE }) {
  pageInfo { startCursor endCursor } edges { cursor node { code } } } } }
"""


@contextlib.asynccontextmanager
async def _fresh_paths(databases: Databases) -> AsyncIterator[tuple[Api, Api, list[bool]]]:
    """Both paths over a database of their own with the reference data; and, for each request
    the compiled path took, whether the database wrote its whole answer."""
    url = await databases.new_url()
    engine = create_engine(url)
    await load_reference(create_sessionmaker(engine))
    await engine.dispose()
    # Budgets that refill at once: the answers carry what is left of them, which would
    # otherwise differ by how long the machine took between requests.
    full = {"cost_restore_rate": 1e12}
    async with (
        running_api(url, **full) as compiled,
        running_api(url, compiled_reads=False, **full) as resolvers,
    ):
        served: list[bool] = []
        answer, root = CompiledReads.answer, CompiledRead.root
        built: list[str] = []

        async def spy(self: CompiledReads, *args: Any, **kwargs: Any) -> Any:
            built.clear()
            result = await answer(self, *args, **kwargs)
            served.append(result is not None and bool(built))
            return result

        async def spy_root(self: CompiledRead, spec: Any, variables: Any) -> Any:
            built.append(spec.key)
            return await root(self, spec, variables)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(CompiledReads, "answer", spy)
            patch.setattr(CompiledRead, "root", spy_root)
            yield compiled, resolvers, served


async def _new_plan(api: Api, code: str) -> str:
    """A plan of Georgia's, by its ID."""
    plan = {"partner": "GE", "kind": "IPAP", "title": "Plain", "code": code}
    created = await api.data(
        "mutation ($input: CreatePlanInput!) { createPlan(input: $input) {"
        " plan { id } userErrors { message } } }",
        {"input": plan},
    )
    assert created["createPlan"]["userErrors"] == []
    return str(created["createPlan"]["plan"]["id"])


@contextlib.asynccontextmanager
async def _awkward(
    databases: Databases, title: str, code: str
) -> AsyncIterator[tuple[Api, Api, list[bool]]]:
    """Both paths (`_fresh_paths`) over a database holding a plan with this title, summary (the
    title backwards) and code, stored as rows from before the rules on input text may hold
    them."""
    async with _fresh_paths(databases) as (compiled, resolvers, served):
        await _new_plan(resolvers, "GE-AWKWARD-1")
        async with resolvers.database.writing() as session, session.begin():
            changed = {"title": title, "summary": title[::-1], "code": code}
            await session.execute(update(Plan).where(Plan.code == "GE-AWKWARD-1").values(changed))
        yield compiled, resolvers, served


async def test_stored_text_is_escaped_as_the_response_encoder_escapes_it(
    databases: Databases, backend: str
) -> None:
    # Given a plan whose title and summary hold every kind of awkward character (NUL too, where
    # SQLite can store it), and whose code holds ASCII's (control characters, quotes, slashes)
    awkward = ("\x00" if backend == "sqlite" else "") + AWKWARD
    code = "GE-\x01\x08\t\n\x0c\r\x1f\"\\/'<~>-1"
    async with _awkward(databases, awkward, code) as (compiled, resolvers, served):
        # When both paths read it, and page by its code
        answers = [await api.post(NEWEST_PLAN) for api in (compiled, resolvers)]
        pages = [await api.post(BY_CODE) for api in (compiled, resolvers)]

    # Then the database wrote the same bytes as the response encoder (orjson) and as
    # `encode_cursor` (json.dumps), and the text reads back as it was stored
    assert served == [True, True], "the database built both answers"
    assert answers[0].content == answers[1].content
    (found,) = answers[0].json()["data"]["participant"]["plans"]["nodes"]
    assert (found["title"], found["summary"]) == (awkward, awkward[::-1])
    assert found["partner"]["plans"]["nodes"][0]["title"] == awkward
    assert orjson.dumps(awkward).decode() in answers[0].text
    assert pages[0].content == pages[1].content
    assert json.dumps(code) in _cursor_of(pages[0], code)


def _cursor_of(page: httpx.Response, code: str) -> str:
    """The text inside the cursor of the plan with this code."""
    edges = page.json()["data"]["participant"]["plans"]["edges"]
    (cursor,) = [edge["cursor"] for edge in edges if edge["node"]["code"] == code]
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


@pytest.mark.parametrize("code", ["GE-\x7f-1", "GE-ÉTÉ-1", "GE-😀-1"])
async def test_cursors_over_text_json_dumps_escapes_are_left_to_the_resolvers(
    databases: Databases, code: str
) -> None:
    # Given a plan whose code json.dumps writes with \u escapes (DEL, beyond ASCII, beyond BMP)
    async with _awkward(databases, "Plain", code) as (compiled, resolvers, served):
        # When both paths page by code, and read its title
        pages = [await api.post(BY_CODE) for api in (compiled, resolvers)]
        titles = [await api.post(NEWEST_PLAN) for api in (compiled, resolvers)]

    # Then the resolvers wrote the cursors, the database the rest: the same answers
    assert served == [False, True]
    assert pages[0].content == pages[1].content
    assert titles[0].content == titles[1].content
    assert json.dumps(code) in _cursor_of(pages[0], code) and "\\u" in json.dumps(code)


# Five lists deep, with references between them: SQLite's parser (a stack of 100 before 3.46)
# cannot take the statement that builds it, PostgreSQL can (store/json_sql.py's Unwritable).
FIVE_LISTS_DEEP = """
{ plans(first: 2) { nodes { objectives(first: 2) { nodes { contributions(first: 2) { nodes {
  objective { contributions(first: 2) { nodes { objective { contributions(first: 2) {
    totalCount nodes { amount { amount } objective { code } } } } } } } } } } } } } }
"""


async def test_a_read_nested_deeper_than_sqlite_parses_is_left_to_the_resolvers(
    paths: tuple[Api, Api], backend: str, served: list[bool]
) -> None:
    for person in ("secretariat", "ally"):
        body = await _both(paths, FIVE_LISTS_DEEP, {}, person)
        assert "errors" not in body and body["data"]["plans"]["nodes"]

    compiled = backend == "postgresql"
    assert served == [compiled, compiled], "SQLite leaves it to the resolvers, whole"


# Sums kept to four places, and the cent each is shown as: halves go to the even cent, as
# `quantize` rounds, and a negative sum keeps its sign even when it rounds to nothing.
KEPT_TO_FOUR_PLACES = [
    ("1.0050", "1.00"),
    ("1.0150", "1.02"),
    ("2.0051", "2.01"),
    ("0.0049", "0.00"),
    ("123456789.9950", "123456790.00"),
    ("-0.0040", "-0.00"),
]
OVERLAPS_TO_THE_CENT = """
{ aidOverlaps(first: 10) { nodes {
    objective { code } contributorCount total { amount currency }
    requirement { amount currency } excess { amount } } } }
"""


async def test_sums_kept_to_four_places_are_written_to_the_cent_as_the_resolvers_round_them(
    databases: Databases,
) -> None:
    # Given overlaps whose kept total, requirement and excess hold digits below the cent (no
    # write keeps such sums: every value is counted to the cent; these rows are stored as such)
    async with _fresh_paths(databases) as (compiled, resolvers, served):
        plan = await _new_plan(resolvers, "GE-CENTS-1")
        for index, (kept, _) in enumerate(KEPT_TO_FOUR_PLACES):
            added = await resolvers.data(
                "mutation ($input: AddObjectiveInput!) { addObjective(input: $input) {"
                " objective { code } userErrors { message } } }",
                {
                    "input": {
                        "planId": plan,
                        "code": f"CENTS-{index}",
                        "category": "CIVIL_PREPAREDNESS",
                        "title": "Rounding",
                    }
                },
            )
            assert added["addObjective"]["userErrors"] == []
            async with resolvers.database.writing() as session, session.begin():
                head = select(Objective.id).where(Objective.code == f"CENTS-{index}")
                figures = {
                    "overlap_contributors": 2,
                    "overlap_total": Decimal(kept),
                    "overlap_excess": abs(Decimal(kept)),
                    "requirement": abs(Decimal(kept)),
                    "overlap_score": Decimal(len(KEPT_TO_FOUR_PLACES) - index),
                }
                await session.execute(
                    update(ObjectiveTally)
                    .where(ObjectiveTally.head_id == head.scalar_subquery())
                    .values(figures)
                )

        # When both paths list the overlaps
        answers = [await api.post(OVERLAPS_TO_THE_CENT) for api in (compiled, resolvers)]

    # Then the database wrote the resolvers' bytes, every sum to the cent, half to even
    assert served == [True], "the database built the answer"
    assert answers[0].content == answers[1].content
    nodes = answers[0].json()["data"]["aidOverlaps"]["nodes"]
    assert [node["total"] for node in nodes] == [
        {"amount": cents, "currency": "EUR"} for _, cents in KEPT_TO_FOUR_PLACES
    ]
    assert [node["excess"]["amount"] for node in nodes] == [
        cents.lstrip("-") for _, cents in KEPT_TO_FOUR_PLACES
    ]
