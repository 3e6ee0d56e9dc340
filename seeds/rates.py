"""Exchange rates into the base currency (EUR): one approximate annual average per year.

Good enough to total support across currencies in demos; every row's `source` says it is
approximate seed data, so nobody mistakes it for a reference rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FIRST_RATE_YEAR = 2004
LAST_RATE_YEAR = 2026
ECB_SOURCE = "Approximate annual average of ECB euro reference rates (seed data)"
OTHER_SOURCE = "Approximate annual average euro exchange rate (seed data; no ECB reference rate)"

# Units of each currency per euro, one approximate annual average per year from the year given
# (the Turkish lira as redenominated in 2005). Stored inverted: EUR per one unit.
UNITS_PER_EURO: dict[str, tuple[int, str, str]] = {
    "USD": (2004, ECB_SOURCE, "1.2439 1.2441 1.2556 1.3705 1.4708 1.3948 1.3257 1.3920 1.2848 "
            "1.3281 1.3285 1.1095 1.1069 1.1297 1.1810 1.1195 1.1422 1.1827 1.0530 1.0813 1.0824 "
            "1.1300 1.1600"),
    "GBP": (2004, ECB_SOURCE, "0.67866 0.68380 0.68173 0.68434 0.79628 0.89094 0.85784 0.86788 "
            "0.81087 0.84926 0.80612 0.72584 0.81948 0.87667 0.88471 0.87777 0.88970 0.85960 "
            "0.85276 0.86979 0.84662 0.8570 0.8700"),
    "CAD": (2004, ECB_SOURCE, "1.6167 1.5087 1.4237 1.4678 1.5594 1.5850 1.3651 1.3761 1.2842 "
            "1.3684 1.4661 1.4186 1.4659 1.4647 1.5294 1.4855 1.5300 1.4826 1.3695 1.4595 1.4821 "
            "1.5800 1.6000"),
    "NOK": (2004, ECB_SOURCE, "8.3697 8.0092 8.0472 8.0165 8.2237 8.7278 8.0043 7.7934 7.4751 "
            "7.8067 8.3544 8.9496 9.2906 9.3270 9.5975 9.8511 10.7228 10.1633 10.1026 11.4248 "
            "11.6290 11.7000 11.7000"),
    "SEK": (2004, ECB_SOURCE, "9.1243 9.2822 9.2544 9.2501 9.6152 10.6191 9.5373 9.0298 8.7041 "
            "8.6515 9.0985 9.3535 9.4689 9.6351 10.2583 10.5891 10.4848 10.1465 10.6296 11.4788 "
            "11.4325 11.1000 11.0000"),
    "DKK": (2004, ECB_SOURCE, "7.4399 7.4518 7.4591 7.4506 7.4560 7.4462 7.4473 7.4506 7.4437 "
            "7.4579 7.4548 7.4587 7.4452 7.4386 7.4532 7.4661 7.4542 7.4370 7.4396 7.4509 7.4589 "
            "7.4600 7.4600"),
    "PLN": (2004, ECB_SOURCE, "4.5268 4.0230 3.8959 3.7837 3.5121 4.3276 3.9947 4.1206 4.1847 "
            "4.1975 4.1843 4.1841 4.3632 4.2570 4.2615 4.2976 4.4430 4.5652 4.6861 4.5420 4.3058 "
            "4.2400 4.2500"),
    "CZK": (2004, ECB_SOURCE, "31.891 29.782 28.342 27.766 24.946 26.435 25.284 24.590 25.149 "
            "25.980 27.536 27.279 27.034 26.326 25.647 25.670 26.455 25.640 24.566 24.004 25.120 "
            "24.700 24.500"),
    "HUF": (2004, ECB_SOURCE, "251.66 248.05 264.26 251.35 251.51 280.33 275.48 279.37 289.25 "
            "296.87 308.71 309.96 311.44 309.19 318.89 325.30 351.25 358.52 391.29 381.85 395.30 "
            "400.00 395.00"),
    "RON": (2004, ECB_SOURCE, "4.0510 3.6209 3.5258 3.3353 3.6826 4.2399 4.2122 4.2391 4.4593 "
            "4.4190 4.4437 4.4454 4.4904 4.5688 4.6540 4.7453 4.8383 4.9215 4.9313 4.9467 4.9746 "
            "5.0500 5.1000"),
    "CHF": (2004, ECB_SOURCE, "1.5438 1.5483 1.5729 1.6427 1.5874 1.5100 1.3803 1.2326 1.2053 "
            "1.2311 1.2146 1.0679 1.0902 1.1117 1.1550 1.1124 1.0705 1.0811 1.0047 0.9718 0.9526 "
            "0.9400 0.9300"),
    "TRY": (2005, ECB_SOURCE, "1.6771 1.8090 1.7865 1.9064 2.1631 1.9965 2.3378 2.3135 2.5335 "
            "2.9065 3.0255 3.3433 4.1206 5.7077 6.3578 8.0547 10.5124 17.4088 25.7597 35.5734 "
            "43.000 50.000"),
    "JPY": (2004, ECB_SOURCE, "134.44 136.85 146.02 161.25 152.45 130.34 116.24 110.96 102.49 "
            "129.66 140.31 134.31 120.20 126.71 130.40 122.01 121.85 129.88 138.03 151.99 163.85 "
            "169.00 175.00"),
    "AUD": (2004, ECB_SOURCE, "1.6905 1.6320 1.6668 1.6348 1.7416 1.7727 1.4423 1.3484 1.2407 "
            "1.3777 1.4719 1.4777 1.4883 1.4732 1.5797 1.6109 1.6549 1.5749 1.5167 1.6288 1.6397 "
            "1.7600 1.7700"),
    "NZD": (2004, ECB_SOURCE, "1.8731 1.7660 1.9373 1.8627 2.0770 2.2121 1.8377 1.7600 1.5867 "
            "1.6206 1.5995 1.5930 1.5886 1.5897 1.7058 1.6998 1.7565 1.6724 1.6582 1.7622 1.7880 "
            "1.9300 1.9800"),
    "KRW": (2004, ECB_SOURCE, "1422.62 1273.61 1198.58 1272.99 1606.09 1772.90 1531.82 1541.23 "
            "1447.69 1453.91 1398.14 1256.54 1284.18 1276.74 1299.07 1305.32 1345.58 1354.06 "
            "1358.07 1412.88 1475.40 1590.00 1650.00"),
    "ISK": (2004, OTHER_SOURCE, "87.14 78.23 87.76 87.63 143.83 172.00 162.00 161.00 161.00 "
            "162.00 155.00 146.00 133.00 120.00 127.00 137.30 154.60 150.20 142.30 149.20 149.50 "
            "145.00 145.00"),
    "ALL": (2004, OTHER_SOURCE, "127.7 124.2 123.1 123.6 122.8 132.1 137.8 140.3 139.0 140.3 "
            "140.0 139.7 137.4 134.1 127.6 123.0 123.8 122.5 119.0 108.8 100.7 98.0 97.0"),
    "MKD": (2004, OTHER_SOURCE, " ".join(["61.5"] * 23)),
}  # fmt: skip

RATE_PLACES = Decimal("1e-10")


@dataclass(frozen=True)
class RateSeed:
    currency: str
    valid_from: date
    rate: Decimal  # EUR per one unit of `currency`
    source: str


def exchange_rates() -> tuple[RateSeed, ...]:
    found = [
        RateSeed("EUR", date(year, 1, 1), Decimal(1), "Base currency")
        for year in range(FIRST_RATE_YEAR, LAST_RATE_YEAR + 1)
    ]
    for currency, (first_year, source, averages) in UNITS_PER_EURO.items():
        values = averages.split()
        if first_year + len(values) - 1 != LAST_RATE_YEAR:
            raise ValueError(f"{currency}: expected averages from {first_year} to {LAST_RATE_YEAR}")
        for offset, units in enumerate(values):
            rate = (Decimal(1) / Decimal(units)).quantize(RATE_PLACES)
            found.append(RateSeed(currency, date(first_year + offset, 1, 1), rate, source))
    return tuple(found)


EXCHANGE_RATES = exchange_rates()
