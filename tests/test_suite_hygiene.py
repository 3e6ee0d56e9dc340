"""The suite's own configuration: a stuck test fails on its own and the run goes on, and SQLite
writers are served in the order they asked."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from store.database import Database

CHECKOUT = Path(__file__).resolve().parent.parent

STUCK = """
import asyncio

async def test_stuck() -> None:
    await asyncio.Event().wait()

async def test_after_the_stuck_one() -> None:
    await asyncio.sleep(0)
"""


def test_a_stuck_test_fails_on_its_timeout_and_the_run_goes_on(tmp_path: Path) -> None:
    # Given a test that never finishes, under the project's own pytest configuration
    (tmp_path / "test_stuck.py").write_text(STUCK)
    command = [
        sys.executable, "-m", "pytest", "-c", str(CHECKOUT / "pyproject.toml"),
        "--rootdir", str(tmp_path), "-o", "timeout=2", "-p", "no:cacheprovider", "-q",
        str(tmp_path / "test_stuck.py"),
    ]  # fmt: skip

    # When the suite runs it (bounded here, so that a hang fails this test instead)
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("a stuck test hung the run instead of failing on its timeout")

    # Then that test fails on the timeout, and the next one still runs and passes
    assert "Timeout" in run.stdout, run.stdout
    assert "1 failed, 1 passed" in run.stdout, run.stdout


async def test_sqlite_writers_take_turns_in_the_order_they_asked(tmp_path: Path) -> None:
    # Given a writer holding SQLite's one write turn, and others arriving one after another
    database = Database.open(f"sqlite+aiosqlite:///{tmp_path / 'turns.sqlite3'}")
    served: list[int] = []
    inside = 0

    entered, release = asyncio.Event(), asyncio.Event()

    async def write(n: int) -> None:
        nonlocal inside
        async with database.writing():
            inside += 1
            assert inside == 1, "two writers at once"
            served.append(n)
            if n == 0:
                entered.set()
                await release.wait()
            inside -= 1

    try:
        first = asyncio.create_task(write(0))
        await entered.wait()
        waiting = []
        for n in range(1, 21):
            waiting.append(asyncio.create_task(write(n)))
            await asyncio.sleep(0)  # each one asks before the next

        # When the first writer finishes
        release.set()
        await asyncio.gather(first, *waiting)

        # Then every other writer was served once, alone, first come first served
        assert served == list(range(21))
    finally:
        await database.dispose()
