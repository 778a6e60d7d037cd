"""Database engines, sessions and migrations for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from tracker.core.config import get_settings
from tracker.db import writers

SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")
# What SQLite says when a writer waited its whole busy timeout for another's write lock.
BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


READS = "tracker_reads"  # an execution option: this engine's transactions only read (GET and HEAD requests)


def make_engine(url: str, echo: bool = False, busy_seconds: float | None = None) -> sa.Engine:
    """An engine; SQLite gets WAL, full sync, foreign keys, and writers that lock at BEGIN and wait
    `busy_seconds` (default TRACKER_SQLITE_BUSY_SECONDS) for another's lock before giving up (`is_busy`)."""
    if url.startswith("sqlite"):
        wait_ms = round(1000 * (get_settings().sqlite_busy_seconds if busy_seconds is None else busy_seconds))
        engine = sa.create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        path = writers.lock_path(url)
        queue = writers.WriterQueue(path) if path else None
        if queue is not None:
            writers.install(engine, queue)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            dbapi_conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")  # first: WAL's switch may wait, too
            for pragma in SQLITE_PRAGMAS:
                dbapi_conn.execute(f"PRAGMA {pragma}")

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            # A writer's IMMEDIATE takes the write lock up front, so a busy writer waits for
            # busy_timeout instead of failing when it upgrades from a read. A reader's plain
            # BEGIN reads a consistent WAL snapshot and never waits for a writer (a long import).
            # Writers first queue on the lock file (tracker.db.writers), so none sleeps in the busy handler.
            if conn.get_execution_options().get(READS):
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_connection = writers.raw(conn.connection)
            if queue is not None:
                queue.enter(dbapi_connection)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                if queue is not None:
                    queue.leave(dbapi_connection)
                raise

        return engine
    return sa.create_engine(url, echo=echo, pool_pre_ping=True)


def is_busy(exc: BaseException) -> bool:
    """Whether a database error is SQLite's busy lock: another writer held the lock past the busy
    timeout. Nothing is wrong with the request; it may be sent again in a moment (HTTP 503)."""
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    text = str(exc.orig).lower()
    return any(message in text for message in BUSY_MESSAGES)


def reading(engine: sa.Engine) -> sa.Engine:
    """The same engine for transactions that only read: on SQLite they do not take the write lock."""
    return engine.execution_options(**{READS: True})


@cache
def get_engine() -> sa.Engine:
    settings = get_settings()
    return make_engine(settings.database_url, settings.sql_echo)


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any exception."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def migrations_dir() -> Path:
    """The Alembic folder: inside the installed wheel, or at the top of a checkout."""
    packaged = Path(str(files("tracker"))) / "migrations"
    if (packaged / "env.py").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent.parent / "migrations"
    if (checkout / "env.py").is_file():
        return checkout
    raise RuntimeError("the migrations folder was not found; reinstall tracker")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["url"] = url
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (creating the SQLite file if needed)."""
    command.upgrade(alembic_config(url or get_settings().database_url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
