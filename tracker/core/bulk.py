"""Process-wide speed switches for bulk work, taken only in a process that does nothing else.

A 10,000-contribution statement creates some 100,000 tuples, rows and strings, none of
them in a reference cycle; the collector's repeated passes over them (and over everything
else the process holds) were a third of the time. A 100,000-row import makes millions,
and the passes were a tenth of it. Reference counting still frees them; the collector
runs again as soon as the last such block in the process is done.

The collector and the interpreter's switch interval belong to the whole process: in a web
worker, turning them for one request changes them for every other request it serves. So
they are taken only in a process that declared itself dedicated (`dedicated_process`): a
CLI command, and the process an import page's job runs in; elsewhere the blocks are no-ops.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False
_dedicated = False


@contextmanager
def dedicated_process() -> Iterator[None]:
    """For the block, this process runs one bulk job and serves nobody else (a CLI command, an import's process)."""
    global _dedicated
    before, _dedicated = _dedicated, True
    try:
        yield
    finally:
        _dedicated = before


def may_switch_process_wide() -> bool:
    """Whether process-wide switches may be taken: only in a dedicated process, never in a worker serving others."""
    return _dedicated


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block in a dedicated process; nested and concurrent blocks share one pause."""
    global _active, _was_enabled
    if not may_switch_process_wide():
        yield
        return
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
