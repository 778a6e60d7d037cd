"""The SQL that differs between SQLite and PostgreSQL, in one module: locks, ON CONFLICT, ids and rows in bulk.

The rest of the code asks these functions and never looks at the dialect itself, so the
two databases' fast paths sit side by side here. SQLite has one writer at a time (the
app's transactions take its write lock at BEGIN); PostgreSQL's concurrent writers need the
locks below to see one another.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

# PostgreSQL's SQLSTATE for unique_violation; SQLite's extended result codes for the same.
UNIQUE_SQLSTATE = "23505"
SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def on_postgresql(bind: Session | sa.Connection) -> bool:
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return dialect.name == "postgresql"


def on_sqlite(bind: Session | sa.Connection) -> bool:
    return not on_postgresql(bind)


def transaction_lock(session: Session, key: int) -> None:
    """Hold `key` until the transaction ends (PostgreSQL's advisory lock); SQLite's one writer needs none."""
    if on_postgresql(session):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def lock_for_first_insert(session: Session, table: str) -> None:
    """Two transactions that each find `table` empty must not both insert: PostgreSQL locks it against writers."""
    if on_postgresql(session):
        session.execute(sa.text(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE'))


def conflict_insert(session: Session) -> Any:
    """The session's dialect's `insert`, the one that knows ON CONFLICT (PostgreSQL or SQLite)."""
    return postgresql_insert if on_postgresql(session) else sqlite_insert


def is_unique_violation(error: sa.exc.IntegrityError) -> bool:
    """Whether the database refused a row because a unique index holds its twin, not for a CHECK or a foreign key.

    Only this is a conflict a client can resolve by reloading; any other integrity error is a value
    that should have been refused before the insert, and must not be reported as a conflict.
    """
    cause = error.orig
    if getattr(cause, "sqlstate", None) == UNIQUE_SQLSTATE:
        return True
    if getattr(cause, "sqlite_errorname", None) in SQLITE_UNIQUE:
        return True
    return str(cause).startswith("UNIQUE constraint failed")


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """Ids for `count` new rows: from the table's sequence on PostgreSQL; on SQLite past the largest, under the
    write lock the transaction holds."""
    if on_postgresql(session):
        statement = sa.text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)")
        return list(session.execute(statement, {"n": count}).scalars())
    largest = session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(largest + 1, largest + 1 + count))


def placeholder(connection: sa.Connection) -> str:
    """The driver's parameter mark, for statements sent to it directly."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def driver_date(connection: sa.Connection, day: date) -> date | str:
    """A date as the driver takes it in a statement sent directly (SQLite keeps dates as ISO text)."""
    return day.isoformat() if connection.dialect.name == "sqlite" else day


def as_json(values: list[Any]) -> str:
    """Values as one compact JSON array: SQLite reads a long list of them in one parameter through json_each."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def existing_values(connection: sa.Connection, table: str, column: str, values: list[str]) -> set[str]:
    """Which of these values `table.column` already holds, in one statement."""
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql(f'SELECT "{column}" FROM "{table}" WHERE "{column}" = ANY(%s)', (values,))
    else:
        found = connection.exec_driver_sql(existing_values_sqlite(table, column), (as_json(values),))
    return {row[0] for row in found}


def existing_values_sqlite(table: str, column: str) -> str:
    return f'SELECT "{column}" FROM "{table}" WHERE "{column}" IN (SELECT value FROM json_each(?))'


def insert_many(connection: sa.Connection, table: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows into a table in place: COPY on PostgreSQL (a row is a few microseconds, against tens through
    executemany), executemany elsewhere."""
    if not rows:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(map(quote, names))
    if dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None, "a checked-out connection has its driver's connection"
        cursor = raw.cursor()
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = placeholder(connection)
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table)} ({columns}) VALUES ({', '.join([mark] * len(names))})", rows
    )


def json_each_insert(table: str, names: tuple[str, ...], shared: tuple[str, ...]) -> str:
    """SQLite's insert of many rows sent as one JSON array of arrays, the values every row shares as
    parameters before it: one statement, parsed in C, instead of an executemany."""
    columns = ", ".join(f'"{name}"' for name in (*names, *shared))
    values = [f"value ->> {position}" for position in range(len(names))] + ["?"] * len(shared)
    return f'INSERT INTO "{table}" ({columns}) SELECT {", ".join(values)} FROM json_each(?) ORDER BY key'


def upsert_ledger_totals(
    connection: sa.Connection,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    integers: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    digits: int,
    add_decimal: Callable[[str, str], str],
    minor_units: Callable[[str, int], int],
) -> None:
    """Add rows to `ledger_total` in one statement sent to the driver: the `integers` summed, `converted`
    (decimal text) added exactly and `converted_minor` its rounding to `digits`; a new key is inserted.

    On PostgreSQL the rows travel as one JSON array (executemany costs tens of µs a row) and numeric
    does the decimal sum; SQLite gets them as an executemany of plain tuples (its driver binds a tuple
    subclass item by item) and the connection lends it `add_decimal` and `minor_units`."""
    if connection.dialect.name == "postgresql":
        payload = json.dumps([dict(zip(columns, row, strict=True)) for row in rows], separators=(",", ":"))
        connection.exec_driver_sql(_postgresql_upsert(columns, keys, integers, digits), (payload,))
        return
    pooled = connection.connection
    if not pooled.info.get("tracker_decimal"):
        raw = pooled.dbapi_connection
        assert raw is not None, "a checked-out connection has its driver's connection"
        raw.create_function("tracker_add_decimal", 2, add_decimal, deterministic=True)
        raw.create_function("tracker_minor_units", 2, minor_units, deterministic=True)
        pooled.info["tracker_decimal"] = True
    connection.exec_driver_sql(_sqlite_upsert(columns, keys, integers, digits), list(map(tuple, rows)))


@cache
def _sqlite_upsert(columns: tuple[str, ...], keys: tuple[str, ...], integers: tuple[str, ...], digits: int) -> str:
    summed = ", ".join(f"{name} = {name} + excluded.{name}" for name in integers)
    return (
        f"INSERT INTO ledger_total ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {summed}, "
        "converted = tracker_add_decimal(converted, excluded.converted), "
        f"converted_minor = tracker_minor_units(tracker_add_decimal(converted, excluded.converted), {int(digits)})"
    )


@cache
def _postgresql_upsert(columns: tuple[str, ...], keys: tuple[str, ...], integers: tuple[str, ...], digits: int) -> str:
    names = ", ".join(columns)
    types = ", ".join(
        f"{name} {'bigint' if name in integers or name == 'converted_minor' else 'text'}" for name in columns
    )
    summed = ", ".join(f"{name} = t.{name} + excluded.{name}" for name in integers)
    exact = "(t.converted::numeric + excluded.converted::numeric)"
    # Times an integer, so numeric throughout: `10 ^ n` is a double, which made the rounding a float's.
    return (
        f"INSERT INTO ledger_total AS t ({names}) SELECT {names} FROM json_to_recordset(%s) AS d({types}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {summed}, "
        f"converted = trim_scale({exact})::text, converted_minor = round({exact} * {10 ** int(digits)})::bigint"
    )
