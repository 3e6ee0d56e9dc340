"""The contract: the committed SDL is what is served, and everything in it is described."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

import schema
from schema.filters import (
    ContributionOrderField,
    ObjectiveOrderField,
    ParticipantOrderField,
    PlanOrderField,
    ReviewOrderField,
)
from store import contributions, objectives, participants, plans, reviews


def test_committed_sdl_matches_the_served_schema() -> None:
    committed = schema.SDL_PATH.read_text()

    assert committed == schema.sdl(), "run `make schema` and commit schema/schema.graphql"


def test_every_type_field_and_argument_is_described() -> None:
    served = schema.build_schema()._schema
    missing = []
    for name, graphql_type in served.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg})"
                    for arg, value in field.args.items()
                    if not value.description and not _self_describing(value.type)
                ]
        if isinstance(graphql_type, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, v in graphql_type.fields.items() if not v.description]
        assert isinstance(
            graphql_type,
            GraphQLObjectType
            | GraphQLInterfaceType
            | GraphQLInputObjectType
            | GraphQLEnumType
            | GraphQLScalarType,
        )
    assert missing == []


def _self_describing(graphql_type: object) -> bool:
    """`filter: PlanFilter` and `orderBy: PlanOrder` are described by their input types."""
    named = graphql_type
    while hasattr(named, "of_type"):
        named = named.of_type
    return isinstance(named, GraphQLInputObjectType)


def test_every_ordering_offered_exists_in_the_store() -> None:
    pairs = [
        (ParticipantOrderField, participants.ORDERINGS),
        (PlanOrderField, plans.ORDERINGS),
        (ObjectiveOrderField, objectives.ORDERINGS),
        (ContributionOrderField, contributions.ORDERINGS),
        (ReviewOrderField, reviews.ORDERINGS),
    ]
    for enum, orderings in pairs:
        assert {member.value for member in enum} == set(orderings)
