"""The read paths compared on documents generated from every combination of a connection's members.

tests/test_compiled_reads.py holds chosen documents to one answer; here the documents are
enumerated: every way of asking a connection for its members without its items (each `pageInfo`
field alone and together, `__typename`, `totalCount`, cursors only, `__typename` of edges or
nodes) and with them, at the root, under a root object, under a list and under a reference,
forwards and backwards, before and after real cursors, over lists that hold no row, one row or
many. Each document goes to the resolver path and to the compiled path (the database building the
answer as JSON, on SQLite as on PostgreSQL), as every person of conftest's PEOPLE wherever
contributions are listed (their restricted detail is what depends on the viewer): the same bytes,
the same status, every time.

Also enumerated: requests whose root fields fail in every combination of the ways a root field
fails (one answer, whichever path answers: the same errors in the same order), and the nested
failures whose siblings share a loaded object (a field error, never a server error).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from resolvers.compiled import CompiledRead
from schema.compiled_reads import CompiledReads
from tests.conftest import PEOPLE, Api, running_api
from tests.test_compiled_reads import METERED

# What a connection may be asked for. The first ones ask for no item: the compiled path must still
# give exactly one value for them however many rows the page holds.
MEMBERS = (
    "pageInfo { hasNextPage }",
    "pageInfo { hasPreviousPage }",
    "pageInfo { startCursor }",
    "pageInfo { endCursor }",
    "pageInfo { __typename }",
    "pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }",
    "__typename",
    "totalCount",
    "totalCount pageInfo { hasPreviousPage }",
    "__typename totalCount pageInfo { __typename }",
    "edges { cursor }",
    "edges { __typename }",
    "nodes { __typename }",
    "totalCount edges { cursor node { id } } pageInfo { startCursor endCursor }",
)

# Fewer aliases than the schema allows in one document (schema/admission.MAX_ALIASES).
ALIASES_PER_DOCUMENT = 45

GEORGIA_PLAN = "GE-IPAP-2004"
CATEGORIES = (
    "POLITICAL_AND_SECURITY",
    "DEFENCE_AND_MILITARY",
    "PUBLIC_DIPLOMACY",
    "SCIENCE_AND_ENVIRONMENT",
    "CIVIL_PREPAREDNESS",
    "ADMINISTRATIVE_AND_RESOURCES",
)
STATUSES = ("NOT_STARTED", "IN_PROGRESS", "ACHIEVED", "DEFERRED", "CARRIED_OVER")

# What the seeded data holds, found by asking it: codes, IDs and cursors that are real.
DISCOVER = """
{
  plan(code: "@plan@") {
    id
    objectives(first: 100) { nodes { id category status contributions { totalCount } } }
  }
  contributions(first: 3) { edges { cursor } }
  objectives(first: 3) { edges { cursor } }
  plans(first: 3) { edges { cursor } }
}
""".replace("@plan@", GEORGIA_PLAN)


@dataclass(frozen=True)
class Known:
    """Filters that leave no row, one row or many, and a cursor inside each kind of list."""

    filters: dict[str, str]
    cursors: dict[str, str]


@dataclass(frozen=True)
class Placement:
    """Where the connection sits: `@connection@` in `outer` is replaced by the aliased
    connections, and `@name@` anywhere by the known filter of that name; `rows` says how many
    rows the list holds (`mixed`: different numbers under different parents)."""

    name: str
    outer: str
    field: str
    rows: str
    filter: str = ""

    @property
    def people(self) -> tuple[str, ...]:
        """Who asks: everyone wherever contributions are listed, for their restricted detail
        is the only thing that depends on the viewer (the only way the viewer enters the SQL);
        elsewhere the one who sees everything and an outsider."""
        if self.field == "contributions" or "contributions" in self.outer:
            return tuple(PEOPLE)
        return ("secretariat", "other_partner")


ROOT = "@connection@"
IN_PLAN = f'plan(code: "{GEORGIA_PLAN}") {{ code @connection@ }}'
PLACEMENTS = (
    Placement("root contributions, many", ROOT, "contributions", "many"),
    Placement("root contributions, one", ROOT, "contributions", "one", "@c1@"),
    Placement("root contributions, none", ROOT, "contributions", "none", "@c0@"),
    Placement("root objectives, many", ROOT, "objectives", "many"),
    Placement("root objectives, one", ROOT, "objectives", "one", "@o1@"),
    Placement("root objectives, none", ROOT, "objectives", "none", 'partners: ["US"]'),
    Placement("root plans, many", ROOT, "plans", "many"),
    Placement("root plans, one", ROOT, "plans", "one", 'partners: ["GE"]'),
    Placement("root plans, none", ROOT, "plans", "none", 'partners: ["US"]'),
    Placement("a plan's objectives, many", IN_PLAN, "objectives", "many"),
    Placement("a plan's objectives, one", IN_PLAN, "objectives", "one", "@po1@"),
    Placement("a plan's objectives, none", IN_PLAN, "objectives", "none", "@po0@"),
    Placement("a plan's contributions, many", IN_PLAN, "contributions", "many"),
    Placement("a plan's contributions, one", IN_PLAN, "contributions", "one", "@c1@"),
    Placement("a plan's contributions, none", IN_PLAN, "contributions", "none", "@c0@"),
    Placement(
        "a partner's plans, many", 'participant(code: "MD") { code @connection@ }', "plans", "many"
    ),
    Placement(
        "a partner's plans, one", 'participant(code: "GE") { code @connection@ }', "plans", "one"
    ),
    Placement(
        "a partner's plans, none", 'participant(code: "US") { code @connection@ }', "plans", "none"
    ),
    Placement(
        "the objectives of each plan",
        "plans(first: 4) { nodes { code @connection@ } }",
        "objectives",
        "mixed",
        "statuses: [DEFERRED, ACHIEVED]",
    ),
    Placement(
        "the contributions of each objective",
        "objectives(filter: { @ge@ }, last: 3) { nodes { code @connection@ } }",
        "contributions",
        "mixed",
    ),
    Placement(
        "the objectives of a referenced plan",
        "contributions(first: 3) { nodes { objective { plan { code @connection@ } } } }",
        "objectives",
        "mixed",
        "@po1@",
    ),
)


def _windows(rows: str, cursor: str) -> list[str]:
    """Forwards and backwards, small, empty and default pages, and pages beside a real cursor:
    of a list that holds no row, only what tells the directions apart."""
    windows = [
        "first: 2",
        "last: 1",
        f'first: 2, after: "{cursor}"',
        f'last: 2, before: "{cursor}"',
    ]
    if rows != "none":
        windows.append("first: 0")
    if rows in ("many", "mixed"):
        windows.append("")  # the default page: more rows than any other here
    return windows


def _documents(placement: Placement, known: Known) -> Iterator[str]:
    """Every member asked with every window, as aliases of the placement's connection, in
    documents of at most ALIASES_PER_DOCUMENT aliases."""
    asked = []
    windows = _windows(placement.rows, known.cursors[placement.field])
    criteria = f"filter: {{ {placement.filter} }}" if placement.filter else ""
    for number, (window, members) in enumerate(itertools.product(windows, MEMBERS)):
        arguments = ", ".join(part for part in (window, criteria) if part)
        call = f"{placement.field}({arguments})" if arguments else placement.field
        asked.append(f"m{number}: {call} {{ {members} }}")
    for start in range(0, len(asked), ALIASES_PER_DOCUMENT):
        chunk = " ".join(asked[start : start + ALIASES_PER_DOCUMENT])
        document = "{ " + placement.outer.replace("@connection@", chunk) + " }"
        for name, value in known.filters.items():
            document = document.replace(f"@{name}@", value)
        yield document


@pytest.fixture(scope="module")
async def apps(seeded_url: str) -> AsyncIterator[dict[str, Api]]:
    """The resolver path and the compiled path, over one database. Both get the same requests in
    the same order, so their cost budgets agree."""
    forms = {"ordinary": {"compiled_reads": False}, "compiled": {}}
    async with contextlib.AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(running_api(seeded_url, **form, **METERED))
            for name, form in forms.items()
        }


@pytest.fixture(scope="module")
async def known(apps: dict[str, Api]) -> Known:
    found = (await _compare(apps, DISCOVER, "secretariat"))["data"]  # every budget charged alike
    plan = found["plan"]
    objectives = plan["objectives"]["nodes"]
    by_count: dict[int, str] = {}
    for objective in objectives:
        by_count.setdefault(min(objective["contributions"]["totalCount"], 2), objective["id"])
    categories = [objective["category"] for objective in objectives]
    pairs = {(objective["category"], objective["status"]) for objective in objectives}
    single = next(c for c in CATEGORIES if categories.count(c) == 1)
    absent = next(pair for pair in itertools.product(CATEGORIES, STATUSES) if pair not in pairs)
    assert {0, 1, 2} <= by_count.keys(), "the seeded plan has objectives of every size"
    return Known(
        filters={
            "c0": f'objectives: ["{by_count[0]}"]',
            "c1": f'objectives: ["{by_count[1]}"]',
            "ge": f'plans: ["{plan["id"]}"]',
            "o1": f'plans: ["{plan["id"]}"], categories: [{single}]',
            "po1": f"categories: [{single}]",
            "po0": f"categories: [{absent[0]}], statuses: [{absent[1]}]",
        },
        cursors={
            name: found[name]["edges"][1]["cursor"]
            for name in ("contributions", "objectives", "plans")
        },
    )


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Which requests the compiled path answered, and which root fields the database built."""
    seen: dict[str, list[Any]] = {"direct": [], "json": []}
    execute, root = CompiledReads.answer, CompiledRead.root

    async def spy_execute(self: CompiledReads, *args: Any, **kwargs: Any) -> Any:
        result = await execute(self, *args, **kwargs)
        seen["direct"].append(result is not None)
        return result

    async def spy_root(self: CompiledRead, spec: Any, variables: Any) -> Any:
        seen["json"].append(spec.key)
        return await root(self, spec, variables)

    monkeypatch.setattr(CompiledReads, "answer", spy_execute)
    monkeypatch.setattr(CompiledRead, "root", spy_root)
    return seen


async def _compare(apps: dict[str, Api], document: str, person: str) -> dict[str, Any]:
    """The document's answer on every path, which must be the same bytes; the ordinary one."""
    answers = {name: await api.post(document, None, person) for name, api in apps.items()}
    ordinary = answers["ordinary"]
    assert ordinary.status_code == 200, (person, document, ordinary.text[:500])
    for name, answer in answers.items():
        assert (answer.status_code, answer.headers.get("content-type")) == (
            ordinary.status_code,
            ordinary.headers.get("content-type"),
        ), (name, person, document, answer.text[:500])
        assert answer.content == ordinary.content, _difference(
            name, person, document, answer.json(), ordinary.json()
        )
    body: dict[str, Any] = ordinary.json()
    return body


def _difference(
    name: str, person: str, document: str, found: dict[str, Any], expected: dict[str, Any]
) -> str:
    """The first root field (or alias) whose answers differ, to read instead of two bodies."""
    for part in ("data", "errors", "extensions"):
        if found.get(part) == expected.get(part):
            continue
        mine, theirs = found.get(part), expected.get(part)
        if part == "data" and mine and theirs:
            key = next(k for k in {**mine, **theirs} if mine.get(k) != theirs.get(k))
            part, mine, theirs = f"data.{key}", mine.get(key), theirs.get(key)
        return f"{name} as {person}: {part}: {mine!r} != ordinary {theirs!r}\n{document}"
    return f"{name} as {person}: the same JSON in other bytes\n{document}"


@pytest.mark.parametrize("placement", PLACEMENTS, ids=[p.name for p in PLACEMENTS])
async def test_every_member_selection_answers_alike_on_every_path(
    apps: dict[str, Api],
    known: Known,
    answered: dict[str, list[Any]],
    placement: Placement,
) -> None:
    documents = list(_documents(placement, known))
    for document in documents:
        for person in placement.people:
            body = await _compare(apps, document, person)
            assert "errors" not in body, (placement.name, person, body["errors"][:2])

    asked = len(documents) * len(placement.people) * (len(apps) - 1)
    assert answered["direct"] == [True] * asked, "the compiled path answered every request"
    assert answered["json"], "the database built the answers"


# Root fields that fail, each in its own way, beside one that answers: the lookups the compiled path
# shares with the ordinary one (nullable roots), a list whose filter names nobody (a root that
# cannot be null), and arguments the compiled path leaves to the ordinary one.
ROOT_FIELDS = {
    "answers": "plans(first: 1) { totalCount }",
    "object answers": 'participant(code: "GE") { code }',
    "no such participant": 'participant(code: "ZZ") { code }',
    "participant code refused": 'participant(code: "G3") { code }',
    "no such plan": 'plan(code: "XX-NONE-1999") { code }',
    "plan ID refused": 'plan(id: "nonsense") { code }',
    "list filter names nobody": 'contributions(filter: { partners: ["QQ"] }) { totalCount }',
    "list filter names no contributor": (
        'contributions(filter: { contributors: ["QZ"] }) { totalCount }'
    ),
    "bad cursor": 'plans(after: "nonsense") { totalCount }',
    "page too large": "objectives(first: 1000) { totalCount }",
}
ANSWERING = {"answers", "object answers"}


def _failing_documents() -> Iterator[tuple[str, str]]:
    names = list(ROOT_FIELDS)
    for pair in itertools.product(names, repeat=2):
        if pair[0] == pair[1] or set(pair) <= ANSWERING:
            continue
        fields = " ".join(f"r{i}: {ROOT_FIELDS[name]}" for i, name in enumerate(pair))
        yield " / ".join(pair), "{ " + fields + " }"
    for triple in (names[2:5], names[5:8], names[6:9], names[7:10][::-1]):
        fields = " ".join(f"r{i}: {ROOT_FIELDS[name]}" for i, name in enumerate(triple))
        yield " / ".join(triple), "{ " + fields + " }"


FAILING = list(_failing_documents())


@pytest.mark.parametrize(("name", "document"), FAILING, ids=[name for name, _ in FAILING])
async def test_failing_root_fields_answer_alike_whichever_path_answers(
    apps: dict[str, Api], name: str, document: str
) -> None:
    body = await _compare(apps, document, "ally")
    again = await _compare(apps, document, "other_partner")

    assert [error["path"] for error in body["errors"]] == [
        error["path"] for error in again["errors"]
    ], "the same errors, in the same order, for anyone"
    roots = [error["path"][0] for error in body["errors"]]
    assert roots == sorted(roots), "errors in the order the document asks (r0, r1, r2)"


# A field that fails beside siblings that load the same objects (an objective's plan, a plan's
# partner): the executor cancels what shares the failed field's parent, and what another branch
# still waits for must not go with it.
FAILING_ARGUMENTS = (
    'after: ""',
    'after: "nonsense"',
    'before: "x"',
    "first: 1000",
    "first: 1, last: 1",
    'filter: { partners: ["QQ"] }',
)
SHARED_SIBLINGS = (
    (
        "{ objectives(first: 6) { edges { node { plan { summary } contributions(%s) {"
        " edges { __typename } } } } e2: edges { node { plan { summary } } } } }"
    ),
    (
        "{ plans(first: 4) { nodes { partner { code } objectives(%s) { totalCount } } "
        "again: nodes { partner { name } } } }"
    ),
    (
        "{ contributions(first: 4) { nodes { objective { plan { code } } } "
        "more: nodes { objective { code contributions(%s) { totalCount } plan { title } } } } }"
    ),
    (
        '{ a: plan(code: "GE-IPAP-2004") { objectives(first: 3) { nodes { plan { code } '
        "contributions(%s) { totalCount } } } } "
        'b: plan(code: "GE-IPAP-2004") { objectives(first: 3) { nodes { plan { summary } } } } }'
    ),
)


@pytest.mark.parametrize("shape", range(len(SHARED_SIBLINGS)))
@pytest.mark.parametrize("arguments", FAILING_ARGUMENTS)
async def test_a_failing_field_beside_siblings_that_share_loads_is_a_field_error(
    apps: dict[str, Api], shape: int, arguments: str
) -> None:
    for person in ("secretariat", "other_partner"):
        body = await _compare(apps, SHARED_SIBLINGS[shape] % arguments, person)

        assert body["errors"], body
        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert codes <= {"INVALID_ARGUMENT", "NOT_FOUND"}, body["errors"]
