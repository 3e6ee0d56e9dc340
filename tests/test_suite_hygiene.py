"""The suite's own configuration: a stuck test fails on its own and the run goes on, a traced
worker does not spin when its threads end, and SQLite writers are served in the order they
asked."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from store.database import Database

CHECKOUT = Path(__file__).resolve().parent.parent

STUCK = """
import asyncio

import pytest


@pytest.fixture
async def stubborn():
    yield
    await asyncio.Event().wait()


async def test_stuck() -> None:
    await asyncio.Event().wait()


async def test_stuck_in_teardown(stubborn: None) -> None:
    pass


async def test_after_the_stuck_ones() -> None:
    await asyncio.sleep(0)
"""


def test_the_stacks_are_shown_before_a_stuck_test_is_ended() -> None:
    settings = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["tool"]["pytest"]
    options = settings["ini_options"]
    assert 0 < float(options["faulthandler_timeout"]) < float(options["timeout"])


def test_a_stuck_test_fails_on_its_timeout_and_the_run_goes_on(tmp_path: Path) -> None:
    # Given tests that never finish, in their body or in their tear-down, under the project's
    # own pytest configuration and on workers as `make pytest` runs them
    (tmp_path / "test_stuck.py").write_text(STUCK)
    command = [
        sys.executable, "-m", "pytest", "-c", str(CHECKOUT / "pyproject.toml"),
        "--rootdir", str(tmp_path), "-o", "timeout=4", "-o", "faulthandler_timeout=2",
        "-p", "no:cacheprovider", "-v",
        "-n", "2", str(tmp_path / "test_stuck.py"),
    ]  # fmt: skip

    # When the suite runs them (bounded here, so that a hang fails this test instead)
    try:
        run = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a stuck test hung the run instead of failing on its timeout")

    # Then each fails on the timeout, named, after the stacks of its threads, and the other test
    # still runs and passes
    assert re.search(r"Timeout \(0:00:02\)!\nThread .*most recent call first", run.stderr)
    assert "FAILED test_stuck.py::test_stuck " in run.stdout, run.stdout
    assert "FAILED test_stuck.py::test_stuck_in_teardown " in run.stdout, run.stdout
    assert "PASSED test_stuck.py::test_after_the_stuck_ones" in run.stdout, run.stdout
    assert run.returncode == 1, run.stdout


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


# Two threads with greenlet state end one after the other while the main thread is traced; a
# weak reference's Python callback, as coverage keeps one, watches the first one's main greenlet.
THREADS_END = """
import queue
import sys
import threading
import weakref

import greenlet

from tests.thread_greenlets import keep_main_greenlets

if sys.argv[1] == "keep":
    keep_main_greenlets()


def thread_with_greenlets(started, leave):
    started.put(greenlet.getcurrent())
    leave.wait()


def start():
    started, leave = queue.Queue(), threading.Event()
    thread = threading.Thread(target=thread_with_greenlets, args=(started, leave), daemon=True)
    thread.start()
    return thread, started.get(), leave


first, first_main, first_leave = start()
second, second_main, second_leave = start()


def freed(_reference):
    # Runs where the first thread's main greenlet is freed: the second thread ends meanwhile.
    second_leave.set()
    second.join()
    total = 0
    for number in range(10):
        total += number


watch = weakref.ref(first_main, freed)
del first_main, second_main
sys.settrace(lambda *_: None)
first_leave.set()
first.join()


def step(number):
    return number


for number in range(200_000):
    step(number)
sys.settrace(None)
print("finished")
"""


def _threads_end(how: str, timeout: float) -> subprocess.CompletedProcess[str] | None:
    """The scenario above in a fresh process, or None if it did not finish within `timeout`."""
    try:
        return subprocess.run(
            [sys.executable, "-c", THREADS_END, how],
            cwd=CHECKOUT, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None


def test_the_suite_keeps_every_threads_main_greenlet() -> None:
    # The workers that run this suite install the hook (tests/conftest.py).
    from tests.thread_greenlets import _keep_main_greenlet

    assert threading.getprofile() is _keep_main_greenlet


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the spin is Python 3.11's")
def test_without_the_kept_greenlets_a_traced_process_spins_when_threads_end() -> None:
    # Given the scenario without the hook: the second thread's end races with the callback, and
    # about one run in eight finishes, so up to five tries, stopping at the first that spins
    # (it stays at 100% CPU until its timeout stops it)
    outcomes = []
    for _ in range(5):
        outcomes.append(_threads_end("free", timeout=5))
        if outcomes[-1] is None:
            break

    # Then one never finishes
    assert outcomes[-1] is None, [outcome.stdout for outcome in outcomes if outcome]


def test_with_the_kept_greenlets_a_traced_process_goes_on_when_threads_end() -> None:
    # Given the same scenario with the hook the suite installs, tried three times
    for _ in range(3):
        # When it runs (bounded, so that a spin fails this test instead of hanging it)
        outcome = _threads_end("keep", timeout=120)

        # Then it finishes
        assert outcome is not None, "the traced process spun when its threads ended"
        assert outcome.returncode == 0 and outcome.stdout == "finished\n", outcome.stderr
