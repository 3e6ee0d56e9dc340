"""The GraphQL contract: types, inputs, enums, scalars and the Schema itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig

from schema.admission import Admission
from schema.compiled_reads import CompiledReads
from schema.connection import Node
from schema.contribution import Contribution
from schema.errors import PublicErrors
from schema.execution import EveryRootField
from schema.mutation import Mutation
from schema.objective import Objective
from schema.participant import Participant
from schema.plan import Plan
from schema.query import Query
from schema.review import Review
from schema.scalars import SCALAR_OVERRIDES
from schema.subscription import Subscription

SDL_PATH = Path(__file__).with_name("schema.graphql")


class CoordinationSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """A client's mistake is an answer, not an incident: unexpected errors are logged where
        they are masked, and nothing else is."""


def build_schema(
    production: bool = False, max_cost: int = 50_000, compiled: CompiledReads | None = None
) -> strawberry.Schema:
    """The schema; in production, error messages stop suggesting field names to strangers.
    `max_cost` bounds what one request may cost (see schema/cost.py); `compiled` answers the
    queries it can compile (schema/compiled_reads.py), None leaves every one to the resolvers."""
    serving = [compiled.extension] if compiled is not None else []
    return CoordinationSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Node, Participant, Plan, Objective, Contribution, Review],
        scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=production),
        # Every root field runs, its errors listed in document order, as on the compiled path.
        execution_context_class=EveryRootField,
        extensions=[
            lambda: Admission(max_cost),
            # Last before execution: the request has been admitted when it answers.
            *serving,
            PublicErrors,
        ],
    )


def sdl() -> str:
    return build_schema().as_str() + "\n"
