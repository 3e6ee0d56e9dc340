"""Keeps greenlet from running Python code inside one of Python's pending calls when a thread ends,
where a traced process can spin for ever.

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
greenlet, so coverage's callback does not run there (about 300 bytes per thread a worker ever
started). greenlet's optional search for a main greenlet lost on a stack, which would then run, is
turned off. `tests/test_suite_hygiene.py` shows the spin, and that this prevents it.
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
    """From now on, every thread started through `threading` keeps its main greenlet alive, and
    greenlet's release of a thread's state runs no Python."""
    threading.setprofile(_keep_main_greenlet)
    # Kept alive, a main greenlet looks to greenlet like one lost on the thread's stack, which it
    # would look for with gc.get_referrers (Python, and a walk of every object) in the same
    # pending call: this turns that optional search off.
    greenlet._greenlet.enable_optional_cleanup(False)
