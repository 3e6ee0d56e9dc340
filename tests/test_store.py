"""The store: migrations build exactly the tables the models describe, money and time stay exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store import Base
from store.columns import ScaledDecimal, UTCDateTime
from store.migrate import is_current
from tests.conftest import Databases


async def test_migrations_create_exactly_the_models(databases: Databases) -> None:
    engine = (await databases.new()).kw["bind"]

    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )

    assert differences == []
    assert await is_current(engine)


def test_scaled_decimal_is_exact_and_refuses_extra_digits() -> None:
    column = ScaledDecimal(4)

    stored = column.process_bind_param(Decimal("1234567890.1234"), None)  # type: ignore[arg-type]
    assert stored == 12345678901234
    assert column.process_result_value(stored, None) == Decimal("1234567890.1234")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decimal places"):
        column.process_bind_param(Decimal("0.00001"), None)  # type: ignore[arg-type]


def test_timestamps_need_a_time_zone_and_come_back_in_utc() -> None:
    column = UTCDateTime()
    paris = datetime(2024, 5, 3, 13, 2, tzinfo=timezone(timedelta(hours=2)))

    stored = column.process_bind_param(paris, None)  # type: ignore[arg-type]
    assert stored is not None and stored.utcoffset() == timedelta(0)
    assert column.process_result_value(stored.replace(tzinfo=None), None) == paris  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        column.process_bind_param(datetime(2024, 5, 3), None)  # type: ignore[arg-type]
