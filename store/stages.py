"""A contribution's stages: pledged, committed, delivered. How they are stored, and the one rule
that ties its status to them.

The pledged amount is the contribution's `amount`; the committed amount is part or all of it;
what is delivered (disbursed, for funding) is part or all of the commitment, the sum of the
deliveries recorded one by one. The status follows: PLEDGED until something is committed,
COMMITTED until the commitment is delivered in full, then DISBURSED (funding) or DELIVERED
(in kind); WITHDRAWN once withdrawn, keeping what was delivered before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from store.enums import ContributionKind, ContributionStatus
from store.objectives import MONEY_SCALE

DONE = (ContributionStatus.DISBURSED, ContributionStatus.DELIVERED)


def scaled(amount: Decimal) -> Decimal:
    """An amount as the stage columns store it (and read it back): the same value written the
    same way before and after a reload, so that a record's history compares exactly."""
    return amount.quantize(Decimal(1).scaleb(-MONEY_SCALE))


ZERO = scaled(Decimal(0))


def done_status(kind: ContributionKind) -> ContributionStatus:
    """What a commitment delivered in full is called: funding is disbursed, the rest delivered."""
    return (
        ContributionStatus.DISBURSED
        if kind is ContributionKind.FUNDING
        else ContributionStatus.DELIVERED
    )


def status_of(
    kind: ContributionKind, committed: Decimal | None, delivered: Decimal, withdrawn: bool
) -> ContributionStatus:
    """The status the stages make."""
    if withdrawn:
        return ContributionStatus.WITHDRAWN
    if committed is None:
        return ContributionStatus.PLEDGED
    if delivered >= committed:
        return done_status(kind)
    return ContributionStatus.COMMITTED


@dataclass(frozen=True)
class Delivery:
    """One delivery (or disbursement) as recorded."""

    amount: Decimal
    on: date
    note: str | None
    recorded_by_id: int | None
    recorded_at: datetime

    def stored(self) -> dict[str, Any]:
        return {
            "amount": str(self.amount),
            "on": self.on.isoformat(),
            "note": self.note,
            "recordedById": self.recorded_by_id,
            "recordedAt": self.recorded_at.isoformat(),
        }

    @classmethod
    def parse(cls, stored: dict[str, Any]) -> Delivery:
        return cls(
            amount=Decimal(stored["amount"]),
            on=date.fromisoformat(stored["on"]),
            note=stored.get("note"),
            recorded_by_id=stored.get("recordedById"),
            recorded_at=datetime.fromisoformat(stored["recordedAt"]),
        )


def deliveries_of(stored: list[dict[str, Any]] | None) -> list[Delivery]:
    """A contribution's deliveries, in the order they were recorded."""
    return [Delivery.parse(entry) for entry in stored or []]


def given_at(
    status: ContributionStatus,
    amount: Decimal,
    on: date,
    recorded_by_id: int | None,
    recorded_at: datetime,
) -> dict[str, Any]:
    """The stage columns of support given whole at `status` (as a status alone used to say): a
    COMMITTED one has its whole amount committed on `on`; a DISBURSED or DELIVERED one is also
    delivered in full on `on`, in one delivery."""
    columns: dict[str, Any] = {
        "committed_amount": None,
        "committed_on": None,
        "delivered_amount": ZERO,
        "delivered_on": None,
        "deliveries": [],
    }
    if status is ContributionStatus.COMMITTED or status in DONE:
        columns |= {"committed_amount": scaled(amount), "committed_on": on}
    if status in DONE:
        note = f"recorded as {status.name}"
        delivery = Delivery(amount, on, note, recorded_by_id, recorded_at)
        columns |= {"delivered_amount": scaled(amount), "delivered_on": on}
        columns |= {"deliveries": [delivery.stored()]}
    return columns
