"""A database as an earlier revision left it, holding data, for the tests of each migration.

Rows go in through the tables as that revision has them (reflected from the database), never
through today's models, which describe today's columns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from store.database import create_engine
from store.migrate import alembic_config
from tests.conftest import Databases

THEN = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OldWorld:
    """What the earlier revision holds: a partner's plan with one objective, an ally's
    contribution to it, and its change event."""

    url: str
    partner: int
    donor: int
    objective: int
    contribution: int


async def database_at(databases: Databases, revision: str, status: str = "COMMITTED") -> OldWorld:
    """A new database at `revision`, holding the rows above (the contribution at `status`)."""
    url = await databases.new_url()
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(lambda sync: _fill(sync, url, status))
    finally:
        await engine.dispose()


def _fill(connection: Any, url: str, status: str) -> OldWorld:
    tables = sa.MetaData()
    tables.reflect(connection)

    def add(table_name: str, /, **values: Any) -> int:
        table = tables.tables[table_name]
        if "created_at" in table.c:
            values |= {"created_at": THEN, "updated_at": THEN}
        # Columns a later revision made required, as it filled them for the rows already there.
        if table_name == "contribution" and "reported_by_id" in table.c:
            values |= {"reported_by_id": values["contributor_id"], "draws": False}
        if table_name == "contribution" and "pledged_on" in table.c:
            values |= {"pledged_on": THEN.date(), "delivered_amount": 0}
            values |= {"deliveries": [], "schedule": [], "items": []}
        key: int = connection.execute(
            table.insert().values(**values).returning(table.c.id)
        ).scalar_one()
        return key

    partner = add("participant", code="GE", name="Georgia", kind="STATE", is_secretariat=False)
    donor = add(
        "participant",
        code="DE",
        name="Germany",
        kind="STATE",
        allied_since=date(1955, 5, 6),
        is_secretariat=False,
    )
    plan = add(
        "plan",
        code="GE-OLD-1",
        partner_id=partner,
        kind="ITPP",
        status="ACTIVE",
        title="A plan from before",
        agreed_on=date(2023, 1, 1),
        agreed_on_precision="DAY",
        starts_on=date(2023, 1, 1),
        version=1,
    )
    objective = add(
        "objective",
        plan_id=plan,
        code="O-1",
        category="DEFENCE_AND_MILITARY",
        title="An objective from before",
        priority=2,
        status="IN_PROGRESS",
        version=1,
    )
    contribution = add(
        "contribution",
        objective_id=objective,
        contributor_id=donor,
        recipient_id=partner,
        kind="FUNDING",
        status=status,
        amount=123456,  # 12.3456, stored in ten-thousandths
        currency="EUR",
        valued_on=date(2024, 1, 1),
        starts_on=date(2024, 1, 1),
        visibility="PUBLIC",
        version=1,
    )
    events = tables.tables["change_event"]
    connection.execute(
        events.insert().values(
            id=1,
            occurred_at=THEN,
            entity_type="Contribution",
            entity_id=contribution,
            action="CREATED",
            after={"amount": "12.3456"},
        )
    )
    connection.execute(tables.tables["feed_counter"].update().values(position=1))
    return OldWorld(url, partner, donor, objective, contribution)
