"""In-kind line items: what in-kind support consists of, each item valued the same way.

An item's value is its quantity times its unit value, rounded half-even to the currency's minor
units; an itemised contribution's amount is exactly the sum of those values, so the pledged value
and its items never disagree. Pure: no I/O. Items are stored on the contribution row as a JSON
list, decimals as strings (`stored`, `parse`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation, Overflow
from typing import Any

from resolvers.commands import input_text, reject
from resolvers.money import decimal_places, minor_digits, with_currency, written
from store.enums import ContributionKind, ItemCategory, Valuation

MAX_ITEMS = 200
QUANTITY_PLACES = 4
QUANTITY_LIMIT = Decimal(10) ** 9
UNIT_VALUE_LIMIT = Decimal(10) ** 12
TOTAL_LIMIT = Decimal(10) ** 12
DESCRIPTION_LIMIT = 500
UNIT_LIMIT = 40


@dataclass(frozen=True)
class Item:
    """One line of in-kind support; `unit_value` is in the contribution's currency."""

    category: ItemCategory
    description: str | None
    quantity: Decimal
    unit: str | None
    unit_value: Decimal
    valuation: Valuation


def value(item: Item, currency: str) -> Decimal:
    """Quantity times unit value, rounded half-even to the currency's minor units."""
    quantity, unit_value = item.quantity, item.unit_value
    # Wide enough for every digit of the product: the default 28 digits would round it silently.
    width = len(quantity.as_tuple().digits) + len(unit_value.as_tuple().digits)
    product = Context(prec=width, traps=[Inexact, InvalidOperation, Overflow]).multiply(
        quantity, unit_value
    )
    return _to_places(product, minor_digits(currency))


def total(items: Iterable[Item], currency: str) -> Decimal:
    """The sum of the items' values, exactly, in the currency's minor units (0 for none)."""
    return _sum([value(item, currency) for item in items], minor_digits(currency))


def by_category(items: Iterable[Item], currency: str) -> dict[ItemCategory, Decimal]:
    """The value of the items in each category present, in the vocabulary's order."""
    values: dict[ItemCategory, list[Decimal]] = {}
    for item in items:
        values.setdefault(item.category, []).append(value(item, currency))
    digits = minor_digits(currency)
    return {
        category: _sum(values[category], digits) for category in ItemCategory if category in values
    }


def matching_amount(path: str, items: Sequence[Item], currency: str, amount: Decimal) -> None:
    """Refuse, at `path`, an amount other than the items' total. Support that lists no items is
    not itemised, and any amount stands."""
    if not items:
        return
    worth = total(items, currency)
    if worth != amount:
        raise reject(
            path,
            f"is {with_currency(amount, currency)}, but its items are worth "
            f"{with_currency(worth, currency)}: the amount must equal the sum of "
            "its items' values",
        )


def checked(path: str, given: Sequence[Any], kind: ContributionKind, currency: str) -> list[Item]:
    """The items of in-kind support, checked and in canonical form (quantities without trailing
    zeros, unit values in the currency's minor units). Each element of `given` has the
    attributes category, description, quantity, unit, unit_value and valuation; a refusal names
    the element's field, as `{path}.{index}.quantity`."""
    if kind is ContributionKind.FUNDING and given:
        in_kind = ", ".join(k.name for k in ContributionKind if k is not ContributionKind.FUNDING)
        raise reject(
            path, f"cannot be listed for FUNDING: only in-kind support ({in_kind}) has items"
        )
    if len(given) > MAX_ITEMS:
        raise reject(path, f"lists {len(given)} items; the limit is {MAX_ITEMS}")
    items = [_item(f"{path}.{index}", element, currency) for index, element in enumerate(given)]
    worth = total(items, currency)
    if worth >= TOTAL_LIMIT:
        raise reject(
            path,
            f"are worth {with_currency(worth, currency)} in all: the total stops "
            "below one trillion",
        )
    return items


def stored(items: Iterable[Item]) -> list[dict[str, str | None]]:
    """Items as the contribution row keeps them: one JSON object each, decimals as strings."""
    return [
        {
            "category": item.category.value,
            "description": item.description,
            "quantity": _plain(item.quantity),
            "unit": item.unit,
            "unitValue": _plain(item.unit_value),
            "valuation": item.valuation.value,
        }
        for item in items
    ]


def parse(stored: list[dict[str, Any]] | None) -> list[Item]:
    """Items from the row's JSON list (`stored`'s form); None, for a row without items, is none."""
    return [
        Item(
            category=ItemCategory(entry["category"]),
            description=entry.get("description"),
            quantity=Decimal(entry["quantity"]),
            unit=entry.get("unit"),
            unit_value=Decimal(entry["unitValue"]),
            valuation=Valuation(entry["valuation"]),
        )
        for entry in stored or ()
    ]


def _item(path: str, given: Any, currency: str) -> Item:
    return Item(
        category=given.category,
        description=input_text(
            f"{path}.description", given.description, DESCRIPTION_LIMIT, prose=True
        ),
        quantity=_quantity(f"{path}.quantity", given.quantity),
        unit=input_text(f"{path}.unit", given.unit, UNIT_LIMIT),
        unit_value=_unit_value(f"{path}.unitValue", given.unit_value, currency),
        valuation=given.valuation,
    )


def _quantity(path: str, quantity: Decimal) -> Decimal:
    if not quantity.is_finite():
        raise reject(path, f"is {written(quantity)}: a quantity must be a finite number")
    if quantity <= 0:
        raise reject(path, f"is {written(quantity)}: a quantity must be more than 0")
    places = decimal_places(quantity)
    if places > QUANTITY_PLACES:
        raise reject(
            path,
            f"is {written(quantity)}: a quantity has at most {QUANTITY_PLACES} decimal places",
        )
    if quantity >= QUANTITY_LIMIT:
        raise reject(path, f"is {written(quantity)}: quantities stop below one billion")
    return _to_places(quantity, places)


def _unit_value(path: str, unit_value: Decimal, currency: str) -> Decimal:
    if not unit_value.is_finite():
        raise reject(path, f"is {written(unit_value)}: a unit value must be a finite number")
    if unit_value < 0:
        raise reject(path, f"is {written(unit_value)}: a unit value cannot be negative")
    digits = minor_digits(currency)
    if decimal_places(unit_value) > digits:
        raise reject(
            path,
            f"is {written(unit_value)}: a unit value has no more decimal places than the "
            f"{digits} of {currency}",
        )
    if unit_value >= UNIT_VALUE_LIMIT:
        raise reject(path, f"is {written(unit_value)}: unit values stop below one trillion")
    # copy_abs: a unit value of -0 is stored as 0.
    return _to_places(unit_value.copy_abs(), digits)


def _to_places(number: Decimal, places: int) -> Decimal:
    """`number` with exactly `places` decimal places, rounded half-even (exact when it has no
    more), in a context wide enough never to fail."""
    width = max(number.adjusted(), 0) + places + 2
    context = Context(prec=width, rounding=ROUND_HALF_EVEN)
    return number.quantize(Decimal(1).scaleb(-places), context=context)


def _sum(values: Sequence[Decimal], places: int) -> Decimal:
    """Exactly, however many and however large: each value already has `places` places."""
    widest = max((len(amount.as_tuple().digits) for amount in values), default=1)
    context = Context(
        prec=widest + len(str(len(values))) + 1, traps=[Inexact, InvalidOperation, Overflow]
    )
    result = _to_places(Decimal(0), places)
    for amount in values:
        result = context.add(result, amount)
    return result


def _plain(number: Decimal) -> str:
    # Fixed-point text always ("1000", never "1E+3"), as the JSON column's readers expect.
    return format(number, "f")
