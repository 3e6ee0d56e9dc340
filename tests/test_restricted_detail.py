"""Nothing of a restricted contribution's detail reaches a viewer who may not see it, on any path.

Two worlds are built write for write the same: the same plans, objectives and public support, and
the same restricted contributions, which differ only in their withheld detail. In world A they
come from Germany, in Norwegian and Icelandic crowns; in world B from the United States, in euros
worth exactly as much, with other references, descriptions and withdrawal reasons. A viewer who
may see neither (another ally, another partner, an institution) must get the same answer from
both worlds to every question: every argument of every filter and ordering of every list that
reaches contributions (found by walking the schema, so a new one is probed without anyone adding
it here), every analysis with its rate lists, suggestions and reasons, the change feed, histories,
node lookups, refused mutations and subscriptions. Only instants differ between the worlds, and
they are set aside. Totals still count the withheld support; the contributor, the recipient and
the secretariat see it all; and the compiled reads answer as the ordinary one does.

What the worlds keep equal on purpose, because an outsider may infer it (see the README): each
restricted contribution's value in euros (totals count it, so a total over one objective tells
it), and whether two contributions on one objective come from the same contributor (overlaps and
contributor counts are defined by distinct contributors). Their givers here give nothing else.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Lexer,
    Source,
    TokenKind,
    build_schema,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined
from sqlalchemy import select

from api.app import create_app
from api.settings import Settings
from resolvers import tallying, tokens
from resolvers.vocabulary import Role
from schema import build_schema as served_schema
from schema import fields as declarations
from schema.compiled_reads import CompiledReads
from seeds import load_reference
from store import rates as stored_rates
from store import visibility
from store.contributions import Contribution, seen_by
from store.database import create_engine, create_sessionmaker
from tests.conftest import Api, Databases, running_api, served
from tests.test_subscriptions import socket

pytestmark = pytest.mark.timeout(900)

SDL = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"
# Large enough that no probe is refused or throttled: only the answers are compared.
UNMETERED: dict[str, Any] = {
    "max_query_cost": 10**8,
    "cost_budget": 10**12,
    "cost_restore_rate": 10**9,
}
OUTSIDERS = ("other_ally", "other_partner", "institution")
# The long walks go as one outsider of each kind of scope the rule tells apart: what a viewer
# sees turns on its participant alone (store/visibility.py; the truth table below checks every
# one), so an institution walks as another ally does.
WALKERS = ("other_ally", "other_partner")
ENTITLED = ("secretariat", "ally", "partner")

# --- The worlds ----------------------------------------------------------------------------------

PLANS = {"GE": ("GE-RD-1", "IPAP"), "RS": ("RS-RD-1", "ITPP")}
# key: (partner, category, priority, requirement)
OBJECTIVES = {
    "civil": ("GE", "CIVIL_PREPAREDNESS", "CRITICAL", ("500000.00", "EUR")),
    "gap": ("GE", "CIVIL_PREPAREDNESS", "HIGH", ("200000.00", "EUR")),
    "defence": ("RS", "DEFENCE_AND_MILITARY", "CRITICAL", ("1000000.00", "EUR")),
    "diplomacy": ("RS", "PUBLIC_DIPLOMACY", "LOW", ("4000000.00", "NOK")),
}


@dataclass(frozen=True)
class Support:
    key: str
    objective: str
    kind: str
    status: str
    amount: str
    currency: str
    valued_on: str
    starts_on: str
    ends_on: str | None


# Public support, the same in both worlds: (giver, support).
PUBLIC = [
    ("other_ally", Support("p1", "civil", "FUNDING", "COMMITTED", "100000.00", "EUR",
                           "2025-01-01", "2025-01-01", "2025-12-31")),
    ("institution", Support("p2", "civil", "TRAINING", "PLEDGED", "20000.00", "EUR",
                            "2025-01-15", "2025-01-15", "2025-06-30")),
    # A crown rate the public may see: listed where this contribution counts.
    ("other_ally", Support("p3", "diplomacy", "EQUIPMENT", "PLEDGED", "300000.00", "NOK",
                           "2025-03-01", "2025-03-01", "2025-12-31")),
    ("other_partner", Support("p4", "defence", "EXPERTISE", "PLEDGED", "5000.00", "EUR",
                              "2025-02-01", "2025-02-01", "2025-12-31")),
]  # fmt: skip

# Restricted support, as world A gives it (world B: the same in euros).
HIDDEN = [
    Support("h1", "civil", "FUNDING", "COMMITTED", "1250000.00", "NOK",
            "2025-03-01", "2025-02-01", "2025-11-30"),
    Support("h2", "civil", "EQUIPMENT", "PLEDGED", "480000.00", "NOK",
            "2024-06-01", "2024-06-01", "2025-05-31"),
    Support("h3", "defence", "TRAINING", "COMMITTED", "9000000", "ISK",
            "2025-02-01", "2025-03-01", None),
    Support("h4", "defence", "EXPERTISE", "PLEDGED", "2500000", "ISK",
            "2025-04-01", "2025-04-01", "2026-03-31"),
    Support("h5", "gap", "PERSONNEL", "PLEDGED", "100000.00", "NOK",
            "2025-05-01", "2025-05-01", "2026-04-30"),
]  # fmt: skip
H1_NEW_AMOUNT = "1300000.00"


@dataclass(frozen=True)
class Detail:
    """What differs between the worlds: who gives the restricted support, and its detail."""

    giver: str  # whose token registers it
    code: str
    label: str  # in references, descriptions and reasons
    in_euros: bool

    def reference(self, key: str) -> str:
        return f"{self.label}-REF-{key}"

    def description(self, key: str) -> str:
        return f"{self.label} support {key}"


WORLDS = {
    "A": Detail("ally", "DE", "Bergen", in_euros=False),
    "B": Detail("twin_giver", "US", "Reykjavik", in_euros=True),
}
SECRETS = [
    f"{WORLDS['A'].label}",
    f"{WORLDS['B'].label}",
    "NOK",
    "ISK",
    "DE",
    "US",
]


@dataclass
class World:
    detail: Detail
    url: str
    apis: dict[str, Api] = field(default_factory=dict)  # by path: ordinary, compiled
    ids: dict[str, str] = field(default_factory=dict)  # plans, objectives and support by key
    start: str = ""  # the feed's cursor before the scenario's first contribution

    @property
    def api(self) -> Api:
        return self.apis["ordinary"]

    @property
    def fast(self) -> Api:
        """The app as deployed: compiled reads where a query allows them."""
        return self.apis["compiled"]


REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id version } userErrors { message } }
}
"""
UPDATE = """
mutation Update($input: UpdateContributionInput!) {
  updateContribution(input: $input) { contribution { id version } userErrors { message } }
}
"""
WITHDRAW = """
mutation Withdraw($input: WithdrawContributionInput!) {
  withdrawContribution(input: $input) { contribution { id version } userErrors { message } }
}
"""
CREATE_PLAN = """
mutation Plan($input: CreatePlanInput!) {
  createPlan(input: $input) { plan { id } userErrors { message } }
}
"""
ADD_OBJECTIVE = """
mutation Objective($input: AddObjectiveInput!) {
  addObjective(input: $input) { objective { id } userErrors { message } }
}
"""
CONFIRM = """
mutation Confirm($input: ConfirmContributionInput!) {
  confirmContribution(input: $input) { confirmation { verdict } userErrors { message } }
}
"""
DISPUTE = """
mutation Dispute($input: DisputeContributionInput!) {
  disputeContribution(input: $input) { confirmation { verdict } userErrors { message } }
}
"""
LAST_CURSOR = "{ changes(last: 1) { edges { cursor } } }"


async def _mutate(api: Api, document: str, name: str, input_: dict[str, Any], as_: str) -> Any:
    data = await api.data(document, {"input": input_}, as_=as_)
    payload = data[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def _euros(api: Api, amount: str, currency: str, day: str) -> str:
    """What an amount is worth in euros, as every total values it."""
    async with api.database.reads() as session:
        rows = await stored_rates.of_currencies(session, {currency})
    value, _ = tallying.rates_of(rows).convert(Decimal(amount), currency, date.fromisoformat(day))
    return str(value)


async def _money(world: World, support: Support, amount: str | None = None) -> dict[str, str]:
    amount = amount or support.amount
    if support.key.startswith("h") and world.detail.in_euros:
        return {
            "amount": await _euros(world.api, amount, support.currency, support.valued_on),
            "currency": "EUR",
        }
    return {"amount": amount, "currency": support.currency}


async def _register(world: World, giver: str, support: Support, restricted: bool) -> None:
    detail = world.detail
    entry = {
        "objectiveId": world.ids[support.objective],
        "kind": support.kind,
        "status": support.status,
        "amount": await _money(world, support),
        "valuedOn": support.valued_on,
        "startsOn": support.starts_on,
        "endsOn": support.ends_on,
        "visibility": "RESTRICTED" if restricted else "PUBLIC",
        "description": detail.description(support.key) if restricted else f"Public {support.key}",
        "externalReference": detail.reference(support.key) if restricted else None,
    }
    payload = await _mutate(world.api, REGISTER, "registerContribution", entry, giver)
    world.ids[support.key] = payload["contribution"]["id"]


async def _build(world: World) -> None:
    """The scenario, write for write the same in both worlds but for the withheld detail."""
    api, detail = world.api, world.detail
    for partner, (code, kind) in PLANS.items():
        plan = {"partner": partner, "kind": kind, "title": code, "code": code}
        plan |= {"status": "ACTIVE", "agreedOn": "2024-01-15"}
        world.ids[partner] = (await _mutate(api, CREATE_PLAN, "createPlan", plan, "secretariat"))[
            "plan"
        ]["id"]
    edges = (await api.data(LAST_CURSOR))["changes"]["edges"]
    world.start = edges[-1]["cursor"]
    for key, (partner, category, priority, (amount, currency)) in OBJECTIVES.items():
        objective: dict[str, Any] = {"planId": world.ids[partner], "code": key.upper()}
        objective["title"] = key
        objective |= {"category": category, "priority": priority}
        objective["requirement"] = {"amount": amount, "currency": currency}
        payload = await _mutate(api, ADD_OBJECTIVE, "addObjective", objective, "secretariat")
        world.ids[key] = payload["objective"]["id"]
    # Public and restricted registrations in turn, so that orderings mix them.
    for index in range(max(len(PUBLIC), len(HIDDEN))):
        if index < len(PUBLIC):
            giver, support = PUBLIC[index]
            await _register(world, giver, support, restricted=False)
        if index < len(HIDDEN):
            await _register(world, detail.giver, HIDDEN[index], restricted=True)
    h1 = HIDDEN[0]
    changed = {"id": world.ids["h1"], "expectedVersion": 1}
    changed |= {"amount": await _money(world, h1, H1_NEW_AMOUNT)}
    changed |= {"description": f"{detail.label} revised", "externalReference": f"{detail.label}-2"}
    await _mutate(api, UPDATE, "updateContribution", changed, detail.giver)
    delivered = {"id": world.ids["h3"], "expectedVersion": 1, "status": "DELIVERED"}
    await _mutate(api, UPDATE, "updateContribution", delivered, detail.giver)
    withdrawn = {"id": world.ids["h4"], "expectedVersion": 1, "reason": f"{detail.label} moved"}
    await _mutate(api, WITHDRAW, "withdrawContribution", withdrawn, detail.giver)
    # Georgia's own accounts: of public support, and of restricted support in each world's detail.
    received = {"id": world.ids["p1"], "expectedVersion": 1, "stage": "RECEIVED"}
    received |= {"amount": {"amount": "90000.00", "currency": "EUR"}, "on": "2025-02-01"}
    await _mutate(api, CONFIRM, "confirmContribution", received, "partner")
    received = {"id": world.ids["h1"], "expectedVersion": 2, "stage": "RECEIVED"}
    received |= {"amount": await _money(world, h1, "1200000.00"), "on": "2025-03-10"}
    received["note"] = f"{detail.label} received"
    await _mutate(api, CONFIRM, "confirmContribution", received, "partner")
    disputed = {"id": world.ids["h2"], "expectedVersion": 1, "on": "2025-01-10"}
    disputed["reason"] = f"{detail.label} not delivered"
    await _mutate(api, DISPUTE, "disputeContribution", disputed, "partner")


@contextlib.asynccontextmanager
async def _world(databases: Databases, detail: Detail) -> AsyncIterator[World]:
    url = await databases.new_url()
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    await load_reference(sessions)
    await tallying.rebuild(sessions)
    # Both worlds have a token for both givers, so that nothing else differs.
    twin = await tokens.issue(sessions, WORLDS["B"].code, Role.ALLY, None)
    await engine.dispose()
    world = World(detail, url)
    paths: dict[str, dict[str, Any]] = {
        "ordinary": {"compiled_reads": False},
        "compiled": {},
    }
    async with contextlib.AsyncExitStack() as stack:
        for path, settings in paths.items():
            api = await stack.enter_async_context(running_api(url, **settings, **UNMETERED))
            api.tokens["twin_giver"] = twin
            world.apis[path] = api
        await _build(world)
        yield world


@pytest.fixture(scope="module")
async def worlds(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, World]]:
    databases = Databases(backend, tmp_path_factory.mktemp("restricted"))
    try:
        async with (
            _world(databases, WORLDS["A"]) as a,
            _world(databases, WORLDS["B"]) as b,
        ):
            assert a.ids == b.ids, "the worlds were built alike"
            yield {"A": a, "B": b}
    finally:
        await databases.close()


# --- Comparing answers ---------------------------------------------------------------------------

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CURSORS = {"cursor", "startCursor", "endCursor"}


def _cursor(value: str) -> Any:
    """A cursor with its sort value set aside when that is an instant (the worlds were written
    at other moments); its key and row stay."""
    name, plain, pk = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    return ["cursor", name, _normal(plain), pk]


def _normal(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {name: _normal(inner, name) for name, inner in value.items()}
    if isinstance(value, list):
        return [_normal(inner) for inner in value]
    if key in CURSORS and isinstance(value, str):
        return _cursor(value)
    if isinstance(value, str) and INSTANT.match(value):
        return "<instant>"
    return value


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    """What a response says, but its cost: data, and errors in a stable order."""
    errors = sorted(
        (
            json.dumps(error.get("path")),
            error.get("message"),
            json.dumps(error.get("extensions", {}).get("code")),
        )
        for error in body.get("errors", [])
    )
    return {"data": body.get("data"), "errors": errors}


@dataclass(frozen=True)
class Probe:
    """Aliased fields to ask, each where `wrap` says (`{}`): (`pN: field(arguments)`, what is
    asked of it). Fields whose arguments are refused are asked one at a time (a refused field
    takes its siblings' data with it), and only where `refusals` says: an argument is refused
    before anything is read, the same wherever the field is."""

    name: str
    wrap: str
    fields: tuple[tuple[str, str], ...]
    refusals: bool = True

    def document(self, fields: Sequence[tuple[str, str]]) -> str:
        return self.wrap.replace("{}", " ".join(f"{head} {{ {items} }}" for head, items in fields))


def _under(data: Any, alias: str) -> list[Any]:
    """Every value of an alias in an answer, in order (a nested field's, once per parent)."""
    if isinstance(data, list):
        return [found for item in data for found in _under(item, alias)]
    if not isinstance(data, dict):
        return []
    if alias in data:
        return [data[alias]]
    return [found for value in data.values() for found in _under(value, alias)]


async def _post(api: Api, document: str, viewer: str) -> dict[str, Any]:
    response = await api.post(document, {}, viewer)
    assert response.status_code in (200, 400), response.text[:500]
    body: dict[str, Any] = response.json()
    return body


# Within the service's limits on aliases and tokens, and short enough for the compiled path to
# take (schema/compiled_reads.py, LONGEST_DOCUMENT).
MOST_ALIASES, MOST_TOKENS, LONGEST = 40, 4500, 7900


def _chunks(probe: Probe, fields: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Fields in documents of a size every path takes."""
    chunks: list[list[tuple[str, str]]] = [[]]
    for field_ in fields:
        trial = [*chunks[-1], field_]
        document = probe.document(trial)
        too_big = len(trial) > MOST_ALIASES or len(document) > LONGEST
        if chunks[-1] and (too_big or _tokens(document) > MOST_TOKENS):
            chunks.append([field_])
        else:
            chunks[-1] = trial
    return [chunk for chunk in chunks if chunk]


REFUSED: dict[tuple[str, ...], frozenset[str]] = {}


async def _refused(api: Api, probe: Probe) -> frozenset[str]:
    """The heads whose arguments are refused: asked for nothing but `__typename`, halving
    batches that fail until each failure is one head's (once per set of heads)."""
    heads = tuple(head for head, _ in probe.fields)
    if heads not in REFUSED:

        async def failing(part: Sequence[str]) -> set[str]:
            document = probe.document([(head, "__typename") for head in part])
            if not (await _post(api, document, "secretariat")).get("errors"):
                return set()
            if len(part) == 1:
                return set(part)
            half = len(part) // 2
            return await failing(part[:half]) | await failing(part[half:])

        found: set[str] = set()
        for chunk in _chunks(probe, [(head, "__typename") for head in heads]):
            found |= await failing([head for head, _ in chunk])
        REFUSED[heads] = frozenset(found)
    return REFUSED[heads]


async def _ask(api: Api, probes: list[Probe], viewer: str, screen: Api) -> dict[str, Any]:
    """Every probe's answers, by probe and field."""
    found: dict[str, Any] = {}
    for probe in probes:
        refused = await _refused(screen, probe)
        accepted = [field_ for field_ in probe.fields if field_[0] not in refused]
        for chunk in _chunks(probe, accepted):
            body = await _post(api, probe.document(chunk), viewer)
            for head, _ in chunk:
                alias = head.split(":", 1)[0]
                found[f"{probe.name} {head}"] = (
                    _answer(body) if body.get("errors") else _under(body["data"], alias)
                )
        if probe.refusals:
            for field_ in probe.fields:
                if field_[0] in refused:
                    body = await _post(api, probe.document([field_]), viewer)
                    found[f"{probe.name} {field_[0]}"] = _answer(body)
    return found


def _around_first_difference(one: Any, other: Any, margin: int = 600) -> tuple[str, str]:
    """Both answers as JSON, cut around where they first differ."""
    a, b = json.dumps(one), json.dumps(other)
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    start = max(at - margin, 0)
    return a[start : at + margin], b[start : at + margin]


def _differences(one: dict[str, Any], other: dict[str, Any]) -> list[str]:
    return [
        f"{name}:\n  " + "\n  ".join(_around_first_difference(one[name], other[name]))
        for name in one
        if one[name] != other[name]
    ]


async def _same_for_outsiders(worlds: dict[str, World], probes: list[Probe]) -> None:
    """Each outsider's answers to the probes, from the worlds' compiled reads (held to the
    resolver path below), asked side by side."""
    screen = worlds["A"].fast
    for probe in probes:
        await _refused(screen, probe)
    asked = [
        _ask(worlds[name].fast, probes, viewer, screen) for viewer in WALKERS for name in ("A", "B")
    ]
    answers = iter(await asyncio.gather(*asked))
    for viewer in WALKERS:
        a, b = next(answers), next(answers)
        differences = _differences(_normal(a), _normal(b))
        assert differences == [], f"{viewer} tells the worlds apart:\n" + "\n".join(differences[:5])


# --- Walking the schema --------------------------------------------------------------------------


def _schema() -> GraphQLSchema:
    return build_schema(SDL.read_text())


def _connection_item(type_: GraphQLNamedType) -> str | None:
    """The item type's name of a connection type, or None for any other type."""
    if (
        isinstance(type_, GraphQLObjectType)
        and "nodes" in type_.fields
        and "pageInfo" in type_.fields
    ):
        return get_named_type(type_.fields["nodes"].type).name
    return None


def _required(field_: GraphQLField) -> bool:
    return any(
        is_non_null_type(argument.type) and argument.default_value is Undefined
        for argument in field_.args.values()
    )


def selection(type_: GraphQLObjectType, depth: int, skip: frozenset[str] = frozenset()) -> str:
    """Every field of a type that takes no required argument: leaves and values (objects with no
    `id`: money, totals, rates) always, other objects while `depth` lasts, connections (their
    count and items) from depth 2."""
    parts = []
    for name, field_ in type_.fields.items():
        if _required(field_) or name in skip:
            continue
        named = get_named_type(field_.type)
        if is_leaf_type(named):
            parts.append(name)
        elif not isinstance(named, GraphQLObjectType):
            continue  # interfaces (Node): their objects are asked for where they are listed
        elif (item := _connection_item(named)) is not None:
            if depth >= 2:
                inner = selection(_object(item), depth - 1)
                parts.append(f"{name} {{ totalCount nodes {{ {inner} }} }}")
        elif "id" not in named.fields:
            parts.append(f"{name} {{ {selection(named, depth)} }}")
        elif depth >= 1:
            parts.append(f"{name} {{ {selection(named, depth - 1)} }}")
    return " ".join(parts)


SCHEMA = _schema()


def _object(name: str) -> GraphQLObjectType:
    found = SCHEMA.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found


def _literal(value: Any) -> str:
    return json.dumps(value)


@dataclass(frozen=True)
class Pools:
    """Values to try, by GraphQL type: what the worlds' withheld detail is made of, and the
    objects of the scenario."""

    ids: list[str]

    def strings(self) -> list[str]:
        codes = ["DE", "US", "FR", "GE", "RS"]
        currencies = ["NOK", "ISK", "EUR"]
        detail = [
            text
            for world in WORLDS.values()
            for text in (world.reference("h2"), world.description("h2"))
        ]
        return codes + currencies + detail + ["Contribution"]

    def values(self, type_: GraphQLInputType) -> list[str]:
        """Literals of a type to probe with, one condition at a time (and all at once, for a
        list)."""
        if isinstance(type_, GraphQLNonNull):
            return self.values(type_.of_type)
        if isinstance(type_, GraphQLList):
            inner = self.values(type_.of_type)
            return [f"[{value}]" for value in inner] + [f"[{', '.join(inner)}]"]
        if isinstance(type_, GraphQLEnumType):
            return [str(name) for name in type_.values]
        if isinstance(type_, GraphQLInputObjectType):
            return [f"{{ {choice} }}" for choice in self.fields(type_)]
        return [_literal(value) for value in self.scalars(type_.name)]

    def scalars(self, name: str) -> list[Any]:
        pools: dict[str, list[Any]] = {
            "String": self.strings(),
            "ID": self.ids,
            "Date": ["2024-06-01", "2025-03-15", "2026-01-01"],
            "DateTime": ["2024-06-01T00:00:00+00:00", "2026-01-01T12:00:00+02:00"],
            "Decimal": ["0", "0.5", "1"],
            "Int": [2, 3],
            "Boolean": [True, False],
        }
        return pools[name]

    def fields(self, type_: GraphQLInputObjectType) -> list[str]:
        """An input object's probes: its required fields in every combination, with each
        optional field in turn."""
        required = [
            (name, self.values(inner.type))
            for name, inner in type_.fields.items()
            if is_non_null_type(inner.type) and inner.default_value is Undefined
        ]
        base = [
            ", ".join(f"{name}: {value}" for (name, _), value in zip(required, chosen, strict=True))
            for chosen in itertools.product(*(values for _, values in required))
        ]
        optional = [
            f"{name}: {value}"
            for name, inner in type_.fields.items()
            if not (is_non_null_type(inner.type) and inner.default_value is Undefined)
            for value in self.values(inner.type)
        ]
        if not optional:
            return base
        return [
            ", ".join(part for part in (start, more) if part) for start in base for more in optional
        ]


# Paging arguments: cursors are not withheld detail, and each world writes its own.
PAGING = {"after", "before"}


def argument_probes(field_: GraphQLField, pools: Pools) -> list[str]:
    """The argument lists to probe a field with: none, and each argument with each of its
    values (every condition of an input object in turn)."""
    found = [""]
    for name, argument in field_.args.items():
        if name in PAGING:
            continue
        found += [f"({name}: {value})" for value in pools.values(argument.type)]
    return found


def _tokens(document: str) -> int:
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def _contribution_items(skip: frozenset[str] = frozenset()) -> str:
    # The contributor is what a list would give away; the rest of a referenced object is not.
    fields = selection(_object("Contribution"), 0, skip)
    return (
        "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
        f"edges {{ cursor node {{ {fields} contributor {{ code }} }} }}"
    )


CONTRIBUTION_ITEMS = _contribution_items()
# A contribution's fields only the resolvers serve (schema/fields.py: `resolved`): compiled reads
# hand any query asking for one to the resolvers.
RESOLVED_ONLY = frozenset(
    name
    for name, field_ in served_schema()._schema.type_map["Contribution"].fields.items()
    if isinstance(
        declarations.declared(field_.extensions["strawberry-definition"]), declarations.Resolved
    )
)
COMPILED_ITEMS = _contribution_items(RESOLVED_ONLY)


def _reach(world: World) -> dict[str, list[str]]:
    """Where each type with a list of contributions is found: `{}` is where its fields go."""
    ids = world.ids
    plans = ", ".join(_literal(ids[partner]) for partner in PLANS)
    return {
        "Query": ["{ {} }"],
        "Participant": [f'{{ participant(code: "{code}") {{ {{}} }} }}' for code in ("DE", "US")],
        "Plan": [f'{{ plan(code: "{code}") {{ {{}} }} }}' for code, _ in PLANS.values()],
        "Objective": [
            f"{{ node(id: {_literal(ids[key])}) {{ ... on Objective {{ {{}} }} }} }}"
            for key in ("civil", "defence")
        ]
        + [f"{{ objectives(filter: {{ plans: [{plans}] }}) {{ nodes {{ code {{}} }} }} }}"],
    }


def contribution_lists() -> list[tuple[str, str]]:
    """Every (type, field) that lists contributions, found in the schema."""
    return [
        (type_.name, name)
        for type_ in SCHEMA.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field_ in type_.fields.items()
        if _connection_item(get_named_type(field_.type)) == "Contribution"
    ]


def list_probes(world: World, items: str = CONTRIBUTION_ITEMS) -> list[Probe]:
    pools = Pools(ids=[world.ids[key] for key in (*PLANS, *OBJECTIVES)])
    reach = _reach(world)
    probes = []
    for type_name, name in contribution_lists():
        assert type_name in reach, f"{type_name}.{name} lists contributions: probe it here"
        field_ = _object(type_name).fields[name]
        fields = tuple(
            (f"p{index}: {name}{arguments}", items)
            for index, arguments in enumerate(argument_probes(field_, pools))
        )
        probes += [
            Probe(f"{type_name}.{name} {wrap}", wrap, fields, refusals=number == 0)
            for number, wrap in enumerate(reach[type_name])
        ]
    return probes


ANALYSES = (
    "aidOverlaps",
    "coverage",
    "aidGaps",
    "reconciliation",
    "fulfilment",
    "expectedInflow",
)
FEED = ("changes",)
LOOKUPS = ("node", "nodes")
# Root fields that reach contributions only through the types `_reach` covers.
ENTRIES = (
    "viewer",
    "participant",
    "partners",
    "allies",
    "institutions",
    "funds",
    "plan",
    "plans",
    "objectives",
)


def _items(type_: GraphQLNamedType, depth: int) -> str:
    """A field's selection: a connection's count, page and items, or the object's fields; and
    lists with a `first` argument asked at their widest too."""
    item = _connection_item(type_)
    target = _object(item) if item is not None else type_
    assert isinstance(target, GraphQLObjectType)
    inner = selection(target, depth)
    for name, field_ in target.fields.items():
        if "first" in field_.args and _connection_item(get_named_type(field_.type)) is None:
            widest = selection(_object(get_named_type(field_.type).name), depth)
            inner += f" widest_{name}: {name}(first: 20) {{ {widest} }}"
    if item is None:
        return inner
    return f"totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {inner} }}"


def root_probes(world: World, names: tuple[str, ...], depth: int) -> list[Probe]:
    """Each root field with each of its arguments' values; the field without any, asked a level
    deeper."""
    pools = Pools(ids=[world.ids[key] for key in (*PLANS, *OBJECTIVES)])
    query = _object("Query")
    probes = []
    for name in names:
        field_ = query.fields[name]
        type_ = get_named_type(field_.type)
        fields = tuple(
            (f"p{index}: {name}{arguments}", _items(type_, depth + (not arguments)))
            for index, arguments in enumerate(argument_probes(field_, pools))
        )
        probes.append(Probe(name, "{ {} }", fields))
    return probes


def lookup_probes(world: World) -> list[Probe]:
    contribution = selection(_object("Contribution"), 2)
    objective = selection(_object("Objective"), 2)
    shape = (
        f"__typename ... on Contribution {{ {contribution} }} ... on Objective {{ {objective} }}"
    )
    keys = [support.key for support in HIDDEN] + [support.key for _, support in PUBLIC]
    keys += list(OBJECTIVES)
    fields = [
        (f"p{index}: node(id: {_literal(world.ids[key])})", shape) for index, key in enumerate(keys)
    ]
    every = ", ".join(_literal(world.ids[key]) for key in keys)
    fields.append((f"every: nodes(ids: [{every}])", shape))
    feed = selection(_object("ChangeEvent"), 1)
    fields.append(("feed: changes(first: 100)", f"edges {{ cursor node {{ {feed} }} }}"))
    return [Probe("lookups", "{ {} }", tuple(fields))]


def test_every_root_field_is_probed() -> None:
    # A root field added later must be placed here, so that it is probed (or shown harmless)
    known = {"contributions", *ANALYSES, *FEED, *LOOKUPS, *ENTRIES}
    assert set(_object("Query").fields) <= known


def test_every_list_of_contributions_is_reached(worlds: dict[str, World]) -> None:
    lists = contribution_lists()
    assert ("Query", "contributions") in lists and ("Participant", "contributions") in lists
    reach = _reach(worlds["A"])
    assert {type_name for type_name, _ in lists} <= set(reach)


# --- Outsiders: the same answer from both worlds --------------------------------------------------


# The list walk asks thousands of questions: dealt out in shards, which the workers share.
LIST_SHARDS = 4


@pytest.mark.parametrize("shard", range(LIST_SHARDS))
async def test_no_filter_or_ordering_of_any_list_tells_the_worlds_apart(
    worlds: dict[str, World], shard: int
) -> None:
    # Given the two worlds, whose restricted support differs only in its withheld detail
    probes = list_probes(worlds["A"])
    assert probes == list_probes(worlds["B"])

    # When each outsider asks every list every question its arguments allow (this shard's part)
    # Then each gets the same answers in both worlds
    await _same_for_outsiders(worlds, probes[shard::LIST_SHARDS])


async def test_no_analysis_tells_the_worlds_apart(worlds: dict[str, World]) -> None:
    # Overlaps, coverage, gaps with their suggestions and reasons, and every rate list
    probes = root_probes(worlds["A"], ANALYSES, 1)

    await _same_for_outsiders(worlds, probes)


async def test_no_event_history_or_lookup_tells_the_worlds_apart(worlds: dict[str, World]) -> None:
    probes = root_probes(worlds["A"], FEED, 1) + lookup_probes(worlds["A"])

    await _same_for_outsiders(worlds, probes)


async def test_a_refused_change_tells_the_worlds_nothing(worlds: dict[str, World]) -> None:
    fields = selection(_object("Contribution"), 1)
    update = f"""
    mutation($input: UpdateContributionInput!) {{
      updateContribution(input: $input) {{
        contribution {{ {fields} }} userErrors {{ field message code }}
      }}
    }}"""
    withdraw = f"""
    mutation($input: WithdrawContributionInput!) {{
      withdrawContribution(input: $input) {{
        contribution {{ {fields} }} userErrors {{ field message code }}
      }}
    }}"""
    attempts = [
        (document, {"expectedVersion": version, **more})
        for version in (1, 2, 9)
        for document, more in (
            (update, {"amount": {"amount": "1.00", "currency": "NOK"}}),
            (update, {"description": "mine now", "externalReference": "Bergen-REF-h2"}),
            (update, {"status": "WITHDRAWN"}),
            (withdraw, {"reason": "gone"}),
        )
    ]
    for viewer in OUTSIDERS:
        answers: dict[str, list[Any]] = {}
        for name, world in worlds.items():
            answers[name] = []
            for support in HIDDEN:
                for document, input_ in attempts:
                    variables = {"input": {"id": world.ids[support.key], **input_}}
                    body = await world.api.query(document, variables, as_=viewer)
                    payload = next(iter(body["data"].values()))
                    assert payload["userErrors"], "an outsider changes nothing"
                    answers[name].append(_normal(body))
        assert answers["A"] == answers["B"], viewer


async def _replayed(world: World, subscriptions: dict[str, tuple[str, int]]) -> dict[str, Any]:
    """What each outsider is sent by each subscription (document, messages to wait for), asked
    to replay the feed from before the scenario."""
    app = create_app(Settings(database_url=world.url, **UNMETERED))
    found: dict[str, Any] = {}
    async with served(app) as address:
        for viewer in OUTSIDERS:
            async with socket(address, world.api.tokens[viewer]) as client:
                names = {
                    await client.subscribe(document, {"after": world.start}): name
                    for name, (document, _) in subscriptions.items()
                }
                sent: dict[str, list[Any]] = {name: [] for name in subscriptions}
                while any(len(sent[name]) < count for name, (_, count) in subscriptions.items()):
                    message = await client.next()
                    assert message["type"] == "next", message
                    sent[names[message["id"]]].append(_normal(message["payload"]))
            found[viewer] = sent
    await app.state.database.dispose()
    return found


FEED_KINDS = """
query($after: String) { changes(first: 100, after: $after) { nodes { entityType action } } }
"""


async def test_no_subscription_tells_the_worlds_apart(worlds: dict[str, World]) -> None:
    # Given the worlds' change feeds, replayed to subscribers from before the scenario
    kinds = await worlds["A"].api.data(FEED_KINDS, {"after": worlds["A"].start})
    events = kinds["changes"]["nodes"]
    changed = sum(event["entityType"] == "Contribution" for event in events)
    detected = sum(event["action"] == "OVERLAP_DETECTED" for event in events)
    # Registrations, two updates and a withdrawal, and three confirmations or disputes
    assert changed == len(PUBLIC) + len(HIDDEN) + 3 + 3 and detected == 2
    contribution = selection(_object("Contribution"), 1)
    event = selection(_object("ChangeEvent"), 1)
    overlap = selection(_object("AidOverlap"), 2)
    contributions = f"""subscription($after: String) {{
      contributionChanged(after: $after) {{
        cursor event {{ {event} }} contribution {{ {contribution} }}
      }}
    }}"""
    overlaps = f"""subscription($after: String) {{
      overlapDetected(after: $after) {{ cursor overlap {{ {overlap} }} }}
    }}"""

    # When each outsider follows each world's contributions and overlaps
    subscriptions = {"contributions": (contributions, changed), "overlaps": (overlaps, detected)}
    a = await _replayed(worlds["A"], subscriptions)
    b = await _replayed(worlds["B"], subscriptions)

    # Then both worlds push the same messages
    for viewer in OUTSIDERS:
        assert a[viewer] == b[viewer], viewer


async def test_the_rule_is_one_in_python_and_in_sql(worlds: dict[str, World]) -> None:
    # Given every contribution of world A, and every way of asking
    async with worlds["A"].api.database.reads() as session:
        rows = list(await session.scalars(select(Contribution)))
        everyone = {row.id for row in rows}
        people = {row.contributor_id for row in rows} | {row.recipient_id for row in rows}
        for scope in {None, visibility.NO_ONE, *(frozenset({one}) for one in people)}:
            # When SQL and Python each decide whose detail shows
            expected = {
                row.id
                for row in rows
                if visibility.sees(scope, row.visibility, row.contributor_id, row.recipient_id)
            }
            shown = seen_by(scope)
            ids = select(Contribution.id)
            found = set(await session.scalars(ids if shown is None else ids.where(shown)))

            # Then they agree, and the SQL for the rest is its exact complement
            assert found == expected, scope
            if scope is not None:
                columns = (Contribution.visibility, Contribution.contributor_id)
                withheld = visibility.hidden(*columns, Contribution.recipient_id, scope)
                assert set(await session.scalars(ids.where(withheld))) == everyone - expected
    assert any(row.visibility.name == "RESTRICTED" for row in rows)


# --- The compiled reads -------------------------------------------------------------------------

# The lists the compiled path serves (tests/test_compiled_reads.py holds the rest of it to the
# resolver path); node(id:) fragments and a participant's contributions always take that one.
DIRECT = ("Query.", "Plan.", "Objective.contributions { objectives(")


# The two shapes the rule takes in SQL: no condition (the secretariat), and a participant's.
@pytest.mark.parametrize("viewer", ["secretariat", "ally"])
async def test_every_filter_answers_alike_on_every_read_path(
    worlds: dict[str, World], viewer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given world A, served with compiled reads and without
    world = worlds["A"]
    probes = list_probes(world, COMPILED_ITEMS)
    probes = [probe for probe in probes if probe.name.startswith(DIRECT)]
    served: list[bool] = []
    execute = CompiledReads.answer

    async def spy(self: CompiledReads, *args: Any, **kwargs: Any) -> Any:
        result = await execute(self, *args, **kwargs)
        served.append(result is not None)
        return result

    monkeypatch.setattr(CompiledReads, "answer", spy)

    # When the contributor, an outsider and the secretariat ask every list every question
    ordinary = await _ask(world.api, probes, viewer, world.fast)

    # Then every path gives each the same answers, having answered directly where it could
    for path, api in world.apis.items():
        if path == "ordinary":
            continue
        for probe in probes:
            served.clear()
            answers = await _ask(api, [probe], viewer, world.fast)
            assert True in served, f"{path} took none of {probe.name} directly"
            differences = _differences(answers, ordinary)
            assert differences == [], f"{path} answers {viewer} otherwise:\n" + "\n".join(
                differences[:5]
            )


# --- What the entitled see, and what everyone counts ----------------------------------------------

COUNTED = """
query($currencies: [String!], $contributors: [String!]) {
  contributions(first: 100, filter: { currencies: $currencies, contributors: $contributors }) {
    totalCount nodes { id amount { currency } contributor { code } externalReference description }
  }
}
"""


async def test_the_entitled_find_restricted_support_by_its_detail(worlds: dict[str, World]) -> None:
    api = worlds["A"].api

    async def count(viewer: str, **filter_: list[str]) -> int:
        found = (await api.data(COUNTED, filter_, as_=viewer))["contributions"]
        return int(found["totalCount"])

    # Three restricted contributions in crowns to Georgia, one public one to Serbia; two
    # restricted ones in Icelandic crowns to Serbia (one withdrawn)
    for viewer in ENTITLED:
        assert await count(viewer, contributors=["DE"]) == (3 if viewer == "partner" else 5)
        assert await count(viewer, currencies=["NOK"]) == 4
        assert await count(viewer, currencies=["ISK"]) == (0 if viewer == "partner" else 2)
    for viewer in OUTSIDERS:
        assert await count(viewer, contributors=["DE"]) == 0
        assert await count(viewer, currencies=["NOK"]) == 1
        assert await count(viewer, currencies=["ISK"]) == 0
    shown = await api.data(COUNTED, {"currencies": ["NOK"]}, as_="ally")
    details = {
        (n["contributor"]["code"], n["amount"]["currency"]) for n in shown["contributions"]["nodes"]
    }
    assert details == {("DE", "NOK"), ("FR", "NOK")}
    assert "Bergen support h2" in json.dumps(shown)


SUGGESTIONS = """
query($plans: [ID!]) {
  aidGaps(filter: { plans: $plans }) {
    nodes {
      objective { code }
      suggestedContributors(first: 20) { participant { code } contributions reason }
    }
  }
}
"""


async def test_suggestions_count_only_support_the_viewer_may_see(worlds: dict[str, World]) -> None:
    world = worlds["A"]

    async def suggested(viewer: str) -> dict[str, tuple[int, str]]:
        data = await world.api.data(SUGGESTIONS, {"plans": [world.ids["GE"]]}, as_=viewer)
        (gap,) = [n for n in data["aidGaps"]["nodes"] if n["objective"]["code"] == "GAP"]
        return {
            s["participant"]["code"]: (s["contributions"], s["reason"])
            for s in gap["suggestedContributors"]
        }

    for viewer in ENTITLED:
        found = await suggested(viewer)
        assert found["DE"][0] == 3 and found["DE"][1].startswith("3 contributions to civil")
        assert found["FR"][0] == 1 and found["EU"][0] == 1
    for viewer in OUTSIDERS:
        found = await suggested(viewer)
        assert set(found) == {"FR", "EU"}
        assert "3 contributions" not in json.dumps(found)


RATES = """
query($covered: [ID!], $plans: [ID!]) {
  coverage(filter: { plans: $covered }) {
    total { pledged { amount } committed { amount } }
    rates { currency validFrom }
  }
  aidOverlaps(filter: { plans: $plans }) {
    nodes { objective { code } total { amount rates { currency validFrom } } }
  }
}
"""


async def test_rates_only_withheld_support_uses_are_not_listed_but_totals_count_it(
    worlds: dict[str, World],
) -> None:
    world = worlds["A"]

    async def read(viewer: str, partners: tuple[str, ...] = ("GE",)) -> Any:
        variables = {"covered": [world.ids[p] for p in partners], "plans": [world.ids["GE"]]}
        return await world.api.data(RATES, variables, as_=viewer)

    def currencies(rates: list[dict[str, str]]) -> list[str]:
        return [f"{rate['currency']} {rate['validFrom'][:4]}" for rate in rates]

    for viewer in ENTITLED:
        georgia = await read(viewer)
        assert currencies(georgia["coverage"]["rates"]) == ["NOK 2024", "NOK 2025"]
        (overlap,) = georgia["aidOverlaps"]["nodes"]
        assert currencies(overlap["total"]["rates"]) == ["NOK 2024", "NOK 2025"]
    everything = currencies((await read("secretariat", ("GE", "RS")))["coverage"]["rates"])
    assert everything == ["ISK 2025", "NOK 2024", "NOK 2025", "NOK 2026"]
    for viewer in OUTSIDERS:
        georgia = await read(viewer)
        assert georgia["coverage"]["rates"] == []
        (overlap,) = georgia["aidOverlaps"]["nodes"]
        assert overlap["total"]["rates"] == []
        # The public crowns to Serbia, and the NOK requirement's rate, are listed
        assert currencies((await read(viewer, ("GE", "RS")))["coverage"]["rates"]) == [
            "NOK 2025",
            "NOK 2026",
        ]
        # And the totals are everyone's, withheld support included
        secretariat = await read("secretariat")
        assert georgia["coverage"]["total"] == secretariat["coverage"]["total"]
        assert (
            overlap["total"]["amount"] == secretariat["aidOverlaps"]["nodes"][0]["total"]["amount"]
        )
    hidden = [
        await _euros(world.api, H1_NEW_AMOUNT, "NOK", "2025-03-01"),
        *[
            await _euros(world.api, h.amount, h.currency, h.valued_on)
            for h in (HIDDEN[1], HIDDEN[4])
        ],
    ]
    expected = Decimal("100000.00") + Decimal("20000.00") + sum(map(Decimal, hidden))
    pledged = (await read("institution"))["coverage"]["total"]["pledged"]["amount"]
    assert Decimal(pledged) == expected
