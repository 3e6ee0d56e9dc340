"""Mutations on objectives: add one to a plan, change one."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import strawberry

from resolvers import objective_commands as commands
from resolvers.context import Context
from schema.enums import Category, ObjectiveStatus, Priority
from schema.objective import Objective
from schema.user_errors import MoneyInput, UserError, provided, user_errors

if TYPE_CHECKING:
    from resolvers.commands import Outcome
    from resolvers.objectives import Objective as ObjectiveRow

Info = strawberry.Info[Context, None]


@strawberry.input(description="A new objective for a plan (the secretariat's or the partner's).")
class AddObjectiveInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    code: str = strawberry.field(description="Code, unique within the plan.")
    category: Category = strawberry.field(description="One of the six categories.")
    title: str = strawberry.field(description="What the objective is.")
    priority: Priority = strawberry.field(default=Priority.MEDIUM, description="How urgent.")
    description: str | None = strawberry.field(default=None, description="More detail.")
    status: ObjectiveStatus = strawberry.field(
        default=ObjectiveStatus.NOT_STARTED, description="Progress so far."
    )
    requirement: MoneyInput | None = strawberry.field(
        default=None, description="Estimated need, the yardstick for coverage and gaps."
    )
    target_date: date | None = strawberry.field(default=None, description="When it is due.")


@strawberry.input(description="Changes to an objective; absent fields stay as they are.")
class UpdateObjectiveInput:
    id: strawberry.ID = strawberry.field(description="The objective.")
    expected_version: int = strawberry.field(description="The version you read.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Title.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Description.")
    category: Category | None = strawberry.field(default=strawberry.UNSET, description="Category.")
    priority: Priority | None = strawberry.field(default=strawberry.UNSET, description="Priority.")
    status: ObjectiveStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Progress."
    )
    requirement: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="Estimated need (null removes it)."
    )
    target_date: date | None = strawberry.field(default=strawberry.UNSET, description="Due date.")


@strawberry.type(description="The result of addObjective or updateObjective.")
class ObjectivePayload:
    objective: Objective | None = strawberry.field(description="The objective as it now is.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


def _payload(outcome: Outcome[ObjectiveRow]) -> ObjectivePayload:
    objective = None if outcome.result is None else Objective.from_row(outcome.result)
    return ObjectivePayload(objective=objective, user_errors=user_errors(outcome))


async def add(info: Info, input: AddObjectiveInput) -> ObjectivePayload:
    values = vars(input) | {"requirement": input.requirement and input.requirement.pair()}
    return _payload(await commands.add(info.context, commands.NewObjective(**values)))


async def update(info: Info, input: UpdateObjectiveInput) -> ObjectivePayload:
    fields = provided(input, "id", "expected_version")
    return _payload(await commands.update(info.context, input.id, input.expected_version, fields))
