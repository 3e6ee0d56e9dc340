"""Property-based fuzz of the whole GraphQL endpoint: whatever a client sends, the server answers.

hypothesis-graphql writes queries and mutations from the served schema, valid ones and ones with one
schema violation each; a second property sends every root field with all its arguments as
variables whose values are mostly right and sometimes wildly wrong. Each goes, as a random role,
to an app over a throwaway database with the reference data (mutations write to it, so later
cases meet the rows earlier ones created). The verdict for every case: no 5xx, a JSON object, and
no exception masked as unexpected, since a client cannot tell one from a crash.

Values are drawn from this API's own data (participant and plan codes, real global IDs) as often
as from noise, so generated operations get past the argument checks and into the database.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from tests.conftest import PEOPLE, Api
from tests.fuzzing import (
    LITERALS,
    PLAUSIBLE_LITERALS,
    SERVED,
    mostly,
    no_server_error,
    operation_with_variables,
    send_raw,
    unexpected_errors,
    variable_values,
)

# About 1,500 requests in 40 s per back end on a 2-core machine, each root field reached dozens of
# times: room under a minute per back end for a slower machine.
GENERATED_DOCUMENTS = 600
VARIABLE_SETS = 900

FUZZ = settings(
    deadline=None,  # a request that writes may wait on the feed lock: time is not the property
    # Drawing a document from a schema this size takes milliseconds, more on a loaded machine.
    # (No function-scoped fixture is used, so that health check stays on: every example shares
    # the module's app and database on purpose, and `cases` counts across examples.)
    suppress_health_check=[HealthCheck.too_slow],
)

# The secretariat may do the most, so its requests reach the most code; every role still comes up.
ROLES = mostly(st.just("secretariat"), st.sampled_from(sorted(PEOPLE)))

# Half the documents valid with plausible values, so they run; a quarter valid with odd values; a
# quarter with one schema violation each, which validation refuses (worth checking, quickly learnt).
plausible = queries(SERVED, custom_scalars=PLAUSIBLE_LITERALS) | mutations(
    SERVED, custom_scalars=PLAUSIBLE_LITERALS
)
documents = st.one_of(
    plausible,
    plausible,
    queries(SERVED, custom_scalars=LITERALS) | mutations(SERVED, custom_scalars=LITERALS),
    queries(SERVED, custom_scalars=LITERALS, mode=Mode.NEGATIVE)
    | mutations(SERVED, custom_scalars=LITERALS, mode=Mode.NEGATIVE),
)

ROOT_FIELDS = [
    (kind, root, name)
    for kind, root in (("query", SERVED.query_type), ("mutation", SERVED.mutation_type))
    if root is not None
    for name in root.fields
]


@st.composite
def operations_with_variables(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind, root, name = draw(st.sampled_from(ROOT_FIELDS))
    arguments = root.fields[name].args
    # Half the cases plausible throughout, so whole inputs are often valid and get written; half
    # with odd values anywhere in them.
    odd = draw(st.booleans())
    # Required arguments are always sent (a missing one is refused before anything runs, which
    # teaches little); optional ones come and go.
    required = {
        key: variable_values(argument.type, key, odd=odd)
        for key, argument in arguments.items()
        if graphql.is_required_argument(argument)
    }
    optional = {
        key: variable_values(argument.type, key, odd=odd)
        for key, argument in arguments.items()
        if key not in required
    }
    variables = draw(st.fixed_dictionaries(required, optional=optional))
    return operation_with_variables(kind, root, name), variables


def outcome(body: dict[str, Any]) -> str:
    """How far a case got, for `--hypothesis-show-statistics`: a fuzz that only ever meets
    validation errors tests little."""
    data = body.get("data")
    errors = body.get("errors") or ()
    if data is None:
        ran = any(error.get("path") for error in errors)
        return "refused by a resolver" if ran else "refused before running"
    payloads = [value for value in data.values() if isinstance(value, dict)]
    if any(payload.get("userErrors") for payload in payloads):
        return "mutation refused as user errors"
    if any("userErrors" in payload for payload in payloads):
        return "mutation written"
    return "answered with errors" if "errors" in body else "answered"


@pytest.fixture(scope="module")
def cases(backend: str) -> Iterator[Counter[str]]:
    """How many cases each property ran, printed once they are all done (see `pytest -s`)."""
    counted: Counter[str] = Counter()
    yield counted
    for name, number in sorted(counted.items()):
        print(f"\n{name}: {number} cases on {backend}")


@settings(FUZZ, max_examples=GENERATED_DOCUMENTS)
@given(document=documents, as_=ROLES)
async def test_generated_operations_never_cause_a_server_error(
    writable_api: Api, cases: Counter[str], document: str, as_: str
) -> None:
    # Given a generated query or mutation, valid or with one schema violation

    # When a caller of any role sends it
    with unexpected_errors() as logged:
        response = await writable_api.post(document, as_=as_)

    # Then the answer is data or a clear error, never a server error
    cases["generated documents"] += 1
    event(outcome(no_server_error(response, logged, document)))


@settings(FUZZ, max_examples=VARIABLE_SETS)
@given(operation=operations_with_variables(), as_=ROLES)
async def test_fuzzed_variables_never_cause_a_server_error(
    writable_api: Api, cases: Counter[str], operation: tuple[str, dict[str, Any]], as_: str
) -> None:
    # Given a root field with every argument a variable, and values of any shape for them
    document, variables = operation
    # The client's own encoder refuses NaN and Infinity; a hostile client's does not, and the
    # server's JSON parser reads them.
    body = json.dumps({"query": document, "variables": variables}, allow_nan=True)

    # When a caller of any role sends them
    _, answer = await send_raw(writable_api, body, as_=as_, json_body=True)

    # Then the answer is data or a clear error naming what was wrong, never a server error
    cases["variable sets"] += 1
    event(outcome(answer))
