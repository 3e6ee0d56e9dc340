"""Filter and ordering inputs of every list, and how each turns into a store query."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry

from resolvers import contributions, funds, ids, objectives, participants, plans, reviews
from resolvers.errors import comparable
from resolvers.pagination import Ordering, ordering_for
from schema.connection import OrderDirection
from schema.enums import (
    Category,
    ContributionKind,
    ContributionStatus,
    Framework,
    FundForm,
    ObjectiveStatus,
    PlanKind,
    PlanStatus,
    Priority,
    Visibility,
)


def _ordering(orderings: dict[str, Any], field: Enum, direction: OrderDirection) -> Ordering:
    return ordering_for(orderings, field.value, direction is OrderDirection.DESC)


def _codes(values: list[str] | None, argument: str) -> tuple[str, ...]:
    return tuple(comparable(argument, value).strip().upper() for value in values or ())


def _texts(values: list[str] | None, argument: str) -> tuple[str, ...]:
    return tuple(comparable(argument, value) for value in values or ())


@strawberry.enum(description="What participants can be ordered by.")
class ParticipantOrderField(Enum):
    CODE = "CODE"
    NAME = "NAME"


@strawberry.input(description="How to order participants.")
class ParticipantOrder:
    field: ParticipantOrderField = strawberry.field(description="The property to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (default) or descending."
    )

    @staticmethod
    def of(order: ParticipantOrder | None) -> Ordering:
        order = order or ParticipantOrder(field=ParticipantOrderField.CODE)
        return _ordering(participants.ORDERINGS, order.field, order.direction)


@strawberry.input(description="Narrows a list of participants; every condition must hold.")
class ParticipantFilter:
    frameworks: list[Framework] | None = strawberry.field(
        default=None, description="Members (ever) of any of these partnership frameworks."
    )
    plan_kinds: list[PlanKind] | None = strawberry.field(
        default=None, description="Partners with at least one plan of any of these kinds."
    )
    regions: list[str] | None = strawberry.field(
        default=None, description='In any of these regions (e.g. "South Caucasus").'
    )

    @staticmethod
    def of(value: ParticipantFilter | None) -> participants.ParticipantFilter:
        value = value or ParticipantFilter()
        return participants.ParticipantFilter(
            frameworks=tuple(value.frameworks or ()),
            plan_kinds=tuple(value.plan_kinds or ()),
            regions=_texts(value.regions, "filter.regions"),
        )


@strawberry.input(description="Narrows a list of funds; every condition must hold.")
class FundFilter:
    forms: list[FundForm] | None = strawberry.field(
        default=None, description="Funds of any of these forms."
    )
    beneficiaries: list[str] | None = strawberry.field(
        default=None, description="Funds serving any of these partners (by code)."
    )

    @staticmethod
    def of(value: FundFilter | None) -> funds.FundCriteria:
        value = value or FundFilter()
        return funds.FundCriteria(
            forms=tuple(value.forms or ()),
            beneficiary_codes=_codes(value.beneficiaries, "filter.beneficiaries"),
        )


@strawberry.enum(description="What plans can be ordered by.")
class PlanOrderField(Enum):
    AGREED_ON = "AGREED_ON"
    CODE = "CODE"
    CREATED_AT = "CREATED_AT"


@strawberry.input(description="How to order plans (undated plans come last).")
class PlanOrder:
    field: PlanOrderField = strawberry.field(description="The property to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (default) or descending."
    )

    @staticmethod
    def of(order: PlanOrder | None) -> Ordering:
        order = order or PlanOrder(field=PlanOrderField.AGREED_ON)
        return _ordering(plans.ORDERINGS, order.field, order.direction)


@strawberry.input(description="Narrows a list of plans; every condition must hold.")
class PlanFilter:
    partners: list[str] | None = strawberry.field(
        default=None, description="Plans of any of these partners, by code (e.g. GE, RS)."
    )
    kinds: list[PlanKind] | None = strawberry.field(
        default=None, description="Plans of any of these kinds."
    )
    statuses: list[PlanStatus] | None = strawberry.field(
        default=None, description="Plans in any of these statuses."
    )
    active_on: date | None = strawberry.field(
        default=None, description="Plans in force on this date."
    )

    @staticmethod
    def of(value: PlanFilter | None) -> plans.PlanFilter:
        value = value or PlanFilter()
        return plans.PlanFilter(
            partner_codes=_codes(value.partners, "filter.partners"),
            kinds=tuple(value.kinds or ()),
            statuses=tuple(value.statuses or ()),
            active_on=value.active_on,
        )


@strawberry.enum(description="What objectives can be ordered by.")
class ObjectiveOrderField(Enum):
    PRIORITY = "PRIORITY"
    CODE = "CODE"
    TARGET_DATE = "TARGET_DATE"
    CREATED_AT = "CREATED_AT"


@strawberry.input(description="How to order objectives (PRIORITY ascending: CRITICAL first).")
class ObjectiveOrder:
    field: ObjectiveOrderField = strawberry.field(description="The property to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (default) or descending."
    )

    @staticmethod
    def of(order: ObjectiveOrder | None) -> Ordering:
        order = order or ObjectiveOrder(field=ObjectiveOrderField.PRIORITY)
        return _ordering(objectives.ORDERINGS, order.field, order.direction)


@strawberry.input(description="Narrows a list of objectives; every condition must hold.")
class ObjectiveFilter:
    partners: list[str] | None = strawberry.field(
        default=None, description="Objectives of these partners' plans, by participant code."
    )
    plans: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Objectives of these plans, by ID."
    )
    plan_kinds: list[PlanKind] | None = strawberry.field(
        default=None, description="Objectives of plans of these kinds."
    )
    categories: list[Category] | None = strawberry.field(
        default=None, description="Objectives in any of these categories."
    )
    priorities: list[Priority] | None = strawberry.field(
        default=None, description="Objectives with any of these priorities."
    )
    statuses: list[ObjectiveStatus] | None = strawberry.field(
        default=None, description="Objectives in any of these statuses."
    )

    @staticmethod
    def of(value: ObjectiveFilter | None) -> objectives.ObjectiveFilter:
        value = value or ObjectiveFilter()
        return objectives.ObjectiveFilter(
            partner_codes=_codes(value.partners, "filter.partners"),
            plan_ids=ids.decode_all(value.plans, "filter.plans", "Plan"),
            plan_kinds=tuple(value.plan_kinds or ()),
            categories=tuple(value.categories or ()),
            priorities=tuple(value.priorities or ()),
            statuses=tuple(value.statuses or ()),
        )


@strawberry.enum(description="What contributions can be ordered by.")
class ContributionOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    STARTS_ON = "STARTS_ON"


@strawberry.input(description="How to order contributions.")
class ContributionOrder:
    field: ContributionOrderField = strawberry.field(description="The property to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (default) or descending."
    )

    @staticmethod
    def of(order: ContributionOrder | None) -> Ordering:
        order = order or ContributionOrder(field=ContributionOrderField.CREATED_AT)
        return _ordering(contributions.ORDERINGS, order.field, order.direction)


@strawberry.input(description="Narrows a list of contributions; every condition must hold.")
class ContributionFilter:
    partners: list[str] | None = strawberry.field(
        default=None,
        description=(
            "Support to these partners, by participant code: to objectives of their plans, or "
            "earmarked to their plans."
        ),
    )
    contributors: list[str] | None = strawberry.field(
        default=None, description="Support from these contributors, by participant code."
    )
    plans: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Support to objectives of these plans, or earmarked to them, by ID.",
    )
    plan_kinds: list[PlanKind] | None = strawberry.field(
        default=None,
        description="Support to objectives of plans of these kinds, or earmarked to such plans.",
    )
    objectives: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Support to these objectives, by ID."
    )
    categories: list[Category] | None = strawberry.field(
        default=None,
        description="Support to objectives in these categories, or earmarked to them.",
    )
    kinds: list[ContributionKind] | None = strawberry.field(
        default=None, description="Contributions of these kinds."
    )
    statuses: list[ContributionStatus] | None = strawberry.field(
        default=None, description="Contributions in these statuses."
    )
    currencies: list[str] | None = strawberry.field(
        default=None, description="Contributions in these currencies (ISO 4217, e.g. EUR)."
    )
    visibilities: list[Visibility] | None = strawberry.field(
        default=None, description="Contributions with these visibilities."
    )
    active_on: date | None = strawberry.field(
        default=None, description="Contributions whose period includes this date."
    )

    @staticmethod
    def of(value: ContributionFilter | None) -> contributions.ContributionFilter:
        value = value or ContributionFilter()
        return contributions.ContributionFilter(
            partner_codes=_codes(value.partners, "filter.partners"),
            contributor_codes=_codes(value.contributors, "filter.contributors"),
            plan_ids=ids.decode_all(value.plans, "filter.plans", "Plan"),
            plan_kinds=tuple(value.plan_kinds or ()),
            objective_ids=ids.decode_all(value.objectives, "filter.objectives", "Objective"),
            categories=tuple(value.categories or ()),
            kinds=tuple(value.kinds or ()),
            statuses=tuple(value.statuses or ()),
            currencies=_codes(value.currencies, "filter.currencies"),
            visibilities=tuple(value.visibilities or ()),
            active_on=value.active_on,
        )


@strawberry.enum(description="What reviews can be ordered by.")
class ReviewOrderField(Enum):
    REVIEWED_ON = "REVIEWED_ON"


@strawberry.input(description="How to order reviews (newest first by default).")
class ReviewOrder:
    field: ReviewOrderField = strawberry.field(description="The property to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Descending (default) or ascending."
    )

    @staticmethod
    def of(order: ReviewOrder | None) -> Ordering:
        order = order or ReviewOrder(field=ReviewOrderField.REVIEWED_ON)
        return _ordering(reviews.ORDERINGS, order.field, order.direction)
