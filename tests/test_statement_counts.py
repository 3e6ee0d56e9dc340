"""No N+1: a deep nested read runs the same number of SQL statements whatever the row count."""

from __future__ import annotations

import pytest

from tests.conftest import Api, StatementLog

DEEP = """
query Deep($code: String!, $plans: Int!, $objectives: Int!, $contributions: Int!) {
  participant(code: $code) {
    code
    plans(first: $plans) {
      totalCount
      nodes {
        code kind status agreedOn
        objectives(first: $objectives) {
          totalCount
          nodes {
            code title category priority requirement { amount currency }
            contributions(first: $contributions) {
              totalCount
              nodes {
                kind status amount { amount currency } startsOn
                contributor { code name }
              }
            }
          }
        }
      }
    }
  }
}
"""

# compiled (resolvers/compiled.py), on either back end: the token, the participant looked up,
# and the one statement that builds the whole answer as JSON
DEEP_STATEMENTS = 3


# the same read field by field (COMPILED_READS off): the token, participant, plans, objectives,
# contributions, contributors, and 3 counts
ORDINARY_DEEP_STATEMENTS = 9


def _rows(data: dict) -> int:  # type: ignore[type-arg]
    plans = data["participant"]["plans"]["nodes"]
    objectives = [o for p in plans for o in p["objectives"]["nodes"]]
    contributions = [c for o in objectives for c in o["contributions"]["nodes"]]
    return len(plans) + len(objectives) + len(contributions)


@pytest.mark.parametrize(
    ("code", "sizes"),
    [
        ("RS", (1, 1, 1)),
        ("GE", (2, 5, 3)),
        ("GE", (10, 50, 20)),
        ("MD", (10, 50, 20)),
        ("KR", (10, 50, 20)),
    ],
)
async def test_deep_query_statement_count_is_constant(
    api: Api, sql: StatementLog, code: str, sizes: tuple[int, int, int]
) -> None:
    variables = dict(zip(("plans", "objectives", "contributions"), sizes, strict=True))

    data = await api.data(DEEP, {"code": code, **variables})

    assert _rows(data) > 0
    assert len(sql) == DEEP_STATEMENTS, "\n".join(sql.statements)


async def test_the_large_and_small_deep_reads_really_differ_in_size(
    api: Api, sql: StatementLog
) -> None:
    small = await api.data(DEEP, {"code": "RS", "plans": 1, "objectives": 1, "contributions": 1})
    large = await api.data(DEEP, {"code": "GE", "plans": 10, "objectives": 50, "contributions": 20})

    assert _rows(large) >= 20 * _rows(small)


PARTNERS_DEEP = """
{
  partners(first: 50) {
    nodes {
      code
      role
      plans(first: 5) { nodes { objectives(first: 5) { nodes { plan { code } } } } }
    }
  }
}
"""


async def test_every_nested_path_is_batched(api: Api, sql: StatementLog) -> None:
    data = await api.data(PARTNERS_DEEP)

    assert len(data["partners"]["nodes"]) > 10
    # the token, partners, partnerships (for role), plans, objectives; each objective's plan is
    # already known
    assert len(sql) == 5, "\n".join(sql.statements)
