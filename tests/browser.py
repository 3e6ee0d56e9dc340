"""A real Chromium, driven by Selenium, against a real server of this project started as a user
starts it: the harness of the dashboard's tests.

A test module takes the fixtures it uses as its own, by assignment (an import would read to
linters as a name its test arguments redefine): `browser, live_server = harness.browser,
harness.live_server` after `import tests.browser as harness`. `live_server` is one server for the
module's tests, `fresh_server` one of the test's own, `browser` a headless Chromium of the test's
own. The helpers read what the page did: `console_errors`, `requests_made`,
`leaving_machine`, `screenshot`, `wait_for`, and figures for a benchmark (`page_load`,
`resource_timings`, `user_timings`), measured and returned, never asserted here.

Nothing the browser asks for can leave the machine: every host but this one is sent to a proxy
that is not there, so a stray request fails, and still shows in `requests_made`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
import shutil
import sys
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import httpx
import pytest
from selenium.common.exceptions import (
    JavascriptException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver import Chrome, ChromeOptions
from selenium.webdriver.chrome.service import Service

from api.settings import Settings
from tests.conftest import PEOPLE, REQUEST_TIMEOUT
from tests.processes import START_SECONDS, Instance, server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WIDTH, HEIGHT = 1366, 768
# The generated data's size on a first `make run`.
DEMO_SCALE = Settings.demo_scale
# Bounds for something that never happens, not speed tests: a busy machine is slow, not wrong.
WAIT_SECONDS = 60
HTTP_SECONDS = 120
# Who the browser tests act as, a token each: names and participants as in tests/conftest.py.
ACTORS = ("secretariat", "ally", "other_ally", "partner")
# A proxy on the discard port, which nothing here serves: every request to another host, by name
# or by address, is sent to it and fails, with no direct try after. Loopback bypasses proxies.
NOWHERE = "http://127.0.0.1:9"
# Schemes whose requests are answered inside the browser or from this machine's files.
LOCAL_SCHEMES = frozenset(
    {
        "about",
        "blob",
        "chrome",
        "chrome-error",
        "chrome-extension",
        "chrome-untrusted",
        "data",
        "devtools",
        "file",
        "filesystem",
        "javascript",
    }
)

T = TypeVar("T")


# The server.


@dataclass(frozen=True)
class LiveServer:
    """A running `python -m api serve` over its own embedded SQLite file holding the demo data,
    with a token for each of ACTORS."""

    instance: Instance
    data_dir: Path
    tokens: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.instance.base_url

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def post(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        as_: str | None = "secretariat",
    ) -> httpx.Response:
        """POST a GraphQL document to /graphql with the token of `as_` (None: no token)."""
        headers = {} if as_ is None else {"authorization": f"Bearer {self.tokens[as_]}"}
        with httpx.Client(base_url=self.base_url, timeout=HTTP_SECONDS) as client:
            return client.post(
                "/graphql", json={"query": document, "variables": variables or {}}, headers=headers
            )

    def data(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        as_: str | None = "secretariat",
    ) -> dict[str, Any]:
        """The data of a document that must succeed."""
        response = self.post(document, variables, as_)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


async def _command(environment: dict[str, str], *arguments: str) -> str:
    """`python -m api <arguments>`'s standard output, once it has succeeded."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api",
        *arguments,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(START_SECONDS):
            out, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, f"python -m api {' '.join(arguments)}:\n{err.decode()}"
    return out.decode()


@asynccontextmanager
async def start_server(folder: Path, environment: str = "development") -> AsyncIterator[LiveServer]:
    """A server as a user sets one up on the embedded default: `migrate`, `seed` (the demo data at
    the scale a first `make run` loads), `token issue` for each of ACTORS, then `serve` on a free
    port, all with DATA_DIR=`folder`."""
    settings = {
        "DATA_DIR": str(folder),
        "ENVIRONMENT": environment,
        # Production's 15 s per request is for production: a busy machine is slow, not wrong.
        "REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
    }
    commands = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    commands.update(settings)
    await _command(commands, "migrate")
    # The data a person sees on a first `make run`: the demo flows and the generated set.
    await _command(commands, "seed", "--scale", str(DEMO_SCALE))
    tokens = {}
    for actor in ACTORS:
        code, role = PEOPLE[actor]
        issued = await _command(
            commands, "token", "issue", "--participant", code, "--role", role.name
        )
        tokens[actor] = issued.strip()
    async with server(None, **settings) as instance:
        yield LiveServer(instance, folder, tokens)


@pytest.fixture(scope="module")
async def live_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    """One server for the tests of a module: for reading, and writes the others do not mind."""
    async with start_server(tmp_path_factory.mktemp("live-server")) as running:
        yield running


@pytest.fixture
async def fresh_server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    """A server of the test's own, on a database nobody else has touched."""
    async with start_server(tmp_path / "server") as running:
        yield running


# The browser.


@dataclass
class _Record:
    """What a driver's logs have said so far: Chromium hands each entry over once only."""

    folder: Path | None
    console: list[dict[str, Any]] = field(default_factory=list)
    network: list[dict[str, Any]] = field(default_factory=list)


_RECORDS: weakref.WeakKeyDictionary[Chrome, _Record] = weakref.WeakKeyDictionary()


def _record(driver: Chrome) -> _Record:
    record = _RECORDS.get(driver)
    if record is None:
        record = _RECORDS[driver] = _Record(None)
    return record


def _drain(driver: Chrome, log: str) -> list[dict[str, Any]]:
    """The entries of `log` since it was last read."""
    entries: list[dict[str, Any]] = driver.get_log(log)  # type: ignore[no-untyped-call]
    return entries


def _read_logs(driver: Chrome) -> _Record:
    record = _record(driver)
    record.console.extend(_drain(driver, "browser"))
    for entry in _drain(driver, "performance"):
        record.network.append(json.loads(entry["message"])["message"])
    return record


class ChromiumMissing(Exception):
    """chromium or chromedriver is not installed; the message names which."""


def chromium_paths() -> tuple[str, str]:
    """The paths of chromium and chromedriver, or ChromiumMissing: for a caller outside pytest
    (bench/dashboard.py), which has no test to skip."""
    if CHROMIUM and CHROMEDRIVER:
        return CHROMIUM, CHROMEDRIVER
    raise ChromiumMissing(
        " and ".join(
            name
            for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
            if not path
        )
    )


def require_chromium() -> tuple[str, str]:
    """The paths of chromium and chromedriver; a test without them skips, or fails under CI."""
    try:
        return chromium_paths()
    except ChromiumMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} missing (.ci/run installs them)")
        pytest.skip(f"{missing} not installed (apt-get install chromium chromium-driver)")


def chrome(folder: Path, *arguments: str) -> Chrome:
    """A headless Chromium with its profile in `folder`, its viewport WIDTH by HEIGHT, logging
    the console and the network; `arguments` are added to its command line."""
    binary, driver_binary = require_chromium()
    # Selenium Manager would fetch a browser or driver it thinks missing: never here.
    os.environ["SE_OFFLINE"] = "true"
    os.environ["SE_AVOID_STATS"] = "true"
    options = ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={folder / 'chromium'}",
        # A container's /dev/shm is small, and Chromium's tabs crash when it fills.
        "--disable-dev-shm-usage",
        f"--proxy-server={NOWHERE}",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        # One language on every machine, so that numbers and dates are written alike.
        "--lang=en-US",
        *arguments,
    ):
        options.add_argument(argument)
    if os.geteuid() == 0:
        # Chromium refuses to run as root inside its sandbox.
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option(
        "perfLoggingPrefs", {"enableNetwork": True, "enablePage": False}
    )
    driver = Chrome(options=options, service=Service(executable_path=driver_binary))
    try:
        # Headless windows lose some of their height to a toolbar nobody sees: the page itself
        # gets the full size, so what a screenshot shows is what a 1366 by 768 screen shows.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        # What the browser loaded for itself before the test asked for anything is not the test's.
        _drain(driver, "browser")
        _drain(driver, "performance")
    except BaseException:
        driver.quit()
        raise
    _RECORDS[driver] = _Record(folder)
    return driver


@contextmanager
def browsing(folder: Path) -> Iterator[Chrome]:
    """`chrome(folder)`, closed when done."""
    driver = chrome(folder)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chrome]:
    """A headless Chromium of the test's own, closed after it."""
    with browsing(tmp_path) as driver:
        yield driver


# What the page did.


def console_errors(driver: Chrome) -> list[dict[str, Any]]:
    """Every SEVERE entry of the console so far: console.error, uncaught exceptions and
    rejections, and resources that failed to load."""
    return [entry for entry in _read_logs(driver).console if entry["level"] == "SEVERE"]


def requests_made(driver: Chrome) -> list[str]:
    """Every URL the browser's pages have asked for so far, in order, WebSockets included."""
    urls = []
    for message in _read_logs(driver).network:
        if message["method"] == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
        elif message["method"] == "Network.webSocketCreated":
            urls.append(str(message["params"]["url"]))
    return urls


def documents_sent(driver: Chrome) -> list[str]:
    """Every GraphQL document the pages have sent over HTTP so far, in order."""
    documents = []
    for message in _read_logs(driver).network:
        if message["method"] != "Network.requestWillBeSent":
            continue
        body = message["params"]["request"].get("postData")
        if body:
            documents.append(str(json.loads(body).get("query", "")))
    return documents


def is_loopback(host: str) -> bool:
    """Whether `host` (a name, or an address without brackets) always means this machine."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True  # Chromium resolves these to loopback itself, never through DNS
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def leaving_machine(urls: Iterable[str]) -> list[str]:
    """Those of `urls` that would reach another machine: any host but this one's, by a scheme
    that goes over the network. A URL that cannot be read counts as leaving."""
    leaving = []
    for url in urls:
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            leaving.append(url)
            continue
        if parts.scheme.lower() not in LOCAL_SCHEMES and not is_loopback(host):
            leaving.append(url)
    return leaving


def screenshot(driver: Chrome, name: str) -> Path:
    """The viewport as `name`.png, WIDTH by HEIGHT, in the test's tmp dir, and in the folder the
    SCREENSHOTS environment variable names, when it does (created if need be). Its tmp path."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError(f"a screenshot's name is a file name without its .png: {name!r}")
    png = driver.get_screenshot_as_png()
    folders = []
    if (folder := _record(driver).folder) is not None:
        folders.append(folder / "screenshots")
    if shared := os.environ.get("SCREENSHOTS", "").strip():
        folders.append(Path(shared))
    if not folders:
        raise ValueError(
            "no folder for screenshots: make the driver with chrome(), or set SCREENSHOTS"
        )
    for place in folders:
        place.mkdir(parents=True, exist_ok=True)
        (place / f"{name}.png").write_bytes(png)
    return folders[0] / f"{name}.png"


_STILL_LOADING = (JavascriptException, NoSuchElementException, StaleElementReferenceException)


def _in_page(expression: str) -> Callable[[Chrome], Any]:
    def check(driver: Chrome) -> Any:
        return driver.execute_script(f"return ({expression});")

    return check


@overload
def wait_for(driver: Chrome, condition: str, seconds: float = WAIT_SECONDS) -> Any: ...


@overload
def wait_for(
    driver: Chrome, condition: Callable[[Chrome], T | None], seconds: float = WAIT_SECONDS
) -> T: ...


def wait_for(
    driver: Chrome,
    condition: str | Callable[[Chrome], Any],
    seconds: float = WAIT_SECONDS,
) -> Any:
    """The first truthy value of `condition`, a JavaScript expression evaluated in the page or a
    function of the driver, polled for at most `seconds` (a bound for something that never
    happens, not a speed test). While the page is still being built, an element not there yet
    or a script that throws counts as not yet; past the bound, the test fails saying what it
    waited for, the last error and the console's errors."""
    if isinstance(condition, str):
        check, described = _in_page(condition), condition
    else:
        check, described = condition, getattr(condition, "__name__", repr(condition))
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while True:
        try:
            if value := check(driver):
                return value
        except _STILL_LOADING as error:
            last = error
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"waited {seconds:g} s for {described}; last error: {last!r}; "
                f"console errors: {console_errors(driver)}"
            )
        time.sleep(0.1)


# Figures for a benchmark: measured and returned, never asserted here.


@dataclass(frozen=True)
class PageLoad:
    """The Navigation Timing of the page's document: milliseconds since its navigation started,
    and bytes."""

    url: str
    response_start: float  # its first byte
    response_end: float
    dom_interactive: float
    dom_content_loaded: float  # DOMContentLoaded's handlers done
    load: float  # the load event's handlers done
    transfer_size: int  # over the network, headers included (0 from the cache)
    encoded_body_size: int
    decoded_body_size: int


def page_load(driver: Chrome, seconds: float = WAIT_SECONDS) -> PageLoad:
    """How the current page loaded, once its load event is over."""
    entry = wait_for(
        driver,
        "(() => { const e = performance.getEntriesByType('navigation')[0];"
        " return e && e.loadEventEnd > 0 && e.toJSON(); })()",
        seconds,
    )
    return PageLoad(
        url=str(entry["name"]),
        response_start=float(entry["responseStart"]),
        response_end=float(entry["responseEnd"]),
        dom_interactive=float(entry["domInteractive"]),
        dom_content_loaded=float(entry["domContentLoadedEventEnd"]),
        load=float(entry["loadEventEnd"]),
        transfer_size=int(entry["transferSize"]),
        encoded_body_size=int(entry["encodedBodySize"]),
        decoded_body_size=int(entry["decodedBodySize"]),
    )


@dataclass(frozen=True)
class ResourceTiming:
    """One resource the page fetched: when (milliseconds since the navigation started), how long
    it took, and its bytes."""

    url: str
    initiator: str  # script, link, img, fetch, xmlhttprequest…
    start: float
    duration: float
    transfer_size: int
    decoded_body_size: int


def resource_timings(driver: Chrome) -> list[ResourceTiming]:
    """The Resource Timing entries of the current page so far (the browser keeps 250 unless the
    page asks for more)."""
    entries = driver.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.toJSON());"
    )
    return [
        ResourceTiming(
            url=str(entry["name"]),
            initiator=str(entry["initiatorType"]),
            start=float(entry["startTime"]),
            duration=float(entry["duration"]),
            transfer_size=int(entry["transferSize"]),
            decoded_body_size=int(entry["decodedBodySize"]),
        )
        for entry in entries
    ]


def user_timings(driver: Chrome) -> dict[str, float]:
    """The page's own `performance.mark` (its time) and `performance.measure` (its duration), in
    milliseconds, by name: how a page says when it is ready."""
    entries = driver.execute_script(
        "return performance.getEntriesByType('mark').concat(performance.getEntriesByType("
        "'measure')).map((e) => [e.name, e.entryType === 'mark' ? e.startTime : e.duration]);"
    )
    return {str(name): float(value) for name, value in entries}
