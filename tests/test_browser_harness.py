"""The browser harness sees what a user's browser does: a real server set up as a user sets it up,
a real Chromium that shows a page at 1366 by 768, and every console error and every request the
page makes, above all one that would leave this machine."""

from __future__ import annotations

import struct
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from selenium.webdriver import Chrome

import tests.browser as harness
from tests.browser import (
    HEIGHT,
    WIDTH,
    LiveServer,
    console_errors,
    leaving_machine,
    page_load,
    requests_made,
    resource_timings,
    screenshot,
    user_timings,
    wait_for,
)

# The harness's fixtures, as this module's own.
browser, live_server, fresh_server = harness.browser, harness.live_server, harness.fresh_server

VIEWER = "{ viewer { role participant { code } } }"
DEMO = "{ partners(first: 100) { nodes { code } } funds { totalCount } }"
# GraphiQL's editors, once it has drawn them (CodeMirror 5).
EDITORS = "document.querySelectorAll('.graphiql-editor-tool .CodeMirror').length"
UNAUTHORIZED = "status of 401"


def page(script: str) -> str:
    """A page of its own, with nothing behind it but `script`."""
    return "data:text/html," + quote(
        f"<!doctype html><title>probe</title><script>{script}</script>"
    )


def errors(driver: Chrome) -> list[str]:
    return [entry["message"] for entry in console_errors(driver)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_server_holds_the_demo_data_and_a_token_for_each_actor(live_server: LiveServer) -> None:
    # Given the server the harness started, as a user would start one

    # When each actor asks who they are, and the secretariat what is recorded
    viewers = {actor: live_server.data(VIEWER, as_=actor)["viewer"] for actor in live_server.tokens}
    demo = live_server.data(DEMO)
    anonymous = live_server.post(VIEWER, as_=None)

    # Then each token speaks for its participant, the demo data is there, and no token gets nothing
    assert viewers == {
        "secretariat": {"role": "SECRETARIAT", "participant": {"code": "NATO"}},
        "ally": {"role": "ALLY", "participant": {"code": "DE"}},
        "other_ally": {"role": "ALLY", "participant": {"code": "FR"}},
        "partner": {"role": "PARTNER", "participant": {"code": "GE"}},
    }
    assert "GE" in {partner["code"] for partner in demo["partners"]["nodes"]}
    assert demo["funds"]["totalCount"] > 0
    assert "UNAUTHENTICATED" in anonymous.text


def test_a_page_of_the_server_is_shown_and_measured_and_asks_only_this_machine(
    live_server: LiveServer, browser: Chrome, tmp_path: Path
) -> None:
    # Given GraphiQL, which the server shows in development, not signed in (only a first `serve`
    # writes the token it fills in)
    browser.get(live_server.url("/graphql"))

    # When it has drawn its editors and asked for the schema
    assert wait_for(browser, EDITORS)
    wait_for(browser, lambda driver: any(UNAUTHORIZED in error for error in errors(driver)))
    shot = screenshot(browser, "graphiql")
    load = page_load(browser)

    # Then it was fetched from the server, with its scripts, and from nowhere else
    requested = requests_made(browser)
    assert live_server.url("/graphql") in requested
    assert any(url.endswith(".js") for url in requested)
    assert leaving_machine(requested) == []
    # And the console shows what went wrong: the schema refused, and no icon (Chromium asks
    # every page for one)
    assert {error.split(" - ")[0] for error in errors(browser)} <= {
        live_server.url("/graphql"),
        live_server.url("/favicon.ico"),
    }
    # And the screenshot is the whole window, in the test's folder
    assert shot == tmp_path / "screenshots" / "graphiql.png"
    assert png_size(shot) == (WIDTH, HEIGHT)
    # And the load's figures are there, in the order they happen
    assert load.url == live_server.url("/graphql")
    assert 0 < load.response_start <= load.dom_content_loaded <= load.load
    assert load.decoded_body_size > 0
    assert any(timing.initiator == "script" for timing in resource_timings(browser))


def test_a_json_answer_is_a_page_too(live_server: LiveServer, browser: Chrome) -> None:
    browser.get(live_server.url("/healthz"))

    assert wait_for(browser, "document.body && document.body.innerText.length > 0")
    assert leaving_machine(requests_made(browser)) == []
    assert all("/favicon.ico" in error for error in errors(browser))


def test_console_errors_and_uncaught_exceptions_are_caught_and_kept(browser: Chrome) -> None:
    # Given a page that logs an error, logs a warning, then throws
    browser.get(
        page(
            "console.warn('warned-probe'); console.error('logged-probe');"
            "throw new Error('thrown-probe');"
        )
    )

    # When the harness reads its console, twice
    wait_for(browser, lambda driver: len(console_errors(driver)) >= 2)
    first, again = console_errors(browser), console_errors(browser)

    # Then both errors are there, the warning is not, and reading again loses nothing
    messages = " ".join(entry["message"] for entry in first)
    assert "logged-probe" in messages and "Uncaught Error: thrown-probe" in messages
    assert "warned-probe" not in messages
    assert again == first


def test_a_request_to_another_host_is_reported_as_leaving_the_machine(browser: Chrome) -> None:
    # Given a page that fetches from a host elsewhere, and opens a WebSocket to one
    browser.get(
        page(
            "fetch('http://example.invalid/data').catch(() => {});"
            "new WebSocket('wss://example.invalid/socket');"
            "fetch('http://127.0.0.1:9/local').catch(() => {});"
        )
    )

    # When the harness reads what the page asked for
    wait_for(browser, lambda driver: len(leaving_machine(requests_made(driver))) >= 2)

    # Then both are reported as leaving the machine, the loopback one and the page itself are not,
    # and a later reading still has them
    assert leaving_machine(requests_made(browser)) == [
        "http://example.invalid/data",
        "wss://example.invalid/socket",
    ]
    assert "http://127.0.0.1:9/local" in requests_made(browser)
    # And nothing got through: the request failed in the browser
    assert any("example.invalid" in entry["message"] for entry in console_errors(browser))


@pytest.mark.parametrize(
    ("url", "leaves"),
    [
        ("http://127.0.0.1:8000/graphql", False),
        ("ws://127.0.0.1:8000/graphql", False),
        ("http://127.8.9.10/", False),
        ("http://localhost:8000/", False),
        ("http://LOCALHOST./", False),
        ("http://app.localhost/", False),
        ("http://[::1]:8000/", False),
        ("http://[::ffff:127.0.0.1]/", False),
        ("data:image/png;base64,AAAA", False),
        ("blob:http://127.0.0.1:8000/4f0e", False),
        ("about:blank", False),
        ("chrome-error://chromewebdata/", False),
        ("chrome://favicon2/?pageUrl=https%3A%2F%2Fexample.org", False),
        ("http://example.invalid/", True),
        ("https://cdn.example.org/lib.js", True),
        ("wss://example.org/socket", True),
        ("http://10.0.0.1/", True),
        ("http://[2001:db8::1]/", True),
        ("http://localhost.example.org/", True),
        ("http://127.0.0.1.example.org/", True),
        ("http://[not-an-address/", True),
    ],
)
def test_only_hosts_of_this_machine_and_in_browser_schemes_stay(url: str, leaves: bool) -> None:
    assert leaving_machine([url]) == ([url] if leaves else [])


def test_a_screenshot_goes_to_the_screenshots_folder_too(
    browser: Chrome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared" / "screenshots"
    monkeypatch.setenv("SCREENSHOTS", str(shared))
    browser.get(page("document.title = 'drawn'"))
    wait_for(browser, "document.title === 'drawn'")

    kept = screenshot(browser, "probe")

    assert png_size(kept) == png_size(shared / "probe.png") == (WIDTH, HEIGHT)
    assert kept.read_bytes() == (shared / "probe.png").read_bytes()
    with pytest.raises(ValueError, match="file name"):
        screenshot(browser, "../elsewhere")


def test_waiting_for_what_never_happens_fails_saying_what_it_waited_for(
    browser: Chrome,
) -> None:
    browser.get(page("console.error('seen-while-waiting')"))

    with pytest.raises(AssertionError, match=r"window\.never") as failure:
        wait_for(browser, "window.never", seconds=1)

    assert "seen-while-waiting" in str(failure.value)


def test_user_timings_are_read_by_name(browser: Chrome) -> None:
    browser.get(
        page("performance.mark('ready'); performance.measure('since-start', undefined, 'ready')")
    )

    timings = wait_for(browser, user_timings)

    assert set(timings) == {"ready", "since-start"}
    assert timings["ready"] >= 0 and timings["since-start"] == pytest.approx(timings["ready"])


def test_without_chromium_a_test_skips_or_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "CHROMEDRIVER", None)

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium chromium-driver"):
        harness.require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromedriver missing"):
        harness.require_chromium()


def test_a_fresh_server_is_a_server_of_its_own(
    live_server: LiveServer, fresh_server: LiveServer
) -> None:
    # Given the module's server and a fresh one
    assert fresh_server.base_url != live_server.base_url
    assert fresh_server.data_dir != live_server.data_dir

    # When the fresh one is asked with a token of the other
    stranger = httpx.post(
        fresh_server.url("/graphql"),
        json={"query": VIEWER},
        headers={"authorization": f"Bearer {live_server.tokens['ally']}"},
        timeout=harness.HTTP_SECONDS,
    )

    # Then it does not know it: its database and its tokens are its own
    assert "UNAUTHENTICATED" in stranger.text
    assert fresh_server.data(VIEWER, as_="ally")["viewer"]["participant"] == {"code": "DE"}
