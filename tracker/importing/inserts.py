"""Running a bulk import's inserts: on SQLite beside the building of the next chunk, on PostgreSQL in place.

On SQLite each table's rows go in as one `INSERT … SELECT … FROM json_each(?)`
statement: a single step that SQLite runs without holding Python's GIL, so a second
thread can run it while the import goes on checking and building the next chunk (the
B-tree work of the inserts is about half an import's time). A job may first look up
which of the next chunk's row keys are already imported, and hand that answer over
before its inserts start, so the next chunk can be built while they run. The import
waits for a job before it touches the database again, so the transaction sees one
statement at a time, in order. Values are already in the driver's form (dates as text
on SQLite); JSON carries integers, text and null exactly. On PostgreSQL the rows go in
place through COPY; on an SQLite without the `->>` operator (before 3.38), through
executemany.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.bulk import may_switch_process_wide
from tracker.db.dialect import (
    as_json,
    existing_values,
    existing_values_sqlite,
    insert_many,
    json_each_insert,
    on_sqlite,
)


@dataclass(frozen=True)
class Batch:
    """Rows for one table: the columns that vary, each row's values of them, and the values every row shares."""

    table: str
    names: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    shared: dict[str, Any] = field(default_factory=dict)


class Inserter:
    """Runs jobs of inserts on the session's connection; `wait` before any other use of the connection."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.threaded = on_sqlite(self.connection) and sqlite3.sqlite_version_info >= (3, 38)
        self._thread: threading.Thread | None = None
        self._quick = False  # whether this job took the quick switch interval (see `_quick_handover`)
        self._error: BaseException | None = None
        self._failed = ""  # the statement the error came from
        self._found: set[str] = set()
        self._looked_up = threading.Event()

    def submit(self, batches: list[Batch], lookup: list[str] | None = None) -> None:
        """Look up these row keys (if given), then insert these rows, in order; on SQLite the work
        goes on after this returns, until `wait` (or `looked_up`, for the keys)."""
        self.wait()
        batches = [batch for batch in batches if batch.rows]
        self._found, self._looked_up = set(), threading.Event()
        if not self.threaded:
            if lookup:
                self._found = imported_keys(self.connection, lookup)
            self._looked_up.set()
            for batch in batches:
                shared = tuple(batch.shared.values())
                rows = [row + shared for row in batch.rows] if shared else batch.rows
                try:
                    insert_many(self.connection, batch.table, (*batch.names, *batch.shared), rows)
                except self.connection.dialect.loaded_dbapi.Error as exc:  # COPY's, straight from the driver
                    raise self._database_error(exc, f"COPY {batch.table}") from exc
            return
        # The JSON is made here, holding the GIL anyway; the thread only runs the statements.
        keys = as_json(lookup) if lookup else None
        statements = [
            (
                json_each_insert(batch.table, batch.names, tuple(batch.shared)),
                (*batch.shared.values(), as_json(batch.rows)),
            )
            for batch in batches
        ]
        raw = self.connection.connection.driver_connection
        assert raw is not None, "a checked-out connection has its driver's connection"
        cursor = raw.cursor()
        self._thread = threading.Thread(target=self._run, args=(cursor, keys, statements), name="import-inserts")
        self._quick = _quick_handover(True)
        self._thread.start()

    def looked_up(self) -> set[str]:
        """Which of the keys the running job looks up are already imported: as soon as it knows."""
        self._looked_up.wait()
        if self._error is not None:
            self.wait()  # raises it
        return self._found

    def wait(self) -> None:
        """Until the jobs submitted so far are done; their error, if any, is raised here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            if self._quick:
                _quick_handover(False)
        if self._error is not None:
            error, self._error = self._error, None
            raise self._database_error(error, self._failed) from error

    def _database_error(self, error: BaseException, statement: str) -> BaseException:
        """A driver's error as SQLAlchemy raises it (an OperationalError, say), so callers handle it as any other."""
        dialect = self.connection.dialect
        if isinstance(error, dialect.loaded_dbapi.Error):
            return sa.exc.DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect)
        return error

    def _run(self, cursor: sqlite3.Cursor, keys: str | None, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        sql = existing_values_sqlite("imported_row", "source_key")
        try:
            if keys is not None:
                self._found = {row[0] for row in cursor.execute(sql, (keys,))}
        except BaseException as exc:  # handed to the importing thread by `wait`
            self._error, self._failed = exc, sql
        finally:
            self._looked_up.set()
        try:
            if self._error is None:
                for sql, parameters in statements:
                    cursor.execute(sql, parameters)
        except BaseException as exc:
            self._error, self._failed = exc, sql
        finally:
            cursor.close()


# The inserts' thread takes the GIL back a few times per statement (to prepare, bind, and
# return from a step); while the importing thread is busy in Python each hand-over waits
# for the interpreter's switch interval, 5 ms by default, which slowed the inserts by a
# third. While any job runs, the interval is 0.5 ms: in a dedicated process only (the interval is the
# whole process's; `core.bulk`), so never in a web worker serving other requests.
QUICK_SWITCH = 0.0005
_handover = threading.Lock()
_jobs_running = 0
_usual_switch = sys.getswitchinterval()


def _quick_handover(starting: bool) -> bool:
    """Start or end one job's quick interval; False (and nothing changed) when the process may not switch."""
    global _jobs_running, _usual_switch
    if starting and not may_switch_process_wide():
        return False
    with _handover:
        if starting:
            if _jobs_running == 0:
                _usual_switch = sys.getswitchinterval()
                sys.setswitchinterval(min(QUICK_SWITCH, _usual_switch))
            _jobs_running += 1
        else:
            _jobs_running -= 1
            if _jobs_running == 0:
                sys.setswitchinterval(_usual_switch)
    return True


def imported_keys(connection: sa.Connection, keys: list[str]) -> set[str]:
    """Which of these row keys an earlier import recorded (or this one, in chunks already inserted)."""
    return existing_values(connection, "imported_row", "source_key", keys)
