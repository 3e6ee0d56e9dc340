"""A rule added to a list's one source (resolvers/listing.py) holds on every path.

The rule is the kind a newcomer adds: only the secretariat may filter plans by status. It is
added where the plans list is defined (resolvers/plans.py), and nowhere else; then the same
question is asked through compiled reads, through the resolvers (a query that asks for a field
compiled reads do not serve, and an app with them switched off), at the root and nested.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from resolvers import plans
from resolvers.context import Context
from resolvers.errors import invalid_argument
from schema.compiled_reads import CompiledReads
from store.plans import PlanFilter
from tests.conftest import Api, running_api

ROOT = "{ plans(filter: {statuses: [ACTIVE]}) { totalCount } }"
# `viewer` is for the resolvers only: the whole operation runs through them.
ROOT_RESOLVED = "{ viewer { role } plans(filter: {statuses: [ACTIVE]}) { totalCount } }"
NESTED = '{ participant(code: "GE") { plans(filter: {statuses: [ACTIVE]}) { totalCount } } }'
UNFILTERED = "{ plans { totalCount } }"


async def secretariat_only_statuses(context: Context, criteria: PlanFilter) -> PlanFilter:
    if criteria.statuses and not context.caller.is_secretariat:
        raise invalid_argument("filter.statuses", "only the secretariat may filter by status")
    return criteria


@pytest.fixture
def rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plans.PLANS, "rules", [*plans.PLANS.rules, secretariat_only_statuses])


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each request that reached execution: whether compiled reads answered it."""
    answered: list[bool] = []
    answer = CompiledReads.answer

    async def spy(self: CompiledReads, *args: Any, **kwargs: Any) -> Any:
        result = await answer(self, *args, **kwargs)
        answered.append(result is not None)
        return result

    monkeypatch.setattr(CompiledReads, "answer", spy)
    return answered


@pytest.fixture
async def resolvers_only(seeded_url: str) -> AsyncIterator[Api]:
    async with running_api(seeded_url, compiled_reads=False) as api:
        yield api


def _refused(body: dict[str, Any]) -> bool:
    return [error["extensions"] for error in body.get("errors", [])] == [
        {"code": "INVALID_ARGUMENT", "argument": "filter.statuses"}
    ]


async def test_a_rule_added_to_a_list_holds_on_every_path(
    rule: None, compiled: list[bool], api: Api, resolvers_only: Api
) -> None:
    # As an ally, every way of asking is refused by the rule
    for document in (ROOT, ROOT_RESOLVED, NESTED):
        assert _refused(await api.query(document, as_="ally")), document
        assert _refused(await resolvers_only.query(document, as_="ally")), document
    # and compiled reads really took the root and nested questions, the resolvers the other one
    assert compiled == [True, False, True]

    # while the secretariat is answered, the same on every path
    answers = [await api.data(document) for document in (ROOT, ROOT_RESOLVED)]
    assert answers[0]["plans"] == answers[1]["plans"]
    assert answers[0]["plans"]["totalCount"] > 0
    assert await resolvers_only.data(ROOT) == answers[0]
    # and a question the rule is not about still is, for the ally too
    assert (await api.data(UNFILTERED, as_="ally"))["plans"]["totalCount"] > 0


async def test_without_the_rule_the_ally_is_answered(compiled: list[bool], api: Api) -> None:
    """The refusal above is the rule's doing: without it the same questions are answered."""
    for document in (ROOT, ROOT_RESOLVED, NESTED):
        assert "errors" not in await api.query(document, as_="ally"), document
    assert compiled == [True, False, True]
