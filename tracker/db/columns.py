"""What every table shares: constraint names, the coded columns' allowed values, timestamps, minor units, stored ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, get_args

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.core.vocabulary import (
    RECORDED_STATUSES,
    Cluster,
    DonorKind,
    LineKind,
    RecipientKind,
    Role,
    Unit,
    Valuation,
    codes,
)

# Set before any table exists, so every constraint has a stable name that a
# later migration (and SQLite's batch mode) can refer to.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The allowed values of each coded column, from the one vocabulary (a CHECK constraint holds each);
# plain strings, so a message listing them reads 'paid', not <Status.PAID: 'paid'>.
DONOR_KINDS = codes(DonorKind)
RECIPIENT_KINDS = codes(RecipientKind)
CLUSTERS = codes(Cluster)
UNITS = codes(Unit)
STATUSES = codes(RECORDED_STATUSES)
LINE_KINDS = codes(LineKind)
VALUATIONS = codes(Valuation)
ROLES = codes(Role)
Locale = Literal["en", "az", "tr", "ru"]  # a user's or the organisation's language
LOCALES: tuple[Locale, ...] = get_args(Locale)


def utcnow() -> datetime:
    return datetime.now(UTC)


def check_one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def table_of(model: type[SQLModel]) -> sa.Table:
    """A model's Core table, for statements written in SQLAlchemy Core."""
    return model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on each table model but does not declare it


class Stored(Protocol):
    """Any table row with an integer primary key."""

    id: int | None


def stored_id(row: Stored) -> int:
    """A stored row's id: SQLModel types it `int | None`, None only until the row is flushed."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id before it is flushed")
    return row.id


def Timestamp(**kw: Any) -> datetime:  # noqa: N802 - reads like a type in the models
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kw)


def MinorUnits(**kw: Any) -> int:  # noqa: N802
    return Field(sa_type=sa.BigInteger, **kw)


def counted_on(table: sa.FromClause[Any]) -> sa.ColumnElement[Any]:
    """The day a contribution counts on: when its current status took effect, else its value date."""
    return sa.func.coalesce(table.c.status_date, table.c.value_date, type_=sa.Date)


def new_stamp() -> str:
    """A value never used before, to mark a new state of something."""
    return uuid.uuid4().hex
