"""The visibility rule's truth table: Python and SQL agree for every role, visibility and relation.

store/visibility.py writes the rule twice, side by side: `sees` in Python for rows already read,
`visible`/`seen` and their complement `hidden` in SQL for statements. Here every combination of
the viewer's role, the contribution's visibility and the viewer's relation to it is decided both
ways, the SQL by the database itself, and held to what the rule says in words: public detail shows
to everyone, restricted detail only to its contributor, its recipient and the secretariat.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import literal, select

from resolvers.viewer import Viewer
from resolvers.vocabulary import Role
from store import visibility
from store.contributions import Contribution
from store.enums import Visibility
from tests.conftest import Databases

VIEWER, CONTRIBUTOR, RECIPIENT, STRANGER, FUND, OTHER_FUND = 1, 2, 3, 4, 5, 6
# The contribution's (contributor, recipient), and the funds the viewer manages.
RELATIONS = {
    "contributor": (VIEWER, RECIPIENT, frozenset()),
    "recipient": (CONTRIBUTOR, VIEWER, frozenset()),
    "neither": (CONTRIBUTOR, RECIPIENT, frozenset()),
    "manager of the contributing fund": (FUND, RECIPIENT, frozenset({FUND})),
    "manager of the receiving fund": (CONTRIBUTOR, FUND, frozenset({OTHER_FUND, FUND})),
    "manager of another fund": (CONTRIBUTOR, FUND, frozenset({OTHER_FUND})),
}
UNRELATED = {"neither", "manager of another fund"}


def _in_words(role: Role, seen: Visibility, relation: str) -> bool:
    return seen is Visibility.PUBLIC or role is Role.SECRETARIAT or relation not in UNRELATED


async def test_python_and_sql_agree_on_every_case(databases: Databases) -> None:
    sessions = await databases.new()
    cases = list(itertools.product(Role, Visibility, RELATIONS))
    async with sessions() as session:
        for role, seen, relation in cases:
            contributor, recipient, funds = RELATIONS[relation]
            viewer = Viewer(VIEWER, role, token_id=1, expires_at=datetime.now(UTC), funds=funds)
            scope = viewer.restricted_scope()
            # Typed as the columns are, so each back end compares what it stores
            stored = Contribution.__table__.c
            columns = (
                literal(seen, stored.visibility.type),
                literal(contributor, stored.contributor_id.type),
                literal(recipient, stored.recipient_id.type),
            )

            in_python = viewer.sees(seen, contributor, recipient)
            condition = visibility.seen(scope, *columns)
            in_sql = True if condition is None else await session.scalar(select(condition))
            complement = (
                None
                if scope is None
                else await session.scalar(select(visibility.hidden(*columns, scope)))
            )

            case = (role.name, seen.name, relation)
            assert in_python is _in_words(role, seen, relation), case
            assert bool(in_sql) is in_python, case
            assert complement is None or bool(complement) is not in_python, case
            # A change event stores the visibility by name: the same answer
            assert visibility.sees(scope, seen.value, contributor, recipient) is in_python, case
    assert len(cases) == len(Role) * len(Visibility) * len(RELATIONS)
    # Every role is decided by its scope alone: only the secretariat's is everyone
    assert {role: Viewer(STRANGER, role, 1, None).restricted_scope() is None for role in Role} == {
        role: role is Role.SECRETARIAT for role in Role
    }
