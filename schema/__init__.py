"""The GraphQL contract: types, inputs, enums, scalars and the Schema itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from schema.compiled_reads import CompiledReads
from schema.connection import Node
from schema.contribution import Contribution
from schema.cost import QueryCost
from schema.errors import ExplainOutages, is_unexpected
from schema.execution import EveryRootField
from schema.mutation import Mutation
from schema.objective import Objective
from schema.parsing import ParseOnce
from schema.participant import Participant
from schema.plan import Plan
from schema.query import Query
from schema.review import Review
from schema.scalars import SCALAR_OVERRIDES
from schema.subscription import Subscription
from schema.validation import (
    LimitFragmentNesting,
    NameArguments,
    RefuseInvalidText,
    RequireOperationName,
)

SDL_PATH = Path(__file__).with_name("schema.graphql")


class CoordinationSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """A client's mistake is an answer, not an incident: unexpected errors are logged where
        they are masked, and nothing else is."""


# Bounds on what one document may ask, so no client can make one request arbitrarily expensive:
# deeper than any query the API needs (introspection aside), more aliases than a page of a
# client's own fields, more tokens than a hand-written document of several pages.
MAX_DEPTH = 15
MAX_ALIASES = 50
MAX_TOKENS = 5_000


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
            # First: the limiters after it walk fragments recursively, and a long enough chain of
            # fragments would exhaust the stack.
            LimitFragmentNesting,
            # Before validation and the cost: text that is not Unicode text is refused by name,
            # uncharged, whatever else is wrong with the request.
            RefuseInvalidText,
            # A document of several operations and no operationName runs none of them.
            RequireOperationName,
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            # After the token limit, whose option it parses with.
            ParseOnce,
            lambda: QueryCost(max_cost),
            NameArguments,
            # Last before execution: everything above has run when it answers, as for any query.
            *serving,
            lambda: MaskErrors(should_mask_error=is_unexpected),
            # After MaskErrors in the list, so it sees the errors first on the way out.
            ExplainOutages,
        ],
    )


def sdl() -> str:
    return build_schema().as_str() + "\n"
