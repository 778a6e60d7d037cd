"""Running a bulk import's inserts: on SQLite beside the checking of the next chunk, on PostgreSQL in place.

On SQLite each table's rows go in as one `INSERT … SELECT … FROM json_each(?)`
statement: a single step that SQLite runs without holding Python's GIL, so a second
thread can run it while the import goes on reading and checking the next chunk (the
B-tree work of the inserts is about half an import's time). The import waits for
it before it touches the database again, so the transaction sees one statement at a
time, in order. Values are already in the driver's form (dates as text on SQLite);
JSON carries integers, text and null exactly. On PostgreSQL the rows go in place
through COPY; on an SQLite without the `->>` operator (before 3.38), through executemany.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

Batch = tuple[str, tuple[str, ...], list[tuple[Any, ...]]]  # table, columns, rows


class Inserter:
    """Inserts chunks of rows into the session's transaction; `wait` before any other use of the connection."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        dialect = self.connection.dialect
        self.threaded = dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 38)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, batches: list[Batch]) -> None:
        """Insert these rows, in order; on SQLite the work goes on after this returns, until `wait`."""
        self.wait()
        batches = [batch for batch in batches if batch[2]]
        if not self.threaded:
            for table, names, rows in batches:
                insert_many(self.connection, table, names, rows)
            return
        # The JSON is made here, holding the GIL anyway; the thread only runs the statements.
        statements = [
            (_json_each_sql(table, names), json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
            for table, names, rows in batches
        ]
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._run, args=(cursor, statements), name="import-inserts")
        self._thread.start()

    def wait(self) -> None:
        """Until the inserts submitted so far are done; their error, if any, is raised here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self, cursor: sqlite3.Cursor, statements: list[tuple[str, str]]) -> None:
        try:
            for sql, rows in statements:
                cursor.execute(sql, (rows,))
        except BaseException as exc:  # handed to the importing thread by `wait`
            self._error = exc
        finally:
            cursor.close()


def insert_many(connection: sa.Connection, table: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows into a table in place: COPY on PostgreSQL (a row is a few microseconds, against tens through
    executemany), executemany elsewhere."""
    if not rows:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(map(quote, names))
    if dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table)} ({columns}) VALUES ({', '.join([mark] * len(names))})", rows
    )


def _json_each_sql(table: str, names: tuple[str, ...]) -> str:
    columns = ", ".join(f'"{name}"' for name in names)
    values = ", ".join(f"value ->> {position}" for position in range(len(names)))
    return f'INSERT INTO "{table}" ({columns}) SELECT {values} FROM json_each(?) ORDER BY key'
