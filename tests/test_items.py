"""In-kind line items are valued one way, checked by name, and stored without loss.

An item's value is its quantity times its unit value, rounded half-even to its currency's minor
units; an itemised amount is exactly the sum of those values; every bad item field is refused at
its own path (`items.3.quantity`) with a message naming the value and the rule; the stored JSON
form reads back as the same items. The module is pure, so it is tested directly
(resolvers/items.py), with its GraphQL types (schema/item.py) served by a small schema of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import strawberry
from hypothesis import example, given, settings
from hypothesis import strategies as st

from resolvers import items
from resolvers.commands import Rejected, UserErrorCode
from resolvers.items import Item
from schema.item import ContributionItem, ContributionItemInput
from schema.scalars import SCALAR_OVERRIDES
from store.enums import ContributionKind, ItemCategory, Valuation

PROPERTY = settings(max_examples=300, deadline=None)
MINOR_DIGITS = {"EUR": 2, "JPY": 0, "KWD": 3, "CLF": 4}
IN_KIND = [kind for kind in ContributionKind if kind is not ContributionKind.FUNDING]


@dataclass
class Given:
    """An item as a mutation's input hands it over."""

    category: ItemCategory = ItemCategory.VEHICLES
    description: str | None = "Armoured patrol vehicles"
    quantity: Decimal = Decimal("12")
    unit: str | None = "vehicles"
    unit_value: Decimal = Decimal("85000.00")
    valuation: Valuation = Valuation.REPLACEMENT_COST


def item(quantity: str, unit_value: str, category: ItemCategory = ItemCategory.OTHER) -> Item:
    return Item(category, None, Decimal(quantity), None, Decimal(unit_value), Valuation.BOOK_VALUE)


def refusal(action: Callable[[], object]) -> tuple[list[str] | None, str]:
    """The field and message of the one user error `action` is refused with."""
    with pytest.raises(Rejected) as caught:
        action()
    [error] = caught.value.errors
    assert error.code is UserErrorCode.INVALID
    return error.field, error.message


def check(*elements: Given, currency: str = "EUR") -> list[Item]:
    return items.checked("items", list(elements), ContributionKind.EQUIPMENT, currency)


# Value, total, by category.


@pytest.mark.parametrize(
    ("quantity", "unit_value", "currency", "expected"),
    [
        ("12", "85000.00", "EUR", "1020000.00"),
        ("0.5", "0.01", "EUR", "0.00"),  # 0.005: a tie, to the even 0.00
        ("1.5", "0.01", "EUR", "0.02"),  # 0.015: a tie, to the even 0.02
        ("1.0001", "0.01", "EUR", "0.01"),
        ("2.5", "1", "JPY", "2"),
        ("3.5", "1", "JPY", "4"),
        ("0.3333", "1.000", "KWD", "0.333"),
        ("3", "0", "EUR", "0.00"),
    ],
)
def test_given_an_item_when_valued_then_quantity_times_unit_value_rounds_half_even(
    quantity: str, unit_value: str, currency: str, expected: str
) -> None:
    found = items.value(item(quantity, unit_value), currency)

    assert str(found) == expected


def test_given_a_product_wider_than_28_digits_when_valued_then_it_is_rounded_once() -> None:
    # Exactly 106247469718044548730.95134995: at the default 28 digits it would first round to
    # ...0.951350, a tie, then to the even ...0.9514; rounded once, it is ...0.9513.
    quantity, unit_value = Decimal("568672427.5947"), Decimal("186834220479.8585")

    found = items.value(item(str(quantity), str(unit_value)), "CLF")

    assert found == Decimal("106247469718044548730.9513")
    assert abs(Fraction(found) - Fraction(quantity) * Fraction(unit_value)) < Fraction(1, 20000)


def test_given_no_items_when_totalled_then_zero_in_minor_units() -> None:
    assert str(items.total([], "EUR")) == "0.00"
    assert str(items.total([], "JPY")) == "0"
    assert items.by_category([], "EUR") == {}


def test_given_items_of_several_categories_when_grouped_then_each_category_sums_its_values() -> (
    None
):
    listed = [
        item("1.5", "0.01", ItemCategory.VEHICLES),  # 0.02
        item("2", "10.00", ItemCategory.AMMUNITION),
        item("0.5", "0.01", ItemCategory.VEHICLES),  # 0.00, not 0.005 added up to 0.02
        item("1", "3.33", ItemCategory.AMMUNITION),
    ]

    grouped = items.by_category(listed, "EUR")

    assert grouped == {
        ItemCategory.AMMUNITION: Decimal("23.33"),
        ItemCategory.VEHICLES: Decimal("0.02"),
    }
    assert list(grouped) == [ItemCategory.AMMUNITION, ItemCategory.VEHICLES]  # vocabulary order
    assert items.total(listed, "EUR") == Decimal("23.35")


# The amount and its items.


def test_given_items_when_the_amount_is_their_total_then_it_stands() -> None:
    listed = [item("12", "85000.00"), item("1.5", "0.01")]

    items.matching_amount("amount", listed, "EUR", Decimal("1020000.02"))
    items.matching_amount("amount", listed, "EUR", Decimal("1020000.020"))


def test_given_items_when_the_amount_differs_then_both_are_named() -> None:
    listed = [item("12", "85000.00")]

    field, message = refusal(
        lambda: items.matching_amount("amount.amount", listed, "EUR", Decimal("1000000"))
    )

    assert field == ["input", "amount", "amount"]
    assert message == (
        "is 1000000.00 EUR, but its items are worth 1020000.00 EUR: the amount must equal the "
        "sum of its items' values"
    )


def test_given_a_yen_amount_off_by_one_when_matched_then_refused_in_whole_yen() -> None:
    field, message = refusal(
        lambda: items.matching_amount("amount", [item("3.5", "1")], "JPY", Decimal("3"))
    )

    assert field == ["input", "amount"]
    assert message.startswith("is 3 JPY, but its items are worth 4 JPY")


def test_given_no_items_when_matched_then_any_amount_stands() -> None:
    items.matching_amount("amount", [], "EUR", Decimal("5000.00"))


# Checking the input.


def test_given_valid_items_when_checked_then_they_come_back_in_canonical_form() -> None:
    found = check(
        Given(),
        Given(
            category=ItemCategory.TRAINING_COURSES,
            description="  Staff officer course  ",
            quantity=Decimal("4.5000"),
            unit=" course places ",
            unit_value=Decimal("1200"),
            valuation=Valuation.DONOR_DECLARED,
        ),
        Given(description="   ", unit=None, unit_value=Decimal("-0"), quantity=Decimal("1E+3")),
    )

    assert found == [
        Item(
            ItemCategory.VEHICLES,
            "Armoured patrol vehicles",
            Decimal("12"),
            "vehicles",
            Decimal("85000.00"),
            Valuation.REPLACEMENT_COST,
        ),
        Item(
            ItemCategory.TRAINING_COURSES,
            "Staff officer course",
            Decimal("4.5"),
            "course places",
            Decimal("1200.00"),
            Valuation.DONOR_DECLARED,
        ),
        Item(
            ItemCategory.VEHICLES,
            None,
            Decimal("1000"),
            None,
            Decimal("0.00"),
            Valuation.REPLACEMENT_COST,
        ),
    ]
    assert [(str(x.quantity), str(x.unit_value)) for x in found] == [
        ("12", "85000.00"),
        ("4.5", "1200.00"),
        ("1000", "0.00"),
    ]


@pytest.mark.parametrize("kind", IN_KIND)
def test_given_any_in_kind_support_when_items_are_checked_then_they_are_taken(
    kind: ContributionKind,
) -> None:
    assert len(items.checked("items", [Given()], kind, "EUR")) == 1


def test_given_funding_when_items_are_listed_then_refused_at_the_list() -> None:
    field, message = refusal(
        lambda: items.checked("items", [Given()], ContributionKind.FUNDING, "EUR")
    )

    assert field == ["input", "items"]
    assert message == (
        "cannot be listed for FUNDING: only in-kind support (EQUIPMENT, TRAINING, EXPERTISE, "
        "PERSONNEL, OTHER_IN_KIND) has items"
    )


def test_given_funding_when_the_list_is_empty_then_there_is_nothing_to_refuse() -> None:
    assert items.checked("items", [], ContributionKind.FUNDING, "EUR") == []


def test_given_200_items_then_taken_and_given_201_then_refused() -> None:
    assert len(check(*[Given()] * 200)) == 200

    field, message = refusal(lambda: check(*[Given()] * 201))

    assert field == ["input", "items"]
    assert message == "lists 201 items; the limit is 200"


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("NaN", "is NaN: a quantity must be a finite number"),
        ("sNaN", "is sNaN: a quantity must be a finite number"),
        ("Infinity", "is Infinity: a quantity must be a finite number"),
        ("-Infinity", "is -Infinity: a quantity must be a finite number"),
        ("0", "is 0: a quantity must be more than 0"),
        ("0.0000", "is 0.0000: a quantity must be more than 0"),
        ("-1", "is -1: a quantity must be more than 0"),
        ("0.00001", "is 0.00001: a quantity has at most 4 decimal places"),
        ("1.000010", "is 1.000010: a quantity has at most 4 decimal places"),
        ("1000000000", "is 1000000000: quantities stop below one billion"),
        ("1E+9", "is 1E+9: quantities stop below one billion"),
        (
            "1" * 60,
            "is 111111111111111111111111111111111111111…: quantities stop below one billion",
        ),
    ],
)
def test_given_a_bad_quantity_when_checked_then_refused_at_its_path(
    quantity: str, message: str
) -> None:
    refused = refusal(lambda: check(Given(), Given(quantity=Decimal(quantity))))

    assert refused == (["input", "items", "1", "quantity"], message)


@pytest.mark.parametrize("quantity", ["0.0001", "1.23450", "999999999.9999", "7"])
def test_given_a_quantity_within_the_rules_when_checked_then_taken(quantity: str) -> None:
    [found] = check(Given(quantity=Decimal(quantity), unit_value=Decimal("1.00")))

    assert found.quantity == Decimal(quantity)


@pytest.mark.parametrize(
    ("unit_value", "currency", "message"),
    [
        ("NaN", "EUR", "is NaN: a unit value must be a finite number"),
        ("Infinity", "EUR", "is Infinity: a unit value must be a finite number"),
        ("-0.01", "EUR", "is -0.01: a unit value cannot be negative"),
        (
            "0.001",
            "EUR",
            "is 0.001: a unit value has no more decimal places than the 2 of EUR",
        ),
        ("1.5", "JPY", "is 1.5: a unit value has no more decimal places than the 0 of JPY"),
        (
            "0.0001",
            "KWD",
            "is 0.0001: a unit value has no more decimal places than the 3 of KWD",
        ),
        ("1000000000000", "EUR", "is 1000000000000: unit values stop below one trillion"),
    ],
)
def test_given_a_bad_unit_value_when_checked_then_refused_at_its_path(
    unit_value: str, currency: str, message: str
) -> None:
    refused = refusal(
        lambda: check(Given(), Given(), Given(unit_value=Decimal(unit_value)), currency=currency)
    )

    assert refused == (["input", "items", "2", "unitValue"], message)


@pytest.mark.parametrize(
    ("unit_value", "currency", "stored"),
    [
        ("0", "EUR", "0.00"),
        ("1.500", "EUR", "1.50"),
        ("999999999999.99", "EUR", "999999999999.99"),
        ("0.001", "KWD", "0.001"),
        ("1200.000", "JPY", "1200"),
    ],
)
def test_given_a_unit_value_within_the_rules_when_checked_then_kept_in_minor_units(
    unit_value: str, currency: str, stored: str
) -> None:
    [found] = check(
        Given(quantity=Decimal("0.5"), unit_value=Decimal(unit_value)), currency=currency
    )

    assert str(found.unit_value) == stored


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": "x" * 501}, "description", "is 501 characters long; the limit is 500"),
        ({"description": "Radios\x00"}, "description", "contains control characters"),
        ({"unit": "u" * 41}, "unit", "is 41 characters long; the limit is 40"),
        ({"unit": "  "}, "unit", "cannot be blank: leave it out"),
        ({"unit": "kg\x1b"}, "unit", "contains control characters"),
    ],
)
def test_given_bad_text_when_checked_then_refused_at_its_path(
    changes: dict[str, Any], field: str, message: str
) -> None:
    refused = refusal(lambda: check(replace(Given(), **changes)))

    assert refused == (["input", "items", "0", field], message)


def test_given_text_within_the_rules_when_checked_then_trimmed_and_kept() -> None:
    [found] = check(Given(description=" Line one\n\tline two " + "x" * 400, unit="u" * 40))

    assert found.description == "Line one\n\tline two " + "x" * 400
    assert found.unit == "u" * 40


def test_given_items_worth_a_trillion_in_all_when_checked_then_the_list_is_refused() -> None:
    large = Given(quantity=Decimal("2"), unit_value=Decimal("500000000000.00"))

    field, message = refusal(lambda: check(Given(), large))

    assert field == ["input", "items"]
    assert message == ("are worth 1000001020000.00 EUR in all: the total stops below one trillion")


def test_given_items_just_under_a_trillion_when_checked_then_taken() -> None:
    found = check(
        Given(quantity=Decimal("1"), unit_value=Decimal("999999999999.98")),
        Given(quantity=Decimal("1"), unit_value=Decimal("0.01")),
    )

    assert items.total(found, "EUR") == Decimal("999999999999.99")


def test_given_the_graphql_input_when_checked_then_it_is_read_by_its_attributes() -> None:
    element = ContributionItemInput(
        category=ItemCategory.ADVISERS,
        quantity=Decimal("6"),
        unit="adviser-months",
        unit_value=Decimal("14500.00"),
        valuation=Valuation.MARKET_PRICE,
    )

    [found] = items.checked("items", [element], ContributionKind.EXPERTISE, "EUR")

    assert found == Item(
        ItemCategory.ADVISERS,
        None,
        Decimal("6"),
        "adviser-months",
        Decimal("14500.00"),
        Valuation.MARKET_PRICE,
    )
    assert items.value(found, "EUR") == Decimal("87000.00")


# Stored form.


def test_given_the_stored_form_when_parsed_and_stored_again_then_it_is_unchanged() -> None:
    row: list[dict[str, Any]] = [
        {
            "category": "VEHICLES",
            "description": "Armoured patrol vehicles",
            "quantity": "12",
            "unit": "vehicles",
            "unitValue": "85000.00",
            "valuation": "REPLACEMENT_COST",
        },
        {
            "category": "OTHER",
            "description": None,
            "quantity": "0.25",
            "unit": None,
            "unitValue": "0.00",
            "valuation": "DONOR_DECLARED",
        },
    ]

    parsed = items.parse(row)

    assert parsed[0] == Item(
        ItemCategory.VEHICLES,
        "Armoured patrol vehicles",
        Decimal("12"),
        "vehicles",
        Decimal("85000.00"),
        Valuation.REPLACEMENT_COST,
    )
    assert items.stored(parsed) == row


def test_given_a_row_without_items_when_parsed_then_there_are_none() -> None:
    assert items.parse(None) == []
    assert items.parse([]) == []
    assert items.stored([]) == []


def test_given_stored_text_without_optional_keys_when_parsed_then_they_are_none() -> None:
    [found] = items.parse(
        [{"category": "MEDICAL", "quantity": "3", "unitValue": "10.00", "valuation": "BOOK_VALUE"}]
    )

    assert (found.description, found.unit) == (None, None)


def test_given_a_decimal_with_an_exponent_when_stored_then_written_in_fixed_point() -> None:
    [entry] = items.stored([item("1E+3", "5E-2")])

    assert (entry["quantity"], entry["unitValue"]) == ("1000", "0.05")


# Properties.

CURRENCIES = st.sampled_from(sorted(MINOR_DIGITS))


def quantities() -> st.SearchStrategy[Decimal]:
    """Every quantity the rules take: above 0, below 10**9, up to 4 places (with zeros kept)."""
    return st.integers(0, 4).flatmap(
        lambda places: st.integers(1, 10 ** (9 + places) - 1).map(
            lambda n: Decimal(n).scaleb(-places)
        )
    )


def unit_values(currency: str) -> st.SearchStrategy[Decimal]:
    digits = MINOR_DIGITS[currency]
    return st.integers(0, 10 ** (12 + digits) - 1).map(lambda n: Decimal(n).scaleb(-digits))


def items_in(currency: str, most: int = 30) -> st.SearchStrategy[list[Item]]:
    one = st.builds(
        Item,
        category=st.sampled_from(ItemCategory),
        description=st.none() | st.text(min_size=1, max_size=20),
        quantity=quantities(),
        unit=st.none() | st.text(min_size=1, max_size=10),
        unit_value=unit_values(currency),
        valuation=st.sampled_from(Valuation),
    )
    return st.lists(one, max_size=most)


@st.composite
def priced(draw: st.DrawFn) -> tuple[str, list[Item]]:
    currency = draw(CURRENCIES)
    return currency, draw(items_in(currency))


@PROPERTY
@given(priced())
def test_property_the_total_is_exactly_the_sum_of_the_values(case: tuple[str, list[Item]]) -> None:
    currency, listed = case

    found = items.total(listed, currency)

    assert Fraction(found) == sum((Fraction(items.value(x, currency)) for x in listed), Fraction())
    assert -found.as_tuple().exponent == MINOR_DIGITS[currency]  # type: ignore[operator]
    assert sum(items.by_category(listed, currency).values(), Decimal(0)) == found


@PROPERTY
@given(CURRENCIES.flatmap(lambda c: st.tuples(st.just(c), quantities(), unit_values(c))))
@example(("EUR", Decimal("0.5"), Decimal("0.01")))
@example(("EUR", Decimal("1.5"), Decimal("0.01")))
@example(("CLF", Decimal("568672427.5947"), Decimal("186834220479.8585")))
def test_property_a_value_is_within_half_a_minor_unit_of_the_exact_product(
    case: tuple[str, Decimal, Decimal],
) -> None:
    currency, quantity, unit_value = case
    digits = MINOR_DIGITS[currency]

    found = items.value(item(str(quantity), str(unit_value)), currency)

    exact = Fraction(quantity) * Fraction(unit_value)
    half = Fraction(1, 2 * 10**digits)
    assert abs(Fraction(found) - exact) <= half
    assert found.as_tuple().exponent == -digits
    if abs(Fraction(found) - exact) == half:  # a tie goes to the even last digit
        assert found.as_tuple().digits[-1] % 2 == 0


@PROPERTY
@given(priced())
def test_property_stored_items_parse_back_as_the_same_items(case: tuple[str, list[Item]]) -> None:
    _, listed = case

    written = json.loads(json.dumps(items.stored(listed)))

    assert items.parse(written) == listed
    assert items.stored(items.parse(written)) == written
    assert all("E" not in entry["quantity"] and "E" not in entry["unitValue"] for entry in written)


@PROPERTY
@given(priced())
def test_property_checked_items_keep_their_numbers_and_their_total_is_the_amount(
    case: tuple[str, list[Item]],
) -> None:
    currency, listed = case
    listed = [replace(x, description=None, unit=None) for x in listed]
    worth = items.total(listed, currency)
    elements = [
        Given(x.category, None, x.quantity, None, x.unit_value, x.valuation) for x in listed
    ]

    if worth >= items.TOTAL_LIMIT:
        with pytest.raises(Rejected):
            items.checked("items", elements, ContributionKind.OTHER_IN_KIND, currency)
        return
    found = items.checked("items", elements, ContributionKind.OTHER_IN_KIND, currency)

    assert found == listed
    items.matching_amount("amount", found, currency, worth)
    if not found:
        return  # support without items is not itemised: any amount stands
    one_minor_unit = Decimal(1).scaleb(-MINOR_DIGITS[currency])
    with pytest.raises(Rejected):
        items.matching_amount("amount", found, currency, worth + one_minor_unit)


# The GraphQL types.


@strawberry.type
class _Query:
    @strawberry.field
    def item(self, given: ContributionItemInput, currency: str) -> ContributionItem:
        [checked] = items.checked("items", [given], ContributionKind.EQUIPMENT, currency)
        return ContributionItem.of(checked, currency)


SCHEMA = strawberry.Schema(query=_Query, scalar_overrides=SCALAR_OVERRIDES)  # type: ignore[arg-type]

ITEM = """
query ($given: ContributionItemInput!, $currency: String!) {
  item(given: $given, currency: $currency) {
    category description quantity unit
    unitValue { amount currency }
    value { amount currency }
    valuation
  }
}
"""


def test_given_an_item_input_when_served_then_the_item_reads_back_with_its_value() -> None:
    given = {
        "category": "VEHICLES",
        "quantity": "12",
        "unit": "vehicles",
        "unitValue": "85000",
        "valuation": "REPLACEMENT_COST",
    }

    result = SCHEMA.execute_sync(ITEM, variable_values={"given": given, "currency": "EUR"})

    assert result.errors is None
    assert result.data == {
        "item": {
            "category": "VEHICLES",
            "description": None,
            "quantity": "12",
            "unit": "vehicles",
            "unitValue": {"amount": "85000.00", "currency": "EUR"},
            "value": {"amount": "1020000.00", "currency": "EUR"},
            "valuation": "REPLACEMENT_COST",
        }
    }


def test_given_a_float_quantity_when_served_then_the_decimal_scalar_refuses_it() -> None:
    given = {
        "category": "VEHICLES",
        "quantity": 12.5,
        "unitValue": "1.00",
        "valuation": "BOOK_VALUE",
    }

    result = SCHEMA.execute_sync(ITEM, variable_values={"given": given, "currency": "EUR"})

    assert result.errors is not None
    assert "Decimal must be a string" in result.errors[0].message


def test_the_item_types_and_every_field_of_them_are_described() -> None:
    described = {
        name: (kind.description, {field.name: field.description for field in kind.fields})
        for name, kind in (
            ("ContributionItem", SCHEMA.get_type_by_name("ContributionItem")),
            ("ContributionItemInput", SCHEMA.get_type_by_name("ContributionItemInput")),
        )
        if isinstance(kind, strawberry.types.base.StrawberryObjectDefinition)
    }

    assert set(described) == {"ContributionItem", "ContributionItemInput"}
    for description, fields in described.values():
        assert description
        assert all(fields.values())
        assert set(fields) == {
            "category",
            "description",
            "quantity",
            "unit",
            "unit_value",
            "valuation",
        } | ({"value"} if "value" in fields else set())
    sdl = SCHEMA.as_str()
    assert "unitValue: Decimal!" in sdl
    assert "unitValue: Money!" in sdl
    assert "value: Money!" in sdl
