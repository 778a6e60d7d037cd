"""SQLite writers queue on a lock file beside the database, so the next one starts as soon as the last commits.

SQLite lets one writer in at a time. Without a queue, a writer that finds the lock taken
sleeps in SQLite's busy handler with a growing back-off (1, 2, 5, 10 … 100 ms) and
looks again, so under load a write waits far longer than the one before it took:
the tail latency of concurrent writes came from those sleeps, not from the work. Every
writing transaction of `make_engine` first takes an exclusive `flock` on
`<database>-writer` (processes and threads alike, each with a file description of its own),
looking again every fraction of a millisecond, and lets it go the moment its COMMIT or
ROLLBACK has returned. The lock only orders writers; SQLite's own lock still guards the
data, so a writer that cannot get the file lock in time goes on to BEGIN IMMEDIATE and
SQLite's busy timeout decides, as before.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

import sqlalchemy as sa

WAIT_SECONDS = 5.0  # then SQLite's own busy_timeout takes over
FIRST_PAUSE = 0.0002
LONGEST_PAUSE = 0.002


def lock_path(url: str) -> str | None:
    """The lock file of a SQLite database file; None for an in-memory database."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return f"{database}-writer"


class WriterQueue:
    """The lock file's holders: at most one writing transaction across every process at a time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.held: dict[int, int] = {}  # id of a DBAPI connection -> the descriptor holding the lock for it

    def enter(self, dbapi_connection: Any) -> None:
        """Wait for the lock (at most WAIT_SECONDS) on behalf of this connection's transaction."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + WAIT_SECONDS
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(descriptor)
                    return  # SQLite's busy timeout decides
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            self.held[id(dbapi_connection)] = descriptor
            return

    def leave(self, dbapi_connection: Any) -> None:
        """Let the next writer in (closing the descriptor drops its lock)."""
        descriptor = self.held.pop(id(dbapi_connection), None)
        if descriptor is not None:
            os.close(descriptor)


def raw(connection: Any) -> Any:
    """The DBAPI connection under a pool's proxy."""
    return getattr(connection, "dbapi_connection", connection)


def install(engine: sa.Engine, queue: WriterQueue) -> None:
    """Release the lock right after the engine's COMMIT or ROLLBACK (SQLAlchemy's events fire before them),
    or when a connection is closed (invalidated) in between."""
    dialect = engine.dialect
    commit, rollback, close = dialect.do_commit, dialect.do_rollback, dialect.do_close

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            queue.leave(raw(dbapi_connection))

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            queue.leave(raw(dbapi_connection))

    def do_close(dbapi_connection: Any) -> None:
        try:
            close(dbapi_connection)
        finally:
            queue.leave(raw(dbapi_connection))

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_close = do_close  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
