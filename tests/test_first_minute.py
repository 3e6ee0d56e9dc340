"""The first minute of a new user: `make run` says what it does and serves where it is asked to,
`--help` explains every option, and GraphiQL opens signed in on this machine (in development,
on the embedded database) while no other client, and no production page, ever gets a token."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from api.app import create_app
from api.cli import build_parser, prepare_embedded
from api.graphiql import PLACEHOLDER, render
from api.settings import Settings
from tests.conftest import Databases, served
from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
START_SECONDS = 180  # bounds for a server or browser that never gets there, not speed tests
PAGE_SECONDS = 60
VIEWER = "{ viewer { role participant { code } } }"


def _help(*command: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "api", *command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=True,
    )
    return completed.stdout


def test_serve_help_describes_each_option_with_its_default() -> None:
    text = " ".join(_help("serve").split())

    for option, default in (("--host", "127.0.0.1"), ("--port", "8000"), ("--workers", "1")):
        described = re.search(rf"{option} \S+ (.+?)\(default: {re.escape(default)}\)", text)
        assert described and described.group(1).strip(), (option, text)


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from _commands(command, (*path, name))


def test_every_option_of_every_command_is_described() -> None:
    commands = list(_commands(build_parser()))
    undescribed = [
        (" ".join(path), action.dest)
        for path, parser in commands
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not (action.help or "").strip()
    ]

    assert len(commands) == 8  # python -m api, serve, migrate, seed, token, and token's three

    assert undescribed == []


def test_top_level_help_names_every_environment_setting() -> None:
    read: set[str] = set()

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:
            read.add(key)
            return super().get(key, default)

    Settings.from_env(Recording())
    text = _help()

    assert read and {name for name in read if name not in text} == set()


def test_make_run_takes_port_and_host_from_its_command_line_only() -> None:
    def planned(*arguments: str, **environment: str) -> str:
        env = {**_make_environment(), **environment}
        return subprocess.run(
            ["make", "-n", "-o", ".venv/.installed", "run", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=START_SECONDS,
        ).stdout

    assert "api serve --host '127.0.0.1' --port '8000'" in planned(PORT="9999", HOST="0.0.0.0")
    assert "api serve --host '::1' --port '8001'" in planned("PORT=8001", "HOST=::1")


def _make_environment() -> dict[str, str]:
    """This environment, without what an enclosing `make test` passes down to its children."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "DATABASE_URL"}
    return {name: value for name, value in os.environ.items() if name not in drop}


FIRST_START_STEPS = [
    "First start",
    "creating the database",
    "loading reference data",
    "generating the demo data set",
    "tallying",
    "issuing the development secretariat token",
    "Development secretariat token",
]


@pytest.mark.skipif(not VENV_PYTHON.exists(), reason="`make run` serves from .venv")
async def test_make_run_says_what_it_prepares_then_serves_on_the_port_given(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        **_make_environment(),
        "DATA_DIR": str(tmp_path / "data"),
        "DEMO_SCALE": "0.002",  # the generator runs, on a few dozen rows
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    # -o: the venv counts as installed even when pyproject.toml is newer than it, so this test
    # never reinstalls the packages other tests are running from.
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={port}"]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # make and the server it starts, stopped together below
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        async with asyncio.timeout(START_SECONDS):
            while not any("Uvicorn running on" in line for line in lines):
                line = await process.stdout.readline()
                assert line, "make run ended:\n" + "".join(lines)
                lines.append(line.decode())
        token = (tmp_path / "data" / "secretariat.token").read_text().strip()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            answer = await client.post(
                "/graphql", json={"query": VIEWER}, headers={"authorization": f"Bearer {token}"}
            )
            page = await client.get("/graphql", headers={"accept": "text/html"})
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()

    output = "".join(lines)
    places = [output.find(step) for step in FIRST_START_STEPS]
    assert -1 not in places and places == sorted(places), output
    serving = output.find(f"http://127.0.0.1:{port}/graphql")
    assert places[-1] < serving < output.find("Uvicorn running on"), output
    assert "GraphiQL" in output[serving:]
    assert answer.json()["data"] == {
        "viewer": {"role": "SECRETARIAT", "participant": {"code": "NATO"}}
    }
    assert token in page.text  # the page, asked for from this machine, comes signed in


def test_progress_leaves_stdout_to_results(tmp_path: Path) -> None:
    """Scripts read stdout: `TOKEN=$(python -m api token issue …)` holds the token alone, and
    `seed` reports its time, while the steps of setting up the embedded database go to stderr."""
    env = {**_make_environment(), "DATA_DIR": str(tmp_path), "DEMO_SCALE": "0"}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=START_SECONDS,
            check=True,
        )

    seeded = run("seed")
    issued = run("token", "issue", "--participant", "DE", "--role", "ALLY")

    assert re.fullmatch(r"seeded in [0-9.]+ s\n", seeded.stdout), seeded.stdout
    assert "creating the database" in seeded.stderr
    assert "loading reference data" in seeded.stderr
    assert re.fullmatch(r"pca_\S+\n", issued.stdout), issued.stdout


# GraphiQL's page, over ASGI with the client address and Host a test chooses.


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    """An embedded database as a first `serve` leaves it (without the demo data), and its token."""
    folder = tmp_path_factory.mktemp("embedded")
    environ = {"DATA_DIR": str(folder), "DEMO_SCALE": "0", "ENVIRONMENT": "development"}
    settings = Settings.from_env(environ)
    prepare_embedded(settings, demo=True)
    return settings, (folder / "secretariat.token").read_text().strip()


@contextlib.asynccontextmanager
async def page_client(settings: Settings, client: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(client, 54321))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await app.state.database.dispose()


async def _page(settings: Settings, client: str, host: str) -> httpx.Response:
    async with page_client(settings, client) as http:
        return await http.get("/graphql", headers={"accept": "text/html", "host": host})


def _options(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="graphiql-options" type="application/json">(.*?)</script>', page)
    assert found, page
    options: dict[str, Any] = json.loads(found.group(1))
    return options


LOOPBACK = [
    ("127.0.0.1", "127.0.0.1:8000"),
    ("127.0.0.1", "localhost:8000"),
    ("127.9.8.7", "localhost"),
    ("::1", "[::1]:8000"),
    ("::ffff:127.0.0.1", "app.localhost:8000"),
]


@pytest.mark.parametrize(("client", "host"), LOOPBACK)
async def test_graphiql_comes_signed_in_for_this_machine_in_development(
    embedded: tuple[Settings, str], client: str, host: str
) -> None:
    settings, token = embedded

    page = await _page(settings, client, host)

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert json.loads(_options(page.text)["headers"]) == {"Authorization": f"Bearer {token}"}


ELSEWHERE = [
    ("10.1.2.3", "127.0.0.1:8000"),  # another machine
    ("192.168.0.7", "localhost:8000"),
    ("::ffff:10.0.0.1", "localhost"),
    ("2001:db8::1", "[::1]:8000"),
    ("127.0.0.1", "example.org:8000"),  # a site whose name was rebound to this machine
    ("127.0.0.1", "127.0.0.1.example.org"),
    ("127.0.0.1", "localhost.example.org:8000"),
    ("::1", "[2001:db8::1]:8000"),
    ("127.0.0.1", ""),
]


@pytest.mark.parametrize(("client", "host"), ELSEWHERE)
async def test_graphiql_never_carries_a_token_beyond_this_machine(
    embedded: tuple[Settings, str], client: str, host: str
) -> None:
    settings, token = embedded

    page = await _page(settings, client, host)

    assert token not in page.text
    assert page.headers["cache-control"] == "no-store"
    options = _options(page.text)
    assert json.loads(options["headers"]) == {"Authorization": f"Bearer {PLACEHOLDER}"}
    assert "python -m api token issue" in options["hint"]


async def test_no_page_and_no_token_in_production(embedded: tuple[Settings, str]) -> None:
    settings, token = embedded
    production = Settings(
        database_url=settings.database_url, embedded=True, environment="production"
    )

    async with page_client(production, "127.0.0.1") as http:
        answers = [
            await http.get("/graphql", headers={"accept": accept, "host": "localhost"})
            for accept in ("text/html", "text/html,application/json", "*/*")
        ]

    assert all(token not in answer.text and "GraphiQL" not in answer.text for answer in answers)


async def test_a_token_that_no_longer_opens_the_database_is_not_offered(
    embedded: tuple[Settings, str], tmp_path: Path
) -> None:
    settings, token = embedded
    elsewhere = tmp_path / "coordination.sqlite3"
    shutil.copy(_database_file(settings), elsewhere)
    stale = "pca_" + "x" * 43  # the file of an older database, beside this one
    (tmp_path / "secretariat.token").write_text(stale + "\n")
    moved = Settings(
        database_url=f"sqlite+aiosqlite:///{elsewhere}", embedded=True, environment="development"
    )

    page = await _page(moved, "127.0.0.1", "localhost")

    assert stale not in page.text and token not in page.text
    assert json.loads(_options(page.text)["headers"]) == {"Authorization": f"Bearer {PLACEHOLDER}"}


def _database_file(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite+aiosqlite:///"))


async def test_a_database_that_was_given_never_has_its_token_offered(
    databases: Databases, embedded: tuple[Settings, str]
) -> None:
    """On PostgreSQL, or an SQLite file named by DATABASE_URL, tokens are the operators' business,
    even with a token file lying beside the database."""
    url = await databases.new_url()
    _, token = embedded
    if databases.backend == "sqlite":
        (databases.folder / "secretariat.token").write_text(token)
    given = Settings(database_url=url, embedded=False, environment="development")

    page = await _page(given, "127.0.0.1", "localhost")

    assert token not in page.text
    assert json.loads(_options(page.text)["headers"]) == {"Authorization": f"Bearer {PLACEHOLDER}"}


@pytest.mark.parametrize(
    "token",
    [
        'pca_</script><script>alert("x")</script>',
        "pca_<!--<script>",
        "pca_\u2028\u2029&amp;'\"\\",
    ],
)
def test_the_embedded_token_cannot_break_out_of_its_script_element(token: str) -> None:
    page = render(token)

    block = re.search(r'<script id="graphiql-options" type="application/json">(.*?)</script>', page)
    assert block is not None
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert json.loads(_options(page)["headers"]) == {"Authorization": f"Bearer {token}"}
    assert page.count("<script") == render(None).count("<script")


# A real browser: headless Chromium, driven over the DevTools protocol.


class DevTools:
    """Just enough of the Chrome DevTools protocol: commands, their answers, and events."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            waiting = self.pending.pop(message.get("id", -1), None)
            if waiting is None:
                self.events.append(message)
            elif "error" in message:
                waiting.set_exception(AssertionError(message["error"]))
            else:
                waiting.set_result(message.get("result", {}))

    async def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        number = next(self.ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        answer = self.pending[number] = asyncio.get_running_loop().create_future()
        await self.socket.send(json.dumps(message))
        # Longer than `until` polls, so that a condition never met reports itself as such.
        return await asyncio.wait_for(answer, PAGE_SECONDS + 60)

    async def evaluate(self, session: str, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    async def until(self, session: str, condition: str) -> Any:
        """The value of the JavaScript `condition` once it is truthy, polled in the page for at
        most PAGE_SECONDS (then null)."""
        return await self.evaluate(
            session,
            f"""(async () => {{
              const deadline = Date.now() + {PAGE_SECONDS * 1000};
              while (Date.now() < deadline) {{
                let value = null;
                try {{ value = {condition}; }} catch {{}}
                if (value) return value;
                await new Promise((resolve) => setTimeout(resolve, 100));
              }}
              return null;
            }})()""",
        )

    async def open(self, url: str) -> str:
        """A new tab at `url`, in a browser context of its own (its own storage); its session."""
        context = (await self.call("Target.createBrowserContext"))["browserContextId"]
        target = await self.call(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context}
        )
        attached = await self.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        session = str(attached["sessionId"])
        await self.call("Network.enable", session=session)
        await self.call("Page.navigate", {"url": url}, session)
        return session

    def requested(self) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event.get("method") == "Network.requestWillBeSent"
        ]


@contextlib.asynccontextmanager
async def chromium(tmp_path: Path, *arguments: str) -> AsyncIterator[DevTools]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,900",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--remote-debugging-port=0",
        *arguments,
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        async with asyncio.timeout(START_SECONDS):
            while True:
                line = (await process.stderr.readline()).decode()
                assert line, "chromium exited"
                if found := re.search(r"DevTools listening on (ws://\S+)", line):
                    break
        # Keep reading its chatter, so a full pipe never stalls it.
        drain = asyncio.create_task(process.stderr.read())
        async with websockets.connect(found.group(1), max_size=None) as socket:
            tools = DevTools(socket)
            yield tools
            tools.reader.cancel()
        drain.cancel()
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


# In the page: GraphiQL's editors are CodeMirror 5 instances.
HEADERS = """[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
  .map((editor) => editor.CodeMirror.getValue()).find((text) => text.includes('Authorization'))"""
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
DOCS = "document.querySelector('.graphiql-doc-explorer')"
SCHEMA_SHOWN = f"{DOCS} && {DOCS}.innerText.includes('Root Types') && {DOCS}.innerText"
OPEN_DOCS = "document.querySelector('[aria-label=\"Show Documentation Explorer\"]').click() || 1"
RUN = "document.querySelector('.graphiql-execute-button').click() || 1"
HINT = "document.getElementById('hint').innerText"
SELECT_HEADERS = """(() => {
  const editor = [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
    .find((element) => element.CodeMirror.getValue().includes('Authorization')).CodeMirror;
  editor.focus();
  editor.execCommand('selectAll');
  return 1;
})()"""


async def test_graphiql_in_a_browser_opens_signed_in_and_follows_a_pasted_token(
    embedded: tuple[Settings, str], tmp_path: Path
) -> None:
    settings, token = embedded
    app = create_app(settings)
    # graphiql.test resolves to this machine but is no loopback name: the page that a site
    # rebound to this machine would get, as another machine would.
    try:
        async with (
            served(app) as address,
            chromium(tmp_path, "--host-resolver-rules=MAP graphiql.test 127.0.0.1") as browser,
        ):
            port = address.rpartition(":")[2]
            here = await browser.open(f"http://127.0.0.1:{port}/graphql")

            headers = await browser.until(here, HEADERS)
            assert headers and f"Bearer {token}" in headers
            assert "Signed in" in await browser.evaluate(here, HINT)
            await browser.evaluate(here, OPEN_DOCS)
            schema = await browser.until(here, SCHEMA_SHOWN)
            assert schema and "query: Query" in " ".join(schema.split())
            await browser.evaluate(here, RUN)
            response = await browser.until(here, f"{RESPONSE}.includes('totalCount') && {RESPONSE}")
            assert response and '"partners"' in response and "UNAUTHENTICATED" not in response

            away = await browser.open(f"http://graphiql.test:{port}/graphql")
            placeholder = await browser.until(away, HEADERS)
            assert placeholder and PLACEHOLDER in placeholder
            assert token not in await browser.evaluate(away, "document.documentElement.outerHTML")
            assert "python -m api token issue" in await browser.evaluate(away, HINT)
            await browser.evaluate(away, OPEN_DOCS)
            assert await browser.until(away, f"{RESPONSE}.includes('UNAUTHENTICATED')")
            # Paste a token over the header, as a user would; nobody asks for a re-fetch.
            await browser.evaluate(away, SELECT_HEADERS)
            pasted = json.dumps({"Authorization": f"Bearer {token}"})
            await browser.call("Input.insertText", {"text": pasted}, away)
            assert await browser.until(away, SCHEMA_SHOWN), "the docs ignored the pasted token"

            requested = browser.requested()
            local = (f"http://127.0.0.1:{port}/", f"http://graphiql.test:{port}/", "data:")
            assert requested and [url for url in requested if not url.startswith(local)] == []
    finally:
        await app.state.database.dispose()


@pytest.mark.parametrize("command", [["seed", "--scale", "0"], ["token", "list"]])
def test_a_given_database_not_yet_migrated_is_named_not_traced(
    tmp_path: Path, command: list[str]
) -> None:
    """DATABASE_URL is the operator's database, migrated when they say: a command that needs its
    schema says what to run, and writes nothing."""
    database = tmp_path / "given.sqlite3"
    env = {**_make_environment(), "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    ran = subprocess.run(
        [sys.executable, "-m", "api", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr
    assert "schema is not current" in ran.stderr
    assert "python -m api migrate" in ran.stderr
