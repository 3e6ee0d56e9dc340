"""A served process keeps the cycle collector's full passes short (api/heap.py)."""

from __future__ import annotations

import gc

from api import heap


async def test_survivors_of_a_full_collection_are_frozen_and_thawed_at_the_end() -> None:
    async with heap.kept_short(sweep_seconds=3600):
        frozen_at_start = gc.get_freeze_count()
        assert frozen_at_start > 0, "what start-up made is frozen"

        kept = [[index] for index in range(heap.FREEZE_ABOVE * 2)]  # long-lived containers
        gc.collect()

        assert gc.get_freeze_count() >= frozen_at_start + len(kept)
        assert len(gc.get_objects(2)) < heap.FREEZE_ABOVE, "the collector no longer walks them"

    assert gc.get_freeze_count() == 0
    assert heap._after_collection not in gc.callbacks


async def test_few_survivors_are_left_to_the_collector() -> None:
    async with heap.kept_short(sweep_seconds=3600):
        frozen = gc.get_freeze_count()
        gc.collect()

        assert gc.get_freeze_count() == frozen
