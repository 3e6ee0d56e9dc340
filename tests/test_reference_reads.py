"""The read API over the reference data: partners, allies, institutions and their plans."""

from __future__ import annotations

from tests.conftest import Api

IPAP_PARTNERS = """
query IpapPartners($asOf: Date) {
  partners(asOf: $asOf, filter: { planKinds: [IPAP] }, first: 20) {
    totalCount
    nodes {
      code
      name
      role
      roleIn2010: roleOn(date: "2010-01-01")
      alliedSince
      plans(filter: { kinds: [IPAP] }) {
        nodes { code kind status agreedOn agreedOnPrecision partner { code } }
      }
    }
  }
}
"""

EXPECTED_IPAPS = {
    "GE": ("2004-10-29", "DAY"),
    "AZ": ("2005-05-27", "DAY"),
    "AM": ("2005-12-16", "DAY"),
    "KZ": ("2006-01-31", "DAY"),
    "MD": ("2006-05-19", "DAY"),
    "BA": ("2008-02-01", "MONTH"),
    "ME": ("2008-06-01", "MONTH"),
    "RS": ("2015-01-15", "DAY"),
}


async def test_the_eight_ipap_partners_carry_their_agreement_dates(api: Api) -> None:
    # Given the reference data, when asking for IPAP partners as they stood in 2016
    data = await api.data(IPAP_PARTNERS, {"asOf": "2016-06-01"})

    # Then all eight are there, each with its IPAP agreed on the date of the source
    partners = {node["code"]: node for node in data["partners"]["nodes"]}
    assert set(partners) == set(EXPECTED_IPAPS)
    assert data["partners"]["totalCount"] == 8
    for code, (agreed_on, precision) in EXPECTED_IPAPS.items():
        (ipap,) = partners[code]["plans"]["nodes"]
        assert (ipap["agreedOn"], ipap["agreedOnPrecision"]) == (agreed_on, precision), code
        assert ipap["partner"]["code"] == code


async def test_montenegro_is_an_ally_now_and_its_ipap_history_stays_intact(api: Api) -> None:
    data = await api.data(IPAP_PARTNERS, {"asOf": "2016-06-01"})
    montenegro = next(n for n in data["partners"]["nodes"] if n["code"] == "ME")

    assert montenegro["role"] == "ALLY"
    assert montenegro["roleIn2010"] == "PARTNER"
    assert montenegro["alliedSince"] == "2017-06-05"
    assert montenegro["plans"]["nodes"][0]["agreedOn"] == "2008-06-01"


async def test_partners_today_exclude_former_partners_that_joined_nato(api: Api) -> None:
    data = await api.data(IPAP_PARTNERS, {"asOf": None})

    codes = {node["code"] for node in data["partners"]["nodes"]}
    assert "ME" not in codes
    assert {"GE", "AZ", "AM", "KZ", "MD", "BA", "RS"} <= codes


ALLIES = """
query Allies($asOf: Date) {
  allies(asOf: $asOf, first: 100) { totalCount nodes { code alliedSince role } }
}
"""


async def test_allies_follow_accession_dates(api: Api) -> None:
    today = await api.data(ALLIES)
    before_montenegro = await api.data(ALLIES, {"asOf": "2017-06-04"})
    on_accession = await api.data(ALLIES, {"asOf": "2017-06-05"})

    assert today["allies"]["totalCount"] == 32
    assert {n["role"] for n in today["allies"]["nodes"]} == {"ALLY"}
    assert before_montenegro["allies"]["totalCount"] == 28
    assert "ME" not in {n["code"] for n in before_montenegro["allies"]["nodes"]}
    assert "ME" in {n["code"] for n in on_accession["allies"]["nodes"]}


INSTITUTIONS = "{ institutions(first: 50) { nodes { code kind role } } }"


async def test_institutions_include_the_international_organisations(api: Api) -> None:
    data = await api.data(INSTITUTIONS)

    roles = {n["code"]: n["role"] for n in data["institutions"]["nodes"]}
    assert {"EU", "OSCE", "UN", "UNDP", "IOM"} <= set(roles)
    assert roles["EU"] == "INSTITUTION"
    assert roles["NATO"] == "SECRETARIAT"


PARTICIPANT = """
query Participant($code: String!) {
  participant(code: $code) {
    id code name kind region alliedSince
    partnerships { framework joinedOn leftOn }
    plans(orderBy: { field: AGREED_ON }) {
      totalCount
      nodes { code kind status predecessor { code } successor { code } }
    }
  }
}
"""


async def test_a_participant_shows_its_partnerships_and_plan_lineage(api: Api) -> None:
    data = await api.data(PARTICIPANT, {"code": "ge"})

    georgia = data["participant"]
    assert georgia["code"] == "GE", "codes are case-insensitive"
    assert georgia["name"] == "Georgia"
    assert georgia["kind"] == "STATE"
    assert "PARTNERSHIP_FOR_PEACE" in {p["framework"] for p in georgia["partnerships"]}
    plans = georgia["plans"]["nodes"]
    assert plans[0]["code"] == "GE-IPAP-2004"
    for plan in plans:
        if plan["successor"] is not None:
            successor = next((p for p in plans if p["code"] == plan["successor"]["code"]), None)
            assert successor is None or successor["predecessor"]["code"] == plan["code"]


SUCCESSION = """
{
  plans(filter: { kinds: [ITPP] }, first: 100) {
    nodes { code partner { code } predecessor { code kind status successor { code } } }
  }
}
"""


async def test_itpps_link_back_to_the_plans_they_replaced(api: Api) -> None:
    data = await api.data(SUCCESSION)

    linked = [n for n in data["plans"]["nodes"] if n["predecessor"] is not None]
    assert linked, "some ITPP succeeds an IPAP or IPCP in the reference data"
    for itpp in linked:
        assert itpp["predecessor"]["kind"] in {"IPAP", "IPCP"}
        assert itpp["predecessor"]["status"] == "SUPERSEDED"
        assert itpp["predecessor"]["successor"]["code"] == itpp["code"]
