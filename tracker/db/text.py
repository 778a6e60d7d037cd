"""Searching text the way people type it: case-insensitive for every alphabet, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session

from tracker.db.dialect import on_sqlite


def folded(text: str) -> str:
    """Lower case as PostgreSQL's lower() does it: "İ" becomes "i", not "i" plus a combining dot."""
    return text.lower().replace("i\u0307", "i")


def matches(session: Session, column: sa.ColumnElement[str] | Mapped[str], needle: str) -> sa.ColumnElement[bool]:
    """`column` contains `needle`, ignoring case in any alphabet (Əli, ŞƏKİ, Юрий), wildcards taken literally."""
    return _lower(session, column).contains(folded(needle.strip()), autoescape=True)


def starts_with(session: Session, column: sa.ColumnElement[str] | Mapped[str], needle: str) -> sa.ColumnElement[bool]:
    return _lower(session, column).startswith(folded(needle.strip()), autoescape=True)


def _lower(session: Session, column: sa.ColumnElement[str] | Mapped[str]) -> sa.ColumnElement[str]:
    if not on_sqlite(session):
        return sa.func.lower(column)
    # SQLite's own lower() only knows ASCII; lend it Python's, on this connection.
    raw = session.connection().connection.driver_connection
    assert raw is not None, "a checked-out connection has its driver's connection"
    raw.create_function("tracker_fold", 1, lambda v: folded(v) if isinstance(v, str) else v, deterministic=True)
    return sa.func.tracker_fold(column)
