"""Benchmark of what a person experiences in the coordination dashboard at `/`, in a real
headless Chromium against `python -m api serve` on the embedded SQLite default (as `make run`
serves it), and optionally on PostgreSQL.

    .venv/bin/python -m bench.dashboard [--repeats N] [--updates N] [--postgresql]

It measures and prints; it asserts no time. Two parts, each repeated and reported as p50, p90
and max:

1. Page load, with a cold browser profile (a new one each time) and a warm one (a profile that
   has shown the page before, in a new browser each time): the Navigation Timing of `/`, the time
   from pressing Sign in to the first view drawn, and from a hash change to the partner, overlap
   and gap views drawn; and the bytes of the page, app.js and app.css.
2. Live updates: with GE's overlap matrix open, a second ally registers support through the API
   to an objective the first ally already supports, which makes a new overlap. The time from
   just before that HTTP request is sent to the moment the new row exists in the page's DOM
   (read inside the page by a MutationObserver, on the same clock), beside the request's own
   round trip.

Times inside the page are taken inside the page, so that the polling that waits for them adds
nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from selenium.common.exceptions import WebDriverException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from sqlalchemy.engine import make_url

from api.settings import Settings
from bench.analysis import load_average
from bench.common import (
    DEFAULT_SERVER,
    IDENTIFIER,
    BenchmarkError,
    exit_code,
    fresh_database,
    git_commit,
    issue_token,
    milliseconds,
    percentile,
    progress,
    release_database,
    render,
    row_counts,
    run_command,
    serving_api,
    table,
)
from tests.browser import (
    HEIGHT,
    WIDTH,
    ChromiumMissing,
    browsing,
    chromium_paths,
    console_errors,
    page_load,
    resource_timings,
    wait_for,
)

DEFAULT_DATABASE = "bench_dashboard"
REPEATS = 10  # page loads per profile
UPDATES = 10  # live updates measured, after one that is not
# What a first `make run` loads into the embedded database: the demo data at this scale.
SCALE = f"{Settings.demo_scale:g}"
PARTNER = "GE"
VIEWS = (f"/partners/{PARTNER}", f"/overlaps/{PARTNER}", f"/gaps/{PARTNER}")
FILES = ("/", "/dashboard/app.js", "/dashboard/app.css")
READER = ("NATO", "SECRETARIAT")  # signs in to the dashboard
FIRST = ("DE", "ALLY")  # supports each new objective before the matrix is opened
SECOND = ("FR", "ALLY")  # supports it too, timed: the support that makes the overlap
HTTP_SECONDS = 120.0  # a bound for a request that never returns, not a speed test
SETTLE_SECONDS = 0.2  # between live updates, so that one's aftermath is not the next one's

PLAN = """
query ($partners: [String!]) {
  plans(filter: { partners: $partners, statuses: [ACTIVE] }, first: 1) { nodes { id code } }
  aidOverlaps(filter: { partners: $partners }, first: 1) { totalCount }
}
"""
ADD_OBJECTIVE = """
mutation ($input: AddObjectiveInput!) {
  addObjective(input: $input) { objective { id code } userErrors { field message } }
}
"""
REGISTER = """
mutation ($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id } userErrors { field message } }
}
"""

# In the page: the moment Sign in is pressed (the click's own time stamp) and the moment the
# first view is drawn (`main` names its route, counts a draw, and is no longer busy).
ARM_SIGN_IN = """
const record = (window.benchSignIn = {});
document.addEventListener("click", (event) => { record.pressed ??= event.timeStamp; },
  { capture: true, once: true });
new MutationObserver((_, observer) => {
  const main = document.querySelector("main");
  if (main?.dataset.view === "/" && main.dataset.drawn && !main.hasAttribute("aria-busy")) {
    record.drawn = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""
# In the page: changes the address to a view, as a link does, and records when it is drawn.
OPEN_VIEW = """
const [path] = arguments;
const main = document.querySelector("main");
const before = main.dataset.drawn;
const record = (window.benchView = {});
new MutationObserver((_, observer) => {
  if (main.dataset.view === path && main.dataset.drawn !== before
      && !main.hasAttribute("aria-busy")) {
    record.drawn = performance.now();
    observer.disconnect();
  }
}).observe(main, { attributes: true });
record.started = performance.now();
location.hash = "#" + path;
"""
# In the page, before the dashboard opens its WebSocket (when it signs in): the wall-clock moment
# each subscription event arrives (graphql-ws's "next" message), heard before the page's own
# handler runs. Only the live updates are measured with it; the page loads run as shipped.
HEAR_PUSHES = """
const Native = window.WebSocket;
window.benchPushes = [];
window.WebSocket = class extends Native {
  constructor(...given) {
    super(...given);
    this.addEventListener("message", (event) => {
      if (typeof event.data === "string" && event.data.includes('"next"')) {
        window.benchPushes.push(Date.now());
      }
    });
  }
};
"""
# In the page: the wall-clock moment (the machine's clock, as Python's time.time()) a row for
# objective `code` exists in the overlap matrix.
ARM_ROW = """
const [code] = arguments;
const record = (window.benchRow = {});
const present = () => [...document.querySelectorAll("#overlap-matrix tbody th .code")]
  .some((element) => element.textContent === code);
new MutationObserver((_, observer) => {
  if (present()) {
    record.seen = Date.now();
    observer.disconnect();
  }
}).observe(document.getElementById("main"), { subtree: true, childList: true });
"""


@dataclass(frozen=True)
class Server:
    """A served database, and a token for each participant the benchmark acts as."""

    backend: str
    base: str
    tokens: dict[str, str]
    facts: dict[str, str]


@dataclass
class Loads:
    """Page loads of one profile kind: seconds by measure, bytes by file."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    transferred: dict[str, list[int]] = field(default_factory=dict)
    decoded: dict[str, list[int]] = field(default_factory=dict)

    def add(self, measure: str, value: float) -> None:
        self.seconds.setdefault(measure, []).append(value)


@dataclass
class Updates:
    """Live updates, seconds each from the moment the registration is sent."""

    in_dom: list[float] = field(default_factory=list)  # the new row exists in the page
    round_trip: list[float] = field(default_factory=list)  # the registration's answer is read
    pushed: list[float] = field(default_factory=list)  # its event has reached the page


@dataclass
class Measured:
    server: Server
    cold: Loads
    warm: Loads
    updates: Updates
    browser: str


# The server --------------------------------------------------------------------------------


@contextlib.contextmanager
def served(backend: str, env: dict[str, str], scratch: Path, scale: str) -> Iterator[Server]:
    """`migrate`, `seed --scale`, a token for each participant, then `serve` (one worker, the
    settings of `make run`), over the database `env` names."""
    progress(f"{backend}: python -m api migrate, seed --scale {scale}")
    run_command(["migrate"], env)
    run_command(["seed", "--scale", scale], env)
    tokens = {code: issue_token(env, code, role) for code, role in (READER, FIRST, SECOND)}
    database = env.get("DATABASE_URL") or sqlite_url(env)
    counts = asyncio.run(row_counts(make_url(database)))
    facts = {
        "rows": f"{counts['contributions']:,} contributions, {counts['objectives']:,} objectives"
    }
    progress(f"{backend}: python -m api serve")
    with serving_api(env, scratch / f"{backend.lower()}.log") as (base, _process):
        yield Server(backend, base, tokens, facts)


def sqlite_url(env: dict[str, str]) -> str:
    """The embedded database of DATA_DIR, as the service names it."""
    return Settings.from_env(env).database_url


def make_run_environment(scratch: Path) -> dict[str, str]:
    """`make run`'s environment: the embedded database (in DATA_DIR), development settings."""
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env.update({"DATA_DIR": str(scratch / "data"), "ENVIRONMENT": "development"})
    return env


def data(client: httpx.Client, token: str, document: str, variables: dict[str, Any]) -> Any:
    """The data of a request that must succeed, without userErrors in a mutation's payload."""
    response = client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body = response.json() if response.status_code == 200 else {}
    if "data" not in body or body.get("errors"):
        raise BenchmarkError(f"HTTP {response.status_code}: {response.text[:500]}")
    for payload in body["data"].values():
        if isinstance(payload, dict) and payload.get("userErrors"):
            raise BenchmarkError(f"refused: {payload['userErrors']}")
    return body["data"]


def support(objective: str, amount: str) -> dict[str, Any]:
    return {
        "input": {
            "kind": "FUNDING",
            "objectiveId": objective,
            "amount": {"amount": amount, "currency": "EUR"},
            "startsOn": "2026-01-01",
            "endsOn": "2027-12-31",
            "status": "COMMITTED",
        }
    }


# The browser -------------------------------------------------------------------------------


def sign_in(driver: Chrome, server: Server) -> float:
    """Types the reader's token, presses Sign in; seconds until the first view is drawn."""
    token = wait_for(driver, lambda d: d.find_element(By.ID, "token"))
    token.send_keys(server.tokens[READER[0]])
    driver.execute_script(ARM_SIGN_IN)
    driver.find_element(By.ID, "sign-in").click()
    times = wait_for(driver, "window.benchSignIn.drawn && window.benchSignIn")
    return (float(times["drawn"]) - float(times["pressed"])) / 1000


def open_view(driver: Chrome, path: str) -> float:
    """Seconds from the address changing to the view drawn. Polled for, but timed in the page:
    the polling adds nothing to the time."""
    driver.execute_script(OPEN_VIEW, path)
    times = wait_for(driver, "window.benchView.drawn && window.benchView")
    return (float(times["drawn"]) - float(times["started"])) / 1000


def visit(folder: Path, server: Server, loads: Loads | None, problems: list[str]) -> str:
    """One person's visit in a new browser with its profile in `folder`: load `/`, sign in,
    open each of VIEWS; recorded in `loads` (None: not recorded). The browser's version."""
    with browsing(folder) as driver:
        driver.get(server.base + "/")
        navigation = page_load(driver)
        signed_in = sign_in(driver, server)
        opened = [(path, open_view(driver, path)) for path in VIEWS]
        resources = resource_timings(driver)
        errors = console_errors(driver)
        version = str(driver.capabilities.get("browserVersion", "unknown"))
    problems += [f"{server.backend}: console: {entry['message']}" for entry in errors]
    if loads is None:
        return version
    loads.add("/ responseEnd", navigation.response_end / 1000)
    loads.add("/ DOMContentLoaded done", navigation.dom_content_loaded / 1000)
    loads.add("/ load done", navigation.load / 1000)
    loads.add("Sign in pressed → partners drawn", signed_in)
    for path, seconds in opened:
        loads.add(f"#{path} drawn", seconds)
    sizes = {"/": (navigation.transfer_size, navigation.decoded_body_size)}
    for resource in resources:
        sizes.setdefault(
            urlsplit(resource.url).path, (resource.transfer_size, resource.decoded_body_size)
        )
    for name in FILES:
        transferred, decoded = sizes.get(name, (-1, -1))
        loads.transferred.setdefault(name, []).append(transferred)
        loads.decoded.setdefault(name, []).append(decoded)
    return version


def page_loads(
    server: Server, scratch: Path, repeats: int, problems: list[str]
) -> tuple[Loads, Loads, str]:
    """`repeats` visits with a cold profile and as many with a warm one, in turn, so that a
    change in the machine's load falls on both alike. The warm profile is first filled by a
    visit that is not recorded."""
    cold, warm = Loads(), Loads()
    warm_folder = scratch / "warm"
    progress(f"{server.backend}: a first visit to warm a profile")
    version = visit(warm_folder, server, None, problems)
    for index in range(repeats):
        progress(f"{server.backend}: page load {index + 1} of {repeats}, cold and warm profiles")
        cold_folder = scratch / f"cold-{index}"
        visit(cold_folder, server, cold, problems)
        shutil.rmtree(cold_folder, ignore_errors=True)
        visit(warm_folder, server, warm, problems)
    return cold, warm, version


def live_updates(server: Server, scratch: Path, count: int) -> Updates:
    """`count` new overlaps made while the matrix is open, after one not measured (it shows the
    subscription is live end to end); each on an objective of its own that the first ally
    already supports, so that the second ally's support is what makes the overlap."""
    updates = Updates()
    reader, first, second = (server.tokens[code] for code, _ in (READER, FIRST, SECOND))
    with httpx.Client(base_url=server.base, timeout=HTTP_SECONDS) as client:
        found = data(client, reader, PLAN, {"partners": [PARTNER]})
        plans = found["plans"]["nodes"]
        if not plans:
            raise BenchmarkError(f"{PARTNER} has no active plan to add objectives to")
        server.facts[f"{PARTNER}'s overlaps before"] = str(found["aidOverlaps"]["totalCount"])
        progress(
            f"{server.backend}: {count + 1} objectives in {plans[0]['code']}, each supported once"
        )
        objectives = []
        for index in range(count + 1):
            added = data(
                client,
                reader,
                ADD_OBJECTIVE,
                {
                    "input": {
                        "planId": plans[0]["id"],
                        "code": f"BENCH-{index + 1}",
                        "category": "DEFENCE_AND_MILITARY",
                        "title": f"Benchmark objective {index + 1}",
                        "priority": "HIGH",
                        "requirement": {"amount": "300000.00", "currency": "EUR"},
                    }
                },
            )["addObjective"]["objective"]
            data(client, first, REGISTER, support(added["id"], "250000.00"))
            objectives.append(added)
        with browsing(scratch / "live") as driver:
            driver.get(server.base + "/")
            driver.execute_script(HEAR_PUSHES)
            sign_in(driver, server)
            open_view(driver, f"/overlaps/{PARTNER}")
            wait_for(driver, "document.getElementById('connection')?.textContent === 'live'")
            for index, objective in enumerate(objectives):
                progress(
                    f"{server.backend}: live update {index} of {count}"
                    + (" (not measured)" if index == 0 else "")
                )
                driver.execute_script(ARM_ROW, objective["code"])
                heard = int(driver.execute_script("return window.benchPushes.length"))
                sent = time.time()
                data(client, second, REGISTER, support(objective["id"], "120000.00"))
                answered = time.time()
                seen = float(wait_for(driver, "window.benchRow.seen")) / 1000
                # The first event after the registration was sent is its own: nothing else
                # writes meanwhile.
                pushed = float(wait_for(driver, f"window.benchPushes[{heard}]")) / 1000
                if index:
                    updates.in_dom.append(seen - sent)
                    updates.round_trip.append(answered - sent)
                    updates.pushed.append(pushed - sent)
                time.sleep(SETTLE_SECONDS)
    return updates


def measure(
    server: Server, scratch: Path, arguments: argparse.Namespace, problems: list[str]
) -> Measured:
    cold, warm, version = page_loads(server, scratch, arguments.repeats, problems)
    updates = live_updates(server, scratch, arguments.updates)
    return Measured(server, cold, warm, updates, version)


# The report --------------------------------------------------------------------------------


def spread(seconds: Sequence[float]) -> list[str]:
    """p50, p90 and max, in milliseconds (nearest rank)."""
    ordered = sorted(seconds)
    return [milliseconds(percentile(ordered, share)) for share in (0.5, 0.9, 1.0)]


def timings(runs: Sequence[Measured]) -> str:
    headers = ["measure"]
    for run in runs:
        headers += [f"{run.server.backend} p50 ms", "p90 ms", "max ms"]
    rows: list[list[str]] = []
    for profile in ("cold", "warm"):
        for measure_ in getattr(runs[0], profile).seconds:
            rows.append(
                [f"{profile} profile: {measure_}"]
                + [cell for run in runs for cell in spread(getattr(run, profile).seconds[measure_])]
            )
    live: list[tuple[str, Callable[[Updates], list[float]]]] = [
        ("live: registration sent → new row in the DOM", lambda u: u.in_dom),
        ("live: registration sent → its answer read", lambda u: u.round_trip),
        ("live: registration sent → its event in the page", lambda u: u.pushed),
        (
            "live: event in the page → new row in the DOM",
            lambda u: [dom - push for dom, push in zip(u.in_dom, u.pushed, strict=True)],
        ),
    ]
    for name, values in live:
        rows.append([name] + [cell for run in runs for cell in spread(values(run.updates))])
    return table(headers, rows)


def sizes(run: Measured) -> str:
    def median(values: Sequence[int]) -> str:
        middle = percentile(sorted(values), 0.5)
        return "-" if middle is None or middle < 0 else f"{int(middle):,}"

    rows = [
        [
            name,
            median(run.cold.transferred[name]),
            median(run.warm.transferred[name]),
            median(run.cold.decoded[name]),
        ]
        for name in FILES
    ]
    return table(
        ["file", "cold: bytes transferred", "warm: bytes transferred", "bytes (decoded)"], rows
    )


def report(runs: Sequence[Measured], facts: dict[str, str]) -> str:
    lines = [timings(runs), "", sizes(runs[0]), ""]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    for run in runs:
        lines += [
            f"- {run.server.backend} {name}: {value}" for name, value in run.server.facts.items()
        ]
    return "\n".join(lines)


def chromedriver_version(path: str) -> str:
    completed = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip().split(" (")[0] or "unknown"


# Command line ------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dashboard",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help=f"page loads per profile ({REPEATS})"
    )
    parser.add_argument(
        "--updates", type=int, default=UPDATES, help=f"live updates measured ({UPDATES})"
    )
    parser.add_argument(
        "--scale", default=SCALE, help=f"seed --scale, as a first `make run` ({SCALE})"
    )
    parser.add_argument("--postgresql", action="store_true", help="also measure on PostgreSQL")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER,
        help=f"with --postgresql, the server to create the database on; default {DEFAULT_SERVER}",
    )
    parser.add_argument(
        "--database-name",
        default=DEFAULT_DATABASE,
        help=f"with --postgresql, the database to drop and recreate; default {DEFAULT_DATABASE}",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases, server logs and profiles"
    )
    arguments = parser.parse_args(argv)
    if arguments.repeats < 1 or arguments.updates < 1:
        parser.error("--repeats and --updates must be 1 or more")
    if not IDENTIFIER.fullmatch(arguments.database_name):
        parser.error("--database-name must be a lower-case SQL identifier")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    try:
        _chromium, chromedriver = chromium_paths()
    except ChromiumMissing as missing:
        print(
            f"bench: {missing} not installed (apt-get install chromium chromium-driver)",
            file=sys.stderr,
        )
        return 2
    problems: list[str] = []
    started_load = load_average()
    scratch = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    runs: list[Measured] = []
    fresh = None
    try:
        env = make_run_environment(scratch)
        with served("SQLite", env, scratch, arguments.scale) as server:
            runs.append(measure(server, scratch / "sqlite", arguments, problems))
        if arguments.postgresql:
            fresh = fresh_database(arguments.database_url, arguments.database_name)
            env = {**env, "DATABASE_URL": render(fresh.database)}
            with served("PostgreSQL", env, scratch, arguments.scale) as server:
                server.facts["version"] = fresh.version
                runs.append(measure(server, scratch / "postgresql", arguments, problems))
        facts = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_commit(),
            "data": f"seed --scale {arguments.scale} (what a first `make run` loads)",
            "server": "python -m api serve, one worker, ENVIRONMENT=development (as `make run`)",
            "browser": f"Chromium {runs[0].browser} headless, "
            f"{chromedriver_version(chromedriver)}, {WIDTH} by {HEIGHT}; signed in as "
            f"{READER[0]} ({READER[1]})",
            "repetitions": f"{arguments.repeats} page loads per profile (cold: a new profile each "
            f"time; warm: one profile, filled by a visit first, a new browser each time); "
            f"{arguments.updates} live updates after one not measured, {SECOND[0]} ({SECOND[1]}) "
            f"supporting an objective {FIRST[0]} ({FIRST[1]}) supports",
            "Python": platform.python_version(),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs "
            "(browser, client and server share it)",
            "load average": f"at the start {started_load}; at the end {load_average()}",
        }
        print(report(runs, facts))
    # AssertionError: the harness's wait_for waited in vain (its message says for what).
    except (BenchmarkError, AssertionError, WebDriverException, httpx.HTTPError) as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    finally:
        if fresh is not None:
            release_database(fresh, arguments.keep)
        if arguments.keep:
            progress(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return exit_code(problems)


if __name__ == "__main__":
    sys.exit(main())
