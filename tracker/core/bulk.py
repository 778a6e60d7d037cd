"""Pausing Python's cycle collector while a report or an import makes hundreds of thousands of objects.

A 10,000-contribution statement creates some 100,000 tuples, rows and strings, none of
them in a reference cycle; the collector's repeated passes over them (and over everything
else the process holds) were a third of the time. A 100,000-row import makes millions,
and the passes were a tenth of it. Reference counting still frees them; the collector
runs again as soon as the last such block in the process is done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block; nested and concurrent blocks share one pause."""
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
