"""The coordination dashboard in a real Chromium against a real server on the embedded SQLite
default: a person signs in with a token, the figures on screen are the API's for that token,
support registered elsewhere appears without a reload, restricted support reads as the API
gives it, and nothing the page does leaves the machine or errs in the console. The screenshots
in the README are taken here (SCREENSHOTS=docs/screenshots)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver import ActionChains, Chrome, Keys
from selenium.webdriver.common.by import By

import tests.browser as harness
from tests.browser import (
    LiveServer,
    console_errors,
    documents_sent,
    leaving_machine,
    requests_made,
    screenshot,
    wait_for,
)

browser, live_server, fresh_server = harness.browser, harness.live_server, harness.fresh_server

PARTNER = "GE"
VIEWS = {
    "partners": "/",
    "partner": f"/partners/{PARTNER}",
    "overlaps": f"/overlaps/{PARTNER}",
    "gaps": f"/gaps/{PARTNER}",
    "changes": "/changes",
    "funds": "/funds",
    "fulfilment": "/fulfilment",
    "reconciliation": "/reconciliation",
}

COVERAGE = """
query ($partners: [String!]) {
  coverage(filter: { partners: $partners }) {
    total { ratio requirement { amount currency } committed { amount currency } }
    byCategory {
      category ratio objectives
      requirement { amount currency } pledged { amount currency }
      committed { amount currency } disbursed { amount currency }
    }
  }
}
"""
GAPS = """
query ($partners: [String!]) {
  aidGaps(filter: { partners: $partners }, first: 100) {
    nodes { contributors objective { id code } }
  }
}
"""
REGISTER = """
mutation ($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id }
    userErrors { field message }
  }
}
"""
OVERLAP = """
query ($partners: [String!]) {
  aidOverlaps(filter: { partners: $partners }, first: 100) {
    nodes {
      objective { code }
      hiddenContributorCount
      contributions { amount { amount currency } contributor { code } }
    }
  }
}
"""


# What a person does.


def sign_in(driver: Chrome, server: LiveServer, who: str) -> None:
    driver.get(server.url("/"))
    field = wait_for(driver, lambda d: d.find_element(By.ID, "token"))
    field.send_keys(server.tokens[who])
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, "document.querySelector('main')?.dataset.view === '/'")


def open_view(driver: Chrome, path: str) -> None:
    """Goes to a view by its address, as a link does, and waits until it is drawn."""
    drawn = driver.execute_script("return document.querySelector('main')?.dataset.drawn ?? '0'")
    driver.execute_script("location.hash = arguments[0]", f"#{path}")
    wait_for(
        driver,
        f"(m => m && m.dataset.view === {path!r} && m.dataset.drawn !== {drawn!r} "
        "&& !m.hasAttribute('aria-busy'))(document.querySelector('main'))",
    )


def texts(driver: Chrome, selector: str) -> list[str]:
    found: list[str] = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim())",
        selector,
    )
    return found


def show_row(driver: Chrome, code: str) -> None:
    """Scrolls the overlap matrix to an objective's row, just under its header (for a screenshot
    that shows both)."""
    driver.execute_script(
        "const row = [...document.querySelectorAll('#overlap-matrix tbody tr')].find(r => "
        "r.querySelector('.code')?.textContent === arguments[0]); "
        "window.scrollTo(0, 0); const frame = row.closest('.scroll'); "
        "frame.scrollTop = row.offsetTop - frame.querySelector('thead').offsetHeight",
        code,
    )


# How the API's figures are written on screen: an oracle written apart from the page's code.


def shown_money(money: dict[str, str] | None) -> str:
    if money is None:
        return "restricted"
    return f"{money['currency']} {Decimal(money['amount']):,.2f}"


def shown_percent(ratio: str | None) -> str:
    if ratio is None:
        return "—"
    percent = (Decimal(ratio) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{percent:,} %"


def clean(driver: Chrome) -> None:
    """The page erred nowhere and asked nothing of any other machine."""
    assert console_errors(driver) == []
    assert leaving_machine(requests_made(driver)) == []


@pytest.fixture
def downloads(browser: Chrome, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    yield folder


# The tests.


def test_a_partners_coverage_on_screen_is_the_apis(
    browser: Chrome, live_server: LiveServer
) -> None:
    sign_in(browser, live_server, "ally")
    open_view(browser, VIEWS["partner"])
    api = live_server.data(COVERAGE, {"partners": [PARTNER]}, as_="ally")["coverage"]

    # One bar per category, each saying the API's committed share of the requirement
    bars = browser.execute_script(
        "return [...document.querySelectorAll('.bar-row')].map(row => "
        "[row.dataset.item, row.querySelector('.bar-figure').textContent])"
    )
    assert bars == [[row["category"], shown_percent(row["ratio"])] for row in api["byCategory"]]
    # The same figures as a table, every amount as the API gives it
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#coverage-figures tbody tr')].map(row => "
        "[...row.children].map(cell => cell.textContent))"
    )
    expected = [
        [
            str(row["objectives"]),
            shown_money(row["requirement"]),
            shown_money(row["pledged"]),
            shown_money(row["committed"]),
            shown_money(row["disbursed"]),
            shown_percent(row["ratio"]),
        ]
        for row in api["byCategory"]
    ]
    assert [row[1:] for row in rows[:-1]] == expected
    headline = browser.find_element(By.CSS_SELECTOR, "[data-figure=total]").text
    assert shown_percent(api["total"]["ratio"]) in headline
    assert shown_money(api["total"]["committed"]) in headline
    screenshot(browser, "partner")
    clean(browser)


def test_support_registered_elsewhere_appears_in_the_open_overlap_matrix(
    browser: Chrome, fresh_server: LiveServer
) -> None:
    # Given the overlap matrix open on a partner, and an objective nobody supports yet
    sign_in(browser, fresh_server, "secretariat")
    open_view(browser, VIEWS["overlaps"])
    gaps = fresh_server.data(GAPS, {"partners": [PARTNER]})["aidGaps"]["nodes"]
    target = next(gap["objective"] for gap in gaps if gap["contributors"] == 0)
    assert target["code"] not in texts(browser, "#overlap-matrix tbody th .code")

    # When two allies register support to it through the API, as their own systems would
    for who, amount in (("ally", "250000.00"), ("other_ally", "120000.00")):
        given = fresh_server.data(
            REGISTER,
            {
                "input": {
                    "kind": "FUNDING",
                    "objectiveId": target["id"],
                    "amount": {"amount": amount, "currency": "EUR"},
                    "startsOn": "2026-01-01",
                    "endsOn": "2027-12-31",
                    "status": "COMMITTED",
                }
            },
            as_=who,
        )
        assert given["registerContribution"]["userErrors"] == []

    # Then the overlap appears on the open page, without a reload, with both contributors
    wait_for(
        browser,
        f"[...document.querySelectorAll('#overlap-matrix tbody th .code')]"
        f".some(e => e.textContent === {target['code']!r})",
    )
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
    row = browser.execute_script(
        "const row = [...document.querySelectorAll('#overlap-matrix tbody tr')].find(r => "
        "r.querySelector('.code')?.textContent === arguments[0]); "
        "return [...row.querySelectorAll('.given')].map(e => e.textContent)",
        target["code"],
    )
    assert sorted(row) == ["EUR 120,000.00", "EUR 250,000.00"]
    # and says so to a screen reader
    status = wait_for(browser, lambda d: d.find_element(By.ID, "status").text)
    assert status.startswith("Created: support from")
    show_row(browser, target["code"])
    screenshot(browser, "overlaps")
    clean(browser)


def test_restricted_support_reads_as_the_api_gives_it_to_the_token(
    browser: Chrome, fresh_server: LiveServer
) -> None:
    # Given an overlap one of whose contributions is restricted, by another ally
    gaps = fresh_server.data(GAPS, {"partners": [PARTNER]})["aidGaps"]["nodes"]
    target = next(gap["objective"] for gap in gaps if gap["contributors"] == 0)
    for who, visibility in (("ally", "PUBLIC"), ("other_ally", "RESTRICTED")):
        fresh_server.data(
            REGISTER,
            {
                "input": {
                    "kind": "FUNDING",
                    "objectiveId": target["id"],
                    "amount": {"amount": "90000.00", "currency": "EUR"},
                    "startsOn": "2026-01-01",
                    "visibility": visibility,
                }
            },
            as_=who,
        )

    # When an ally who is neither its contributor nor its recipient looks at the overlap
    sign_in(browser, fresh_server, "ally")
    open_view(browser, VIEWS["overlaps"])

    # Then the restricted contribution is there, counted, but neither named nor valued, as the
    # API says to this token; the secretariat sees it in full
    api = fresh_server.data(OVERLAP, {"partners": [PARTNER]}, as_="ally")["aidOverlaps"]["nodes"]
    overlap = next(node for node in api if node["objective"]["code"] == target["code"])
    assert overlap["hiddenContributorCount"] == 1
    assert [c["contributor"] for c in overlap["contributions"]].count(None) == 1
    headers = texts(browser, "#overlap-matrix thead th")
    assert "Restricted" in headers
    column = headers.index("Restricted")
    cells = browser.execute_script(
        "const row = [...document.querySelectorAll('#overlap-matrix tbody tr')].find(r => "
        "r.querySelector('.code')?.textContent === arguments[0]); "
        "return [...row.children].map(cell => cell.textContent)",
        target["code"],
    )
    assert cells[column] == "restricted"
    assert cells[headers.index("DE")] == "EUR 90,000.00"
    show_row(browser, target["code"])
    screenshot(browser, "overlaps-restricted")
    clean(browser)


def test_every_view_draws_without_errors_or_requests_elsewhere(
    browser: Chrome, live_server: LiveServer
) -> None:
    sign_in(browser, live_server, "secretariat")
    screenshot(browser, "partners")
    titles = {}
    for name, path in VIEWS.items():
        open_view(browser, path)
        titles[name] = browser.find_element(By.TAG_NAME, "h1").text
        assert browser.find_elements(By.CSS_SELECTOR, "main table, main .bars"), name
        if name not in ("partners", "partner", "overlaps"):
            screenshot(browser, name)

    # And a contribution, from a link in the matrix, with its history
    open_view(browser, VIEWS["overlaps"])
    link = browser.find_element(By.CSS_SELECTOR, "#overlap-matrix .given a")
    target = link.get_attribute("href")
    assert target is not None
    link.click()
    wait_for(browser, "document.querySelector('main')?.dataset.view?.startsWith('/contributions/')")
    wait_for(browser, "!document.querySelector('main').hasAttribute('aria-busy')")
    assert "history" in " ".join(texts(browser, "caption")).lower()
    screenshot(browser, "contribution")

    assert titles["partner"] == "Georgia (GE)"
    assert all(titles.values())
    clean(browser)


def test_the_token_stays_in_the_tab_and_out_of_every_address(
    browser: Chrome, live_server: LiveServer
) -> None:
    sign_in(browser, live_server, "partner")
    token = live_server.tokens["partner"]
    stored = browser.execute_script("return Object.values(sessionStorage)")
    kept = browser.execute_script("return Object.values(localStorage)")
    cookies = browser.get_cookies()

    assert stored == [token] and kept == [] and cookies == []
    assert all(token not in url for url in requests_made(browser))
    assert token not in browser.current_url

    # Signing out forgets it and what was fetched with it: the next person's views ask afresh
    open_view(browser, VIEWS["gaps"])
    browser.find_element(By.ID, "sign-out").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "token"))
    assert browser.execute_script("return sessionStorage.length") == 0
    field = browser.find_element(By.ID, "token")
    field.send_keys(live_server.tokens["secretariat"])
    browser.find_element(By.ID, "sign-in").click()
    open_view(browser, VIEWS["gaps"])
    choices = [d for d in documents_sent(browser) if "DashboardPartnerChoice" in d]
    assert len(choices) == 2

    # And a reload after signing out asks for a token again
    browser.find_element(By.ID, "sign-out").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "token"))
    browser.refresh()
    wait_for(browser, lambda d: d.find_element(By.ID, "token"))
    clean(browser)


def test_a_token_that_is_not_valid_is_refused_with_a_reason(
    browser: Chrome, live_server: LiveServer
) -> None:
    browser.get(live_server.url("/"))
    wait_for(browser, lambda d: d.find_element(By.ID, "token")).send_keys("pca_not-a-real-token")
    browser.find_element(By.ID, "sign-in").click()

    message = wait_for(browser, lambda d: d.find_element(By.ID, "sign-in-error").text)
    assert "not valid" in message
    assert browser.execute_script("return sessionStorage.length") == 0
    screenshot(browser, "sign-in")
    # The refused request is the one error the console shows: the server's 401 for it.
    errors = console_errors(browser)
    assert [error["message"] for error in errors if "401" not in error["message"]] == []
    assert leaving_machine(requests_made(browser)) == []


def test_a_meeting_can_use_it_with_the_keyboard_alone(
    browser: Chrome, live_server: LiveServer
) -> None:
    browser.get(live_server.url("/"))
    wait_for(browser, "document.activeElement?.id === 'token'")
    keys = ActionChains(browser)
    keys.send_keys(live_server.tokens["secretariat"]).send_keys(Keys.TAB).send_keys(Keys.ENTER)
    keys.perform()
    wait_for(browser, "document.querySelector('main')?.dataset.view === '/'")

    # The view has the focus; going back with Shift+Tab reaches the menu, through sign-out
    assert browser.execute_script("return document.activeElement.id") == "main"
    reached = []
    for _ in range(12):
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        reached.append(browser.execute_script("return document.activeElement.textContent"))
        if reached[-1] == "Overlaps":
            break
    assert reached[0] == "Sign out" and reached[-1] == "Overlaps", reached
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(browser, "document.querySelector('main')?.dataset.view === '/overlaps'")

    # From the top of the page, the first stop is the link that skips to the view
    ActionChains(browser).click(browser.find_element(By.CSS_SELECTOR, ".brand")).perform()
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert browser.execute_script("return document.activeElement.textContent") == "Skip to content"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.execute_script("return document.activeElement.id") == "main"
    clean(browser)


CHECKS = """
const luminance = (rgb) => {
  const [r, g, b] = rgb.map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const parse = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
const background = (element) => {
  for (let node = element; node; node = node.parentElement) {
    const [r, g, b, a = 1] = parse(getComputedStyle(node).backgroundColor);
    if (a > 0) return [r, g, b];
  }
  return [255, 255, 255];
};
const poor = [];
for (const element of document.querySelectorAll('body *')) {
  const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || !element.getClientRects().length) continue;
  const style = getComputedStyle(element);
  if (style.visibility === 'hidden') continue;
  const [fg, bg] = [luminance(parse(style.color).slice(0, 3)), luminance(background(element))];
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    poor.push([element.tagName, element.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
  }
}
const unlabelled = [...document.querySelectorAll('input, select, textarea, button')]
  .filter((control) => !(control.labels?.length || control.getAttribute('aria-label')
    || control.textContent.trim()))
  .map((control) => control.outerHTML.slice(0, 80));
return { poor, unlabelled };
"""


def test_every_view_has_labelled_controls_and_readable_contrast(
    browser: Chrome, live_server: LiveServer
) -> None:
    browser.get(live_server.url("/"))
    wait_for(browser, lambda d: d.find_element(By.ID, "token"))
    problems: dict[str, Any] = {"sign-in": browser.execute_script(CHECKS)}
    sign_in(browser, live_server, "secretariat")
    for name, path in VIEWS.items():
        open_view(browser, path)
        problems[name] = browser.execute_script(CHECKS)

    assert {
        name: found for name, found in problems.items() if found["poor"] or found["unlabelled"]
    } == {}


def test_the_table_on_screen_downloads_as_csv(
    browser: Chrome, live_server: LiveServer, downloads: Path
) -> None:
    sign_in(browser, live_server, "secretariat")
    open_view(browser, VIEWS["gaps"])
    on_screen = texts(browser, "#gap-list tbody th .code")

    browser.find_element(By.ID, "download-csv").click()
    file = wait_for(browser, lambda _: next(iter(downloads.glob("*.csv")), None))

    assert file.name == f"gaps-{PARTNER}.csv"
    rows = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8"))))
    assert rows[0][:5] == ["Objective", "Priority", "Requirement", "Committed", "Lacking"]
    assert [row[0].split()[0] for row in rows[1:]] == on_screen
    clean(browser)


def test_the_printed_page_leaves_out_the_controls(browser: Chrome, live_server: LiveServer) -> None:
    sign_in(browser, live_server, "secretariat")
    open_view(browser, VIEWS["partner"])
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})

    shown = browser.execute_script(
        "return Object.fromEntries(['header.top', '.toolbar', 'main h1', '.bars']"
        ".map(s => [s, getComputedStyle(document.querySelector(s)).display]))"
    )
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})

    assert shown["header.top"] == "none" and shown[".toolbar"] == "none"
    assert shown["main h1"] != "none" and shown[".bars"] != "none"
    assert len(pdf["data"]) > 1000
