"""Reviews of a plan and the assessments they record."""

from __future__ import annotations

from resolvers.context import Context
from resolvers.listing import nested_listing
from resolvers.pagination import Listing, Slice
from store.pages import Ordering
from store.reviews import ORDERINGS, ObjectiveAssessment, Review, select_reviews

__all__ = ["ORDERINGS", "ObjectiveAssessment", "Review"]


async def by_id(context: Context, pk: int) -> Review | None:
    return await context.loaders.review.load(pk)


async def of_plan(
    context: Context, plan_id: int, ordering: Ordering, slice_: Slice
) -> Listing[Review]:
    return await nested_listing(
        context,
        "reviews.of_plan",
        select_reviews(),
        Review,
        Review.plan_id,
        plan_id,
        ordering,
        slice_,
        context.loaders.review,
    )


async def assessments(context: Context, review: Review) -> list[ObjectiveAssessment]:
    result: list[ObjectiveAssessment] = await context.loaders.assessments.load(review.id)
    return result
