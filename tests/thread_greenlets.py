"""Keeps each thread's main greenlet alive after the thread ends, so that it is never freed inside
one of Python's pending calls, where a traced process can spin forever.

How the spin comes about, under the suite's coverage (greenlet and thread concurrency):
1. Coverage's tracer runs in every thread and asks greenlet for the current greenlet on every
   call and return. In a thread that has no greenlets of its own (aiosqlite's, asyncio's
   executor's) that creates greenlet's state for the thread and its main greenlet, and coverage
   keeps a weak reference, with a Python callback, to that greenlet.
2. When the thread ends, greenlet frees its state later, in a pending call run by the main
   thread. Freeing the thread's main greenlet runs coverage's callback: Python code, inside a
   pending call.
3. If another thread ends meanwhile, a second pending call is signalled while the first is still
   running. Python 3.11, when tracing, checks for pending calls at the start of the callback's
   frame and, finding one signalled, goes back to that same check instead of going on; it cannot
   run the new call while the first is running, so the signal stays. The worker spins at 100% CPU
   until the test's timeout ends it.

With the strong reference taken here, releasing the thread's state does not free its main
greenlet, so no Python runs in the pending call. It costs about 300 bytes per thread a worker
ever started. `tests/test_suite_hygiene.py` shows the spin, and that this prevents it.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import greenlet

_kept: list[greenlet.greenlet] = []


def _keep_main_greenlet(*_event: Any) -> None:
    # Runs once, at the first call in a new thread: that greenlet is the thread's main one.
    _kept.append(greenlet.getcurrent())
    sys.setprofile(None)


def keep_main_greenlets() -> None:
    """From now on, every thread started through `threading` keeps its main greenlet alive."""
    threading.setprofile(_keep_main_greenlet)
