"""Backups and restores of the whole database: SQLite's online backup, PostgreSQL's pg_dump and pg_restore.

Copying `tracker.db` while the app runs is not a backup: committed transactions may still sit in
the `-wal` file beside it, and a copy taken mid-write may be torn. SQLite's backup API copies one
consistent snapshot while writers go on; pg_dump does the same inside one transaction. A restore
goes only into an empty (or new) database, so it never mixes two ledgers.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker.core.errors import Conflict, Invalid

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
BUSY_MS = 10_000


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database `url` names to `target`, which must not exist yet."""
    if target.exists():
        raise Invalid("file", "{file} exists already; name a new file", file=str(target))
    if _is_sqlite(url):
        _sqlite_backup(_sqlite_path(url), target)
    else:
        _pg_run("pg_dump", ["--format=custom", "--no-owner", f"--file={target}", f"--dbname={_libpq(url)}"])


def restore(url: str, source: Path) -> None:
    """Load a backup made by `backup` into the database `url` names, which must be empty or not exist yet."""
    if not source.is_file():
        raise Invalid("file", "{file} does not exist", file=str(source))
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if _is_sqlite(url):
        if not head.startswith(SQLITE_HEADER):
            raise Invalid("file", "{file} is not a SQLite backup of tracker", file=str(source))
        _sqlite_restore(source, _sqlite_path(url))
    else:
        if not head.startswith(PG_DUMP_HEADER):
            raise Invalid("file", "{file} is not a PostgreSQL backup made by tracker db backup", file=str(source))
        _create_if_missing(url)
        _refuse_unless_empty(url)
        _pg_run("pg_restore", ["--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}", str(source)])


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Invalid("TRACKER_DATABASE_URL", "names no database file")
    return Path(database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise Invalid("TRACKER_DATABASE_URL", "{file} does not exist", file=str(source))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(source, timeout=BUSY_MS / 1000)
    try:
        writer = sqlite3.connect(partial)
        try:
            # One step (pages=-1): one read transaction, so one snapshot, whatever commits meanwhile.
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            writer.close()
    finally:
        reader.close()
    os.replace(partial, target)


def _sqlite_restore(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_size > 0:
        with sqlite3.connect(target) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise Conflict("{file} is not empty; restore into a new database", file=str(target))
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if not reader.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            raise Invalid("file", "{file} is not a SQLite backup of tracker", file=str(source))
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=WAL")  # as the app runs it
        finally:
            writer.close()
    finally:
        reader.close()


def _libpq(url: str) -> str:
    """The URL as pg_dump reads it: without SQLAlchemy's driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_run(program: str, arguments: list[str]) -> None:
    path = shutil.which(program)
    if path is None:
        raise Conflict(
            "{program} was not found; install PostgreSQL's client programs (the server's version or newer) "
            "and run this again, or run {program} yourself as docs/going-live.md shows",
            program=program,
        )
    done = subprocess.run([path, *arguments], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise Conflict("{program} failed: {reason}", program=program, reason=lines[0] if lines else done.returncode)


def _create_if_missing(url: str) -> None:
    name = make_url(url).database
    if not name or '"' in name:
        raise Invalid("TRACKER_DATABASE_URL", "names no database")
    admin = sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if found is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _refuse_unless_empty(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Conflict("database {name} is not empty; restore into a new database", name=make_url(url).database)
