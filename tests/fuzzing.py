"""What the fuzz and hostile-input tests share: the served schema, values that look like this
API's own data (so generated operations reach the database, not only the argument checks), values
meant to break things, and the one verdict every response must pass: no server error."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import graphql
import httpx
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from resolvers import ids
from schema import build_schema
from seeds.reference import PLANS, REGIONS
from store import changes, contributions, objectives, participants, plans, reviews, tallies
from tests.conftest import Api

# The schema clients see, parsed by graphql-core: what hypothesis-graphql and the walkers read.
SERVED = graphql.build_schema(build_schema().as_str())

# strawberry's MaskErrors default: an exception nobody meant to show reached the client.
MASKED_MESSAGE = "Unexpected error."

ERROR_LOGGER = "api.errors"

# Each of these has broken some SQL layer somewhere: quotes and statement separators, comments,
# LIKE wildcards and their escape, a NUL byte (PostgreSQL text cannot hold one), a tautology.
SQL_METACHARACTERS = ("'", '"', ";", "--", "%", "_", "\\", "/*", "\x00", "' OR 1=1 --")

# Odd but well-formed strings: a quote in a name, a right-to-left mark, an emoji, a lone
# combining mark, column-length boundaries in characters that take two bytes in UTF-8.
ODD_STRINGS = (
    "",
    " ",
    "O'Brien",
    "\u202eEUR",
    "\U0001f600",
    "\u0301",
    "\ufeffGE",
    "é" * 3,
    "é" * 40,
    "é" * 41,
    "é" * 121,
    "é" * 201,
    "x" * 2_001,
)

PARTICIPANT_CODES = ("GE", "MD", "UA", "RS", "DE", "FR", "US", "NATO", "EU", "UN", "ge", " GE ")
PLAN_CODES = tuple(plan.code for plan in PLANS)
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "KWD", "eur", "XXX", "EU")
ENTITY_TYPES = ("Contribution", "Plan", "Objective", "Review", "Participant")
REAL_STRINGS = (
    PARTICIPANT_CODES
    + PLAN_CODES
    + CURRENCIES
    + ENTITY_TYPES
    + tuple(sorted(set(REGIONS.values())))
)

# Keys no row can have: below 1, past PostgreSQL's INTEGER (2**31), BIGINT (2**63), any 64 bits.
HUGE_KEYS = (0, -1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30)
SMALL_KEYS = st.integers(min_value=1, max_value=40)

ORDERING_NAMES = sorted(
    {
        *changes.ORDERINGS,
        *contributions.ORDERINGS,
        *objectives.ORDERINGS,
        *participants.ORDERINGS,
        *plans.ORDERINGS,
        *reviews.ORDERINGS,
        tallies.OVERLAP_ORDER.name,
        tallies.GAP_ORDER.name,
    }
)


def raw_id(type_name: str, key: object) -> str:
    """A global ID for any key at all: `ids.encode` itself only takes well-formed ones."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def raw_cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# --- values ---------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def mostly(usual: st.SearchStrategy[Any], *odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` three times in four, one of `odd` otherwise: values that get past the argument
    checks reach the resolvers and the database, where the interesting failures are."""
    return st.one_of(usual, usual, usual, st.one_of(*odd))


def ids_of(*type_names: str) -> st.SearchStrategy[str]:
    return st.builds(ids.encode, st.sampled_from(type_names), SMALL_KEYS)


global_ids = mostly(
    ids_of(*ids.NODE_TYPES),
    st.builds(raw_id, st.sampled_from(ids.NODE_TYPES), st.sampled_from(HUGE_KEYS)),
    st.builds(raw_id, st.sampled_from((*ids.NODE_TYPES, "User", "")), st.text(max_size=12)),
    st.text(max_size=30),
)

forged_cursors = st.builds(
    lambda name, value, key: raw_cursor([name, value, key]),
    st.sampled_from(ORDERING_NAMES) | st.text(max_size=8),
    st.one_of(
        json_values,
        st.dates().map(date.isoformat),
        st.sampled_from(("CRITICAL", "LOW", "NaN", "-Infinity", "1e400", "2024-01-01T00:00:00Z")),
    ),
    SMALL_KEYS | st.sampled_from(HUGE_KEYS) | json_scalars,
) | st.builds(raw_cursor, json_values)

strings = mostly(
    st.sampled_from(REAL_STRINGS),
    st.sampled_from(SQL_METACHARACTERS + ODD_STRINGS),
    st.text(max_size=60),
    global_ids,
    forged_cursors,
)

dates = mostly(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)).map(date.isoformat),
    st.dates().map(date.isoformat),
    st.sampled_from(
        ("0001-01-01", "9999-12-31", "2021-02-29", "2024-02-29", "2021-13-01", "2021-1-1", "")
    ),
)

decimals = mostly(
    st.decimals(min_value=0, max_value=10**6, places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(
        (
            "0",
            "-0",
            "0.5",
            "1",
            "100.00",
            "1e3",
            "NaN",
            "Infinity",
            "1e400",
            " 12.5 ",
            "1_000",
            "9" * 40,
            "1" + "0" * 12,
            "999999999999.99",
            "0." + "0" * 60 + "1",
        )
    ),
)

ints = mostly(st.integers(min_value=-1, max_value=101), st.integers(-(2**31), 2**31 - 1))

# Variables travel as JSON, so scalars are the plain values the literals above stand for.
VARIABLES: dict[str, st.SearchStrategy[Any]] = {
    "String": strings,
    "ID": global_ids,
    "Int": ints,
    "Float": st.floats(),
    "Boolean": st.booleans(),
    "Date": dates,
    "Decimal": decimals,
    "DateTime": st.sampled_from(("2024-05-03T11:02:00Z", "2024-05-03T11:02:00")),
}

PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "String": st.sampled_from(REAL_STRINGS) | st.text(max_size=40),
    "ID": ids_of(*ids.NODE_TYPES),
    "Int": st.integers(min_value=0, max_value=100),
    "Float": st.floats(allow_nan=False, allow_infinity=False),
    "Boolean": st.booleans(),
    "Date": st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)).map(date.isoformat),
    "Decimal": st.decimals(min_value="0.01", max_value=10**6, places=2).map(str),
    "DateTime": st.just("2024-05-03T11:02:00Z"),
}

# Literal values inside generated documents, for hypothesis-graphql: as AST nodes; odd ones
# among them, or plausible ones only.
LITERALS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "String": strings.map(nodes.String),
    "ID": global_ids.map(nodes.String),
    "Int": ints.map(nodes.Int),
    "Date": mostly(dates.map(nodes.String), ints.map(nodes.Int)),
    "Decimal": mostly(
        decimals.map(nodes.String),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    ),
    "DateTime": st.sampled_from(("2024-05-03T11:02:00Z", "2024-05-03T11:02:00")).map(nodes.String),
    "JSON": st.just(nodes.Null),
}
PLAUSIBLE_LITERALS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "String": PLAUSIBLE["String"].map(nodes.String),
    "ID": PLAUSIBLE["ID"].map(nodes.String),
    "Int": PLAUSIBLE["Int"].map(nodes.Int),
    "Date": PLAUSIBLE["Date"].map(nodes.String),
    "Decimal": PLAUSIBLE["Decimal"].map(nodes.String),
    "DateTime": PLAUSIBLE["DateTime"].map(nodes.String),
    "JSON": st.just(nodes.Null),
}

# What an argument or input field of this name holds in this API, so that a mutation's input is
# often entirely valid and gets written. Any other name gets a value by its type alone.
participant_codes = st.sampled_from(PARTICIPANT_CODES)
BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "partner": participant_codes,
    "partners": st.lists(participant_codes, max_size=3),
    "contributors": st.lists(participant_codes, max_size=3),
    "code": st.sampled_from(PARTICIPANT_CODES + PLAN_CODES) | st.text(max_size=12),
    "currency": st.sampled_from(CURRENCIES),
    "currencies": st.lists(st.sampled_from(CURRENCIES), max_size=3),
    "regions": st.lists(st.sampled_from(sorted(set(REGIONS.values()))), max_size=3),
    "entityTypes": st.lists(st.sampled_from(ENTITY_TYPES), max_size=3),
    "planId": ids_of("Plan"),
    "plans": st.lists(ids_of("Plan"), max_size=3),
    "objectiveId": ids_of("Objective"),
    "objectives": st.lists(ids_of("Objective"), max_size=3),
    "id": ids_of("Plan", "Objective", "Contribution"),
    # An input's `id` names a row of the type its mutation changes.
    "UpdatePlanInput.id": ids_of("Plan"),
    "UpdateObjectiveInput.id": ids_of("Objective"),
    "UpdateContributionInput.id": ids_of("Contribution"),
    "WithdrawContributionInput.id": ids_of("Contribution"),
    "expectedVersion": st.integers(min_value=1, max_value=4),
    "first": st.integers(min_value=0, max_value=100),
    "last": st.integers(min_value=0, max_value=100),
}


def variable_values(
    type_: graphql.GraphQLInputType,
    name: str | None = None,
    *,
    odd: bool = True,
    owner: str | None = None,
) -> st.SearchStrategy[Any]:
    """Values of the right shape (of the right meaning, for names in BY_NAME). With `odd`, odd
    ones at every level too: `null` where none is allowed, a string for an Int, an object for an
    ID, a list for a scalar...; without, plausible values only, so that whole inputs are valid
    often enough to be written."""
    usual = _well_typed(type_, odd)
    meaning = BY_NAME.get(f"{owner}.{name}", BY_NAME.get(name or ""))
    if meaning is not None:
        usual = meaning | usual
    return mostly(usual, json_values) if odd else usual


def _well_typed(type_: graphql.GraphQLInputType, odd: bool) -> st.SearchStrategy[Any]:
    if isinstance(type_, graphql.GraphQLNonNull):
        return _well_typed(type_.of_type, odd)
    if isinstance(type_, graphql.GraphQLList):
        item = variable_values(type_.of_type, odd=odd)
        # A single value where a list is wanted is valid GraphQL (it is coerced to a list of one).
        return st.lists(item, max_size=4) | item
    if isinstance(type_, graphql.GraphQLEnumType):
        return st.sampled_from(list(type_.values))
    if isinstance(type_, graphql.GraphQLInputObjectType):
        required = {
            name: variable_values(f.type, name, odd=odd, owner=type_.name)
            for name, f in type_.fields.items()
            if graphql.is_required_input_field(f)
        }
        optional = {
            name: variable_values(f.type, name, odd=odd, owner=type_.name)
            for name, f in type_.fields.items()
            if not graphql.is_required_input_field(f)
        }
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(type_, graphql.GraphQLScalarType)
    return (VARIABLES if odd else PLAUSIBLE).get(type_.name, json_values)


# --- documents ------------------------------------------------------------------------------


def named_type(type_: graphql.GraphQLType) -> graphql.GraphQLNamedType:
    while isinstance(type_, graphql.GraphQLWrappingType):
        type_ = type_.of_type
    assert isinstance(type_, graphql.GraphQLNamedType)
    return type_


def leaves(type_: graphql.GraphQLType, depth: int = 2) -> str:
    """A selection of every field of `type_` that needs no argument, `depth` levels down."""
    target = named_type(type_)
    if not isinstance(target, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
        return ""
    chosen = ["__typename"]
    for name, found in target.fields.items():
        if any(graphql.is_required_argument(argument) for argument in found.args.values()):
            continue
        inner = named_type(found.type)
        if isinstance(inner, graphql.GraphQLScalarType | graphql.GraphQLEnumType):
            chosen.append(name)
        elif depth > 1:
            chosen.append(f"{name} {leaves(inner, depth - 1)}")
    return "{ " + " ".join(chosen) + " }"


def operation_with_variables(kind: str, root: graphql.GraphQLObjectType, name: str) -> str:
    """`kind F($a: T, ...) { name(a: $a, ...) { ...every leaf } }`: every argument a variable."""
    found = root.fields[name]
    arguments = found.args
    declared = ", ".join(f"${arg}: {argument.type}" for arg, argument in arguments.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in arguments)
    head = f"{kind} Fuzz({declared})" if declared else f"{kind} Fuzz"
    call = f"{name}({passed})" if passed else name
    return f"{head} {{ {call} {leaves(found.type)} }}"


# --- the verdict ----------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Collects what the schema logs as unexpected: each record is an exception it masked."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def report(self) -> str:
        return "\n".join(logging.Formatter().format(record) for record in self.records)


@contextlib.contextmanager
def unexpected_errors() -> Iterator[ErrorLog]:
    """What the schema logs on `api.errors` at ERROR while the block runs: each is an exception
    it masked, which a client cannot tell from a crash."""
    handler = ErrorLog()
    logger = logging.getLogger(ERROR_LOGGER)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def no_server_error(
    response: httpx.Response, logged: ErrorLog, sent: object, *, json_body: bool = True
) -> dict[str, Any]:
    """The body of a response that shows no server error: not a 5xx, no stack trace, nothing
    masked as unexpected (in the response or the log), and, when `json_body`, a JSON object."""
    context = f"sent: {str(sent)[:3000]}\ngot: {response.status_code} {response.text[:3000]}"
    assert response.status_code < 500, context
    assert "Traceback" not in response.text, context
    assert not logged.records, f"{context}\nmasked:\n{logged.report()}"
    try:
        body = response.json()
    except ValueError:
        assert not json_body, f"not JSON: {context}"
        return {}
    assert isinstance(body, dict), context
    messages = [error.get("message") for error in body.get("errors") or ()]
    assert MASKED_MESSAGE not in messages, context
    return body


async def send_raw(
    api: Api,
    content: bytes | str,
    *,
    as_: str = "secretariat",
    content_type: str = "application/json",
    json_body: bool = False,
) -> tuple[httpx.Response, dict[str, Any]]:
    """Posts `content` as it is, bytes a well-behaved client would never send included, and
    returns the response with its body once they are known to show no server error."""
    with unexpected_errors() as logged:
        response = await api.client.post(
            "/graphql",
            content=content,
            headers={"authorization": f"Bearer {api.tokens[as_]}", "content-type": content_type},
        )
    sent = content[:2000] if isinstance(content, bytes) else content
    return response, no_server_error(response, logged, sent, json_body=json_body)
