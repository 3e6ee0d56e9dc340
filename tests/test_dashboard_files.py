"""The dashboard's files as the server gives them: the committed build is exactly what web/src
builds to, the page's policy keeps every request on this server, and nothing it needs is
fetched from anywhere else."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.dashboard import FILES
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
BUILD_SECONDS = 120  # a bound for a build that hangs, not a speed test


def node() -> str:
    """`node` with web's build tools. Missing, CI fails and elsewhere the test skips."""
    found = shutil.which("node")
    if found is None:
        problem = "Node.js (`node`, 20 or later) is not installed: the dashboard's build needs it"
    elif not (WEB / "node_modules" / "esbuild" / "package.json").is_file():
        problem = "web/node_modules is missing: `make test` installs it (npm ci)"
    else:
        return found
    if os.environ.get("CI"):
        pytest.fail(problem, pytrace=False)
    pytest.skip(problem)


def test_the_committed_build_is_what_the_sources_build_to(tmp_path: Path) -> None:
    subprocess.run(
        [node(), str(WEB / "build.mjs"), str(tmp_path)],
        cwd=WEB,
        check=True,
        timeout=BUILD_SECONDS,
        capture_output=True,
    )

    for name in ("app.js", "app.css"):
        built = (tmp_path / name).read_bytes()
        assert built == (FILES / name).read_bytes(), f"{name} is stale: run `make dashboard`"


def test_the_build_loads_nothing_from_elsewhere() -> None:
    page = (FILES / "index.html").read_text()
    script = (FILES / "app.js").read_text()
    style = (FILES / "app.css").read_text()

    # The page's own references are all to this server.
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "data:,",
        "/dashboard/app.css",
        "/dashboard/app.js",
        "/graphql",
    ]
    assert "url(" not in style and "@import" not in style
    # No absolute address is written into the code it runs (the graphql-ws client is given
    # this page's own host); comments may cite their sources.
    code = [line for line in script.splitlines() if not line.lstrip().startswith(("//", "/*", "*"))]
    assert [line for line in code if re.search(r"\b(?:https?|wss?)://", line)] == []


@pytest.fixture
async def client(tmp_path: Path) -> httpx.AsyncClient:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    transport = httpx.ASGITransport(app=create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://dashboard.test")


async def test_the_page_is_served_at_the_root_with_a_policy_that_keeps_it_here(
    client: httpx.AsyncClient,
) -> None:
    async with client:
        page = await client.get("/")
        script = await client.get("/dashboard/app.js")
        style = await client.get("/dashboard/app.css")
        head = await client.head("/")

    assert page.status_code == 200 and head.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert {policy[name] for name in ("script-src", "style-src", "connect-src")} == {"'self'"}
    assert policy["frame-ancestors"] == "'none'"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert script.headers["cache-control"] == "no-cache"


async def test_the_page_needs_no_token_and_carries_none(client: httpx.AsyncClient) -> None:
    # The token is what a person pastes; the page itself is public and holds no secret.
    async with client:
        page = await client.get("/")

    assert page.status_code == 200
    assert "pca_" not in page.text and "Bearer" not in page.text
