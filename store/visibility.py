"""What a viewer may see of a contribution, decided here and nowhere else: in Python for rows
already read, in SQL for statements that filter, count or group contributions.

A RESTRICTED contribution's detail (who gave it, how much, in which currency, its reference, its
description, and anything of it not listed as open below) shows only to its contributor, its
recipient and the secretariat. The rest (that it exists, its objective, kind, status, period)
shows to everyone, and it counts in every total. Nothing that depends on withheld detail may
differ for a viewer who may not see it: a filter on a withheld column matches only rows whose
detail the viewer sees, a list grouped by one (a contributor's contributions) leaves the others
out, and a rate only they use is not listed.

A viewer is given as a scope: None for one who sees everything (the secretariat), otherwise the
participants it acts for: its own, and the funds it manages (a fund's manager sees what was given
into the fund and what the fund gave, as the fund itself would).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_

from store.enums import Visibility

Scope = frozenset[int] | None

# Acting for no participant: public detail only. The default wherever a scope is not given, so a
# forgotten one withholds rather than shows.
NO_ONE: Scope = frozenset()

# The columns of a contribution everyone may see. Every other column, and any added later, is
# withheld detail until it is listed here.
OPEN = frozenset(
    {
        "id",
        "objective_id",
        "recipient_id",
        "kind",
        "status",
        "plan_id",
        "category",
        "earmarked_objective_id",
        "valued_on",
        "starts_on",
        "ends_on",
        "visibility",
        "withdrawn_at",
        "version",
        "created_at",
        "updated_at",
    }
)


# The columns that decide whether a viewer sees a contribution's detail, in the order `sees`
# takes them.
DECIDED_BY = ("visibility", "contributor_id", "recipient_id")


def withheld(column: str) -> bool:
    """Whether a contribution's column (or a change event's key about one) is detail."""
    return column not in OPEN


def sees(scope: Scope, visibility: Any, contributor_id: Any, recipient_id: Any) -> bool:
    """Whether a viewer sees a contribution's detail, from the three values that decide it
    (`visibility` as the enum or its name, as change events store it)."""
    if scope is None:
        return True
    public = visibility is Visibility.PUBLIC or visibility == Visibility.PUBLIC.value
    return public or contributor_id in scope or recipient_id in scope


def visible(
    visibility: Any, contributor_id: Any, recipient_id: Any, acting_for: frozenset[int]
) -> ColumnElement[bool]:
    """`sees` in SQL for a viewer acting for these participants (a viewer who sees everything
    needs no condition)."""
    return or_(
        visibility == Visibility.PUBLIC,
        _among(contributor_id, acting_for),
        _among(recipient_id, acting_for),
    )


def seen(
    scope: Scope, visibility: Any, contributor_id: Any, recipient_id: Any
) -> ColumnElement[bool] | None:
    """`sees` in SQL over columns; None when the viewer sees everything."""
    if scope is None:
        return None
    return visible(visibility, contributor_id, recipient_id, scope)


def hidden(
    visibility: Any, contributor_id: Any, recipient_id: Any, acting_for: frozenset[int]
) -> Any:
    """The complement of `visible` (restricted, neither given nor received by the participants
    the viewer acts for), written so that an index on the visibility serves it."""
    return and_(
        visibility.in_([value for value in Visibility if value is not Visibility.PUBLIC]),
        not_(_among(contributor_id, acting_for)),
        not_(_among(recipient_id, acting_for)),
    )


def _among(column: Any, ids: frozenset[int]) -> ColumnElement[bool]:
    # Plain comparisons rather than IN: the compiled reads write these constants into their
    # statements, and a viewer acts for one participant and the few funds it manages.
    return or_(false(), *(column == key for key in sorted(ids)))
