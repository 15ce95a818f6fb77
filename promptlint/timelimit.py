"""A time budget per file: the last guard against an input that makes analysis run away.

Every pattern that runs over a user's bytes is written to take linear time (see the comments
at each one), but a file that still takes longer than the budget is skipped with one line
(``path: skipped after N s (please report)``) while the run goes on. The budget is a real-time
timer (``SIGALRM``), so it works in this process and in each worker of the process pool (each
runs its files in its main thread). Where there is no such timer (Windows) or outside the main
thread, files run without a budget. Python checks the timer between bytecodes: a single long
call into native code (libcst's parser) ends before the file is skipped.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

DEFAULT_SECONDS = 60.0  # a 100,000-line module takes about 15 s to parse: well inside


class FileTimeout(Exception):
    """A file's analysis went past its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"skipped after {seconds:g} s (please report)")
        self.seconds = seconds


def _available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`FileTimeout` in the block once ``seconds`` have passed (none: no limit).
    Nested budgets are not supported: an inner one replaces the outer one."""
    if not seconds or seconds <= 0 or not _available():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise FileTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
