"""`aidGaps(threshold:)` compares exactly: an objective is listed if and only if its committed
support is below that share of its requirement, and a listed gap always lacks something."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

import pytest

from tests.conftest import Api
from tests.test_analysis_api import GAPS, _give, _objective, _plan

# (requirement, committed) pairs that sit on either side of the shares below, in cents, up to
# the largest amount an objective may require (where a 64-bit product would overflow).
LINES = [
    ("10000.00", "1234.90"),
    ("10000.00", "1234.50"),
    ("100.01", "50.00"),
    ("100.01", "50.01"),
    ("0.03", "0.01"),
    ("999999999999.99", "999999998999.99"),
    ("999999999999.99", "999999999000.00"),
    ("999999999999.99", "0.01"),
]
THRESHOLDS = ["0.123456", "0.5", "0.333333333", "0.999999999", "0.000000001", "1"]


def _expected_lacking(requirement: str, committed: str, threshold: str) -> str | None:
    """The oracle: exact fractions, and what is missing rounded up to the cent."""
    missing = Fraction(requirement) * Fraction(threshold) - Fraction(committed)
    if missing <= 0:
        return None
    cents = -((-missing * 100).numerator // (missing * 100).denominator)  # ceiling
    return str((Decimal(cents) / 100).quantize(Decimal("0.01"), ROUND_CEILING))


@pytest.fixture(scope="module")
async def lines(writable_api: Api) -> tuple[str, dict[str, tuple[str, str]]]:
    """One plan holding an objective for each line of LINES, with its committed support."""
    plan = await _plan(writable_api)
    codes: dict[str, tuple[str, str]] = {}
    for requirement, committed in LINES:
        objective = await _objective(writable_api, plan, requirement=requirement)
        await _give(writable_api, "ally", objective, committed, status="COMMITTED")
        found = await writable_api.data(
            "query($id: ID!) { node(id: $id) { ... on Objective { code } } }", {"id": objective}
        )
        codes[found["node"]["code"]] = (requirement, committed)
    return plan, codes


@pytest.mark.parametrize("threshold", THRESHOLDS)
async def test_gaps_are_listed_exactly_below_the_threshold(
    writable_api: Api, lines: tuple[str, dict[str, tuple[str, str]]], threshold: str
) -> None:
    # Given objectives whose committed support sits just below or above a share of their need
    plan, codes = lines

    # When gaps are asked for at that share
    found = await writable_api.data(GAPS, {"plan": plan, "threshold": threshold})

    # Then exactly those below it are listed, each lacking what is missing, rounded up to the cent
    listed = {
        node["objective"]["code"]: node["lacking"]["amount"] for node in found["aidGaps"]["nodes"]
    }
    expected = {
        code: lacking
        for code, (requirement, committed) in codes.items()
        if (lacking := _expected_lacking(requirement, committed, threshold)) is not None
    }
    assert listed == expected
    assert all(Decimal(amount) > 0 for amount in listed.values())
    assert found["aidGaps"]["totalCount"] == len(expected)


async def test_the_examples_that_were_rounded(
    writable_api: Api, lines: tuple[str, dict[str, tuple[str, str]]]
) -> None:
    plan, codes = lines
    by_line = {line: code for code, line in codes.items()}

    share = await writable_api.data(GAPS, {"plan": plan, "threshold": "0.123456"})
    half = await writable_api.data(GAPS, {"plan": plan, "threshold": "0.5"})

    listed = {n["objective"]["code"] for n in share["aidGaps"]["nodes"]}
    assert by_line[("10000.00", "1234.90")] not in listed, "1,234.90 is above 1,234.56"
    lacking = {n["objective"]["code"]: n["lacking"]["amount"] for n in half["aidGaps"]["nodes"]}
    assert lacking[by_line[("100.01", "50.00")]] == "0.01", "half of 100.01 is 50.005"


@pytest.mark.parametrize("threshold", ["0.1234567891", "0.0000000001", "-0.1", "1.0000000001", "2"])
async def test_a_threshold_it_cannot_compare_exactly_is_refused_by_name(
    writable_api: Api, threshold: str
) -> None:
    body = await writable_api.query(
        "query($t: Decimal) { aidGaps(threshold: $t) { totalCount } }", {"t": threshold}
    )
    (error,) = body["errors"]
    assert "threshold" in error["message"]
    assert error["extensions"]["code"] == "INVALID_ARGUMENT"
