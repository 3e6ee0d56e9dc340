"""Reference data: who takes part, since when, and the partnership plans on record.

Dates are the public record (NATO's own pages and press releases) where one exists. Two conventions
keep the rest honest:

- `Partnership.joined_on` has no precision column, so where only the month of joining is on record
  the first of that month stands in (marked "month only" below), and "year only" likewise uses
  1 January;
- plans carry `agreed_on_precision`, and a plan whose date is not known to the day says so in its
  summary.

Country names come from pycountry by ISO 3166-1 alpha-2 code, so only the overrides are typed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from store.enums import (
    DatePrecision,
    Framework,
    FundForm,
    PlanKind,
    PlanStatus,
)

PFP = Framework.PARTNERSHIP_FOR_PEACE
MED = Framework.MEDITERRANEAN_DIALOGUE
ICI = Framework.ISTANBUL_COOPERATION_INITIATIVE
GLOBE = Framework.PARTNERS_ACROSS_THE_GLOBE

# pycountry's names are ISO's short names ("Moldova, Republic of"); these read as NATO writes them.
NAME_OVERRIDES = {
    "BA": "Bosnia and Herzegovina",
    "KR": "Republic of Korea",
    "MD": "Republic of Moldova",
    "TR": "Türkiye",
}

# NATO accession dates: the day each state deposited its instrument of accession.
ACCESSIONS: dict[date, tuple[str, ...]] = {
    date(1949, 8, 24): ("BE", "CA", "DK", "FR", "IS", "IT", "LU", "NL", "NO", "PT", "GB", "US"),
    date(1952, 2, 18): ("GR", "TR"),
    date(1955, 5, 6): ("DE",),
    date(1982, 5, 30): ("ES",),
    date(1999, 3, 12): ("CZ", "HU", "PL"),
    date(2004, 3, 29): ("BG", "EE", "LV", "LT", "RO", "SK", "SI"),
    date(2009, 4, 1): ("AL", "HR"),
    date(2017, 6, 5): ("ME",),
    date(2020, 3, 27): ("MK",),
    date(2023, 4, 4): ("FI",),
    date(2024, 3, 7): ("SE",),
}

ALLIED_SINCE: dict[str, date] = {
    code: joined for joined, codes in ACCESSIONS.items() for code in codes
}

# Signature of the Partnership for Peace Framework Document. A partner that joined the Alliance
# leaves the partnership on its accession day (see `memberships`).
PFP_JOINED: dict[str, date] = {
    "RO": date(1994, 1, 26),
    "LT": date(1994, 1, 27),
    "PL": date(1994, 2, 2),
    "EE": date(1994, 2, 3),
    "HU": date(1994, 2, 8),
    "UA": date(1994, 2, 8),
    "SK": date(1994, 2, 9),
    "BG": date(1994, 2, 14),
    "LV": date(1994, 2, 14),
    "AL": date(1994, 2, 23),
    "CZ": date(1994, 3, 10),
    "MD": date(1994, 3, 16),
    "GE": date(1994, 3, 23),
    "SI": date(1994, 3, 30),
    "AZ": date(1994, 5, 4),
    "FI": date(1994, 5, 9),
    "SE": date(1994, 5, 9),
    "TM": date(1994, 5, 10),
    "KZ": date(1994, 5, 27),
    "KG": date(1994, 6, 1),
    "RU": date(1994, 6, 22),
    "UZ": date(1994, 7, 13),
    "AM": date(1994, 10, 5),
    "BY": date(1995, 1, 11),
    "AT": date(1995, 2, 10),
    "MK": date(1995, 11, 15),
    "CH": date(1996, 12, 11),
    "IE": date(1999, 12, 1),
    "HR": date(2000, 5, 25),
    "TJ": date(2002, 2, 20),
    "BA": date(2006, 12, 14),
    "ME": date(2006, 12, 14),
    "RS": date(2006, 12, 14),
}


@dataclass(frozen=True)
class Membership:
    """Membership of one partnership framework over one period."""

    framework: Framework
    joined_on: date
    left_on: date | None = None


# Memberships that the plain rules (PfP from PFP_JOINED until accession) do not describe.
OTHER_MEMBERSHIPS: dict[str, tuple[Membership, ...]] = {
    # Malta joined, suspended its participation in October 1996 and re-engaged at Bucharest.
    "MT": (
        Membership(PFP, date(1995, 4, 26), date(1996, 10, 27)),
        Membership(PFP, date(2008, 4, 3)),
    ),
    # Mediterranean Dialogue: five in February 1995 and Jordan in November 1995 (month only);
    # Algeria accepted NATO's invitation in March 2000 (press release of 14 March).
    "EG": (Membership(MED, date(1995, 2, 1)),),
    "IL": (Membership(MED, date(1995, 2, 1)),),
    "MR": (Membership(MED, date(1995, 2, 1)),),
    "MA": (Membership(MED, date(1995, 2, 1)),),
    "TN": (Membership(MED, date(1995, 2, 1)),),
    "JO": (Membership(MED, date(1995, 11, 1)),),
    "DZ": (Membership(MED, date(2000, 3, 14)),),
    # Istanbul Cooperation Initiative: Kuwait December 2004, Bahrain and Qatar February 2005
    # (month only); the United Arab Emirates formally joined on 22 June 2005.
    "KW": (Membership(ICI, date(2004, 12, 1)),),
    "BH": (Membership(ICI, date(2005, 2, 1)),),
    "QA": (Membership(ICI, date(2005, 2, 1)),),
    "AE": (Membership(ICI, date(2005, 6, 22)),),
    # Partners across the globe have no accession act: the date is their first formal bilateral
    # document with NATO that can be dated (joint declaration or cooperation programme).
    "AU": (Membership(GLOBE, date(2012, 6, 14)),),
    "NZ": (Membership(GLOBE, date(2012, 6, 4)),),
    "MN": (Membership(GLOBE, date(2012, 3, 19)),),
    "KR": (Membership(GLOBE, date(2012, 9, 1)),),  # month only
    "JP": (Membership(GLOBE, date(2013, 4, 1)),),  # month only
    "IQ": (Membership(GLOBE, date(2012, 1, 1)),),  # year only
    "CO": (Membership(GLOBE, date(2018, 5, 31)),),
}

# NATO suspended all practical cooperation with Russia on 1 April 2014; that ends its participation.
PFP_LEFT = {"RU": date(2014, 4, 1)}

REGIONS: dict[str, str] = {
    **dict.fromkeys(("US", "CA"), "North America"),
    **dict.fromkeys(("BE", "FR", "DE", "LU", "NL", "GB", "IE", "CH", "AT"), "Western Europe"),
    **dict.fromkeys(("DK", "IS", "NO", "FI", "SE", "EE", "LV", "LT"), "Northern Europe"),
    **dict.fromkeys(("IT", "PT", "ES", "GR", "MT"), "Southern Europe"),
    **dict.fromkeys(("CZ", "HU", "PL", "SK", "SI"), "Central Europe"),
    **dict.fromkeys(("BG", "RO", "TR", "HR"), "South-Eastern Europe"),
    **dict.fromkeys(("AL", "BA", "ME", "MK", "RS"), "Western Balkans"),
    **dict.fromkeys(("UA", "MD", "BY", "RU"), "Eastern Europe"),
    **dict.fromkeys(("GE", "AM", "AZ"), "South Caucasus"),
    **dict.fromkeys(("KZ", "KG", "TJ", "TM", "UZ"), "Central Asia"),
    **dict.fromkeys(("DZ", "EG", "MR", "MA", "TN"), "North Africa"),
    **dict.fromkeys(("IL", "JO", "IQ"), "Middle East"),
    **dict.fromkeys(("BH", "KW", "QA", "AE"), "Gulf"),
    **dict.fromkeys(("AU", "JP", "KR", "NZ", "MN"), "Asia-Pacific"),
    "CO": "Latin America",
}


def memberships(code: str) -> tuple[Membership, ...]:
    """Every framework membership of a state, PfP ending on accession to the Alliance."""
    found: list[Membership] = []
    if code in PFP_JOINED:
        left = ALLIED_SINCE.get(code, PFP_LEFT.get(code))
        found.append(Membership(PFP, PFP_JOINED[code], left))
    found.extend(OTHER_MEMBERSHIPS.get(code, ()))
    return tuple(found)


STATE_CODES: tuple[str, ...] = tuple(sorted(REGIONS))


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    # The currency the institution accounts in: what its contributions are denominated in.
    currency: str
    is_secretariat: bool = False


INSTITUTIONS = (
    Institution("EU", "European Union", "EUR"),
    Institution("OSCE", "Organization for Security and Co-operation in Europe", "EUR"),
    Institution("UN", "United Nations", "USD"),
    Institution("UNDP", "United Nations Development Programme", "USD"),
    Institution("IOM", "International Organization for Migration", "USD"),
    Institution("NATO", "NATO International Staff", "EUR", is_secretariat=True),
)


@dataclass(frozen=True)
class FundSeed:
    """A fund through which support passes: its manager's tokens act for it."""

    code: str
    name: str
    form: FundForm
    manager: str
    lead_nations: tuple[str, ...] = ()
    beneficiary: str | None = None
    established_on: date | None = None
    purpose: str | None = None


FUNDS = (
    FundSeed(
        "NSPA",
        "NATO Support and Procurement Agency",
        FundForm.EXECUTING_AGENCY,
        manager="NSPA",
        purpose=(
            "NATO's executing agency: procures and delivers what donors fund through it, and "
            "runs trust-fund projects."
        ),
    ),
    FundSeed(
        "DCBTF",
        "Defence and Related Security Capacity Building Trust Fund",
        FundForm.TRUST_FUND,
        manager="NSPA",
        established_on=date(2015, 1, 1),
        purpose=(
            "Pooled donor support to the Defence Capacity Building packages launched at the "
            "Wales Summit in September 2014 (partners such as Georgia, the Republic of Moldova "
            "and Jordan). Its lead nations in this data set are illustrative."
        ),
        lead_nations=("NO", "DE"),
    ),
    FundSeed(
        "GEDRTF",
        "Georgia Defence Reform Trust Fund",
        FundForm.TRUST_FUND,
        manager="NSPA",
        lead_nations=("NL", "NO"),
        beneficiary="GE",
        established_on=date(2019, 1, 1),
        purpose=(
            "A trust fund for one partner's defence reform, led by two allies. Illustrative: it "
            "stands for the NATO Trust Funds of this kind, not a fund on record."
        ),
    ),
)


@dataclass(frozen=True)
class PlanSeed:
    """A plan on record. Its partner is the code's prefix; its period starts when it was agreed."""

    code: str
    kind: PlanKind
    status: PlanStatus
    agreed_on: date
    precision: DatePrecision
    summary: str
    ends_on: date | None = None
    predecessor: str | None = None

    @property
    def partner(self) -> str:
        return self.code.split("-", 1)[0]

    @property
    def starts_on(self) -> date:
        return self.agreed_on


KIND_NAMES = {
    PlanKind.IPAP: "Individual Partnership Action Plan",
    PlanKind.IPCP: "Individual Partnership and Cooperation Programme",
    PlanKind.ITPP: "Individually Tailored Partnership Programme",
}
DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR
IPAP, IPCP, ITPP = PlanKind.IPAP, PlanKind.IPCP, PlanKind.ITPP
ACTIVE, SUPERSEDED, CLOSED = PlanStatus.ACTIVE, PlanStatus.SUPERSEDED, PlanStatus.CLOSED
_ILLUSTRATIVE = "Its status, period and objectives in this data set are illustrative."
_REFORM = "the 'one partner, one plan' decision of March 2021"
_VILNIUS = "Agreed in July 2023 at the Vilnius Summit; the day is not on record here."


def _month(month: str) -> str:
    return f"Agreed in {month}; the day is not on record, so the first of the month stands in."


PLANS: tuple[PlanSeed, ...] = (
    PlanSeed(
        "GE-IPAP-2004", IPAP, ACTIVE, date(2004, 10, 29), DAY,
        f"The first IPAP agreed with NATO, on 29 October 2004. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "AZ-IPAP-2005", IPAP, ACTIVE, date(2005, 5, 27), DAY,
        f"Agreed on 27 May 2005. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "AM-IPAP-2005", IPAP, ACTIVE, date(2005, 12, 16), DAY,
        f"Agreed on 16 December 2005. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "KZ-IPAP-2006", IPAP, ACTIVE, date(2006, 1, 31), DAY,
        f"Agreed on 31 January 2006. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "MD-IPAP-2006", IPAP, SUPERSEDED, date(2006, 5, 19), DAY,
        f"Agreed on 19 May 2006; succeeded by an ITPP under {_REFORM}. The end date is "
        f"indicative. {_ILLUSTRATIVE}",
        ends_on=date(2024, 12, 31),
    ),
    PlanSeed(
        "BA-IPAP-2008", IPAP, ACTIVE, date(2008, 2, 1), MONTH,
        f"{_month('February 2008')} {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "ME-IPAP-2008", IPAP, CLOSED, date(2008, 6, 1), MONTH,
        f"{_month('June 2008')} Closed when Montenegro joined NATO on 5 June 2017; its history "
        f"is kept as it was. {_ILLUSTRATIVE}",
        ends_on=date(2017, 6, 4),
    ),
    PlanSeed(
        "RS-IPAP-2015", IPAP, ACTIVE, date(2015, 1, 15), DAY,
        f"Agreed on 15 January 2015. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "MD-ITPP-2025", ITPP, ACTIVE, date(2025, 1, 1), YEAR,
        f"Succeeds the IPAP under {_REFORM}, as a four-year programme. The dates are "
        f"indicative: only the year is on record here. {_ILLUSTRATIVE}",
        ends_on=date(2028, 12, 31),
        predecessor="MD-IPAP-2006",
    ),
    PlanSeed(
        "NZ-IPCP-2012", IPCP, ACTIVE, date(2012, 6, 4), DAY,
        f"Signed on 4 June 2012. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "MN-IPCP-2012", IPCP, ACTIVE, date(2012, 3, 19), DAY,
        f"Approved by the North Atlantic Council on 19 March 2012. {_ILLUSTRATIVE}",
    ),
    PlanSeed(
        "KR-IPCP-2012", IPCP, SUPERSEDED, date(2012, 9, 1), MONTH,
        f"{_month('September 2012')} Renewed in 2017 and 2019; succeeded by an ITPP in July "
        f"2023. {_ILLUSTRATIVE}",
        ends_on=date(2023, 6, 30),
    ),
    PlanSeed(
        "KR-ITPP-2023", ITPP, ACTIVE, date(2023, 7, 1), MONTH,
        f"{_VILNIUS} Covers 2023-2026. {_ILLUSTRATIVE}",
        ends_on=date(2026, 12, 31),
        predecessor="KR-IPCP-2012",
    ),
    PlanSeed(
        "AU-IPCP-2013", IPCP, SUPERSEDED, date(2013, 2, 21), DAY,
        f"Signed on 21 February 2013; succeeded by an ITPP in July 2023. {_ILLUSTRATIVE}",
        ends_on=date(2023, 6, 30),
    ),
    PlanSeed(
        "AU-ITPP-2023", ITPP, ACTIVE, date(2023, 7, 1), MONTH,
        f"{_VILNIUS} {_ILLUSTRATIVE}",
        predecessor="AU-IPCP-2013",
    ),
    PlanSeed(
        "JP-IPCP-2014", IPCP, SUPERSEDED, date(2014, 5, 6), DAY,
        f"Signed on 6 May 2014; succeeded by an ITPP in July 2023. {_ILLUSTRATIVE}",
        ends_on=date(2023, 6, 30),
    ),
    PlanSeed(
        "JP-ITPP-2023", ITPP, ACTIVE, date(2023, 7, 1), MONTH,
        f"{_VILNIUS} {_ILLUSTRATIVE}",
        predecessor="JP-IPCP-2014",
    ),
)  # fmt: skip
