"""Exchange rates as they stand: the rate in force for a date, the latest one, every version listed.

A rate says how many units of the quote (reporting) currency one unit of a currency is
worth on a date. Rows are never changed: a correction is a new row, and for each
(date, currency, quote currency) the latest recorded version is the one in force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.errors import Invalid
from tracker.core.money import check_currency
from tracker.db.columns import stored_id, table_of
from tracker.db.models import ExchangeRate


@dataclass(frozen=True, slots=True)
class StoredRate:
    """A rate in force: what a conversion uses and reports."""

    rate_date: date
    currency: str
    rate: Decimal
    source: str
    quote_currency: str = ""  # the currency the rate is in: so many units of it per unit of `currency`


@dataclass(frozen=True, slots=True)
class RateVersion:
    """One recorded version of a rate, as lists show it."""

    id: int
    rate_date: date
    currency: str
    quote_currency: str
    rate: Decimal
    source: str
    recorded_at: datetime
    recorded_by_id: int | None
    in_force: bool


def plain(rate: Decimal) -> str:
    """The rate as stored: positional notation without trailing zeros ("1.7", "0.0115", "100")."""
    return format(rate.normalize(), "f")


def list_rates(
    session: Session,
    *,
    currency: str | None = None,
    quote_currency: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    all_versions: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[RateVersion]:
    """Rates newest date first, optionally filtered; superseded versions only when asked for."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise Invalid("from", "{start} is after {end}", start=date_from.isoformat(), end=date_to.isoformat())
    filters = []
    if currency is not None:
        filters.append(col(ExchangeRate.currency) == check_currency(currency, "currency"))
    if quote_currency is not None:
        filters.append(col(ExchangeRate.quote_currency) == check_currency(quote_currency, "quote_currency"))
    if date_from is not None:
        filters.append(col(ExchangeRate.rate_date) >= date_from)
    if date_to is not None:
        filters.append(col(ExchangeRate.rate_date) <= date_to)
    # The filters are on the grouping columns, so filtering before grouping finds the same versions in force.
    latest = _latest_ids().where(*filters).subquery()
    statement = select(ExchangeRate, latest.c.id).outerjoin(latest, latest.c.id == ExchangeRate.id).where(*filters)
    if not all_versions:
        statement = statement.where(latest.c.id.is_not(None))
    statement = statement.order_by(
        col(ExchangeRate.rate_date).desc(),
        col(ExchangeRate.currency),
        col(ExchangeRate.quote_currency),
        col(ExchangeRate.id).desc(),
    ).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [
        RateVersion(
            id=stored_id(row),
            rate_date=row.rate_date,
            currency=row.currency,
            quote_currency=row.quote_currency,
            rate=Decimal(row.rate),
            source=row.source,
            recorded_at=row.recorded_at,
            recorded_by_id=row.recorded_by_id,
            in_force=latest_id is not None,
        )
        for row, latest_id in session.exec(statement).all()
    ]


def in_force(
    session: Session, quote_currency: str | None, spans: Mapping[str, tuple[date, date]]
) -> dict[str, list[StoredRate]]:
    """The rates in force for each currency within its (first, last) date span, in date order; one query.

    Only those quoted in `quote_currency`, or in any currency when it is None."""
    found: dict[str, list[StoredRate]] = defaultdict(list)
    if not spans:
        return found
    wanted = sa.or_(
        *(
            sa.and_(col(ExchangeRate.currency) == currency, col(ExchangeRate.rate_date).between(low, high))
            for currency, (low, high) in sorted(spans.items())
        )
    )
    quoted = [ExchangeRate.quote_currency == quote_currency] if quote_currency is not None else []
    latest = _latest_ids().where(*quoted, wanted).subquery()
    return _read_in_force(session, latest, found)


def _read_in_force(
    session: Session, latest: sa.Subquery, found: dict[str, list[StoredRate]]
) -> dict[str, list[StoredRate]]:
    """The rows of the versions in `latest`, through Core: ORM rows cost several times more per rate."""
    rates = table_of(ExchangeRate)
    statement = (
        sa.select(rates.c.currency, rates.c.rate_date, rates.c.rate, rates.c.source, rates.c.quote_currency)
        .join(latest, latest.c.id == rates.c.id)
        .order_by(rates.c.currency, rates.c.rate_date, rates.c.quote_currency)
    )
    for currency, rate_date, rate, source, quote in session.execute(statement):
        found[currency].append(StoredRate(rate_date, currency, Decimal(rate), source, quote))
    return found


def _latest_ids() -> Any:
    """The id of the version in force for each (date, currency, quote currency)."""
    return select(sa.func.max(ExchangeRate.id).label("id")).group_by(
        col(ExchangeRate.rate_date), col(ExchangeRate.currency), col(ExchangeRate.quote_currency)
    )


def current_version(session: Session, day: date, currency: str, quote: str) -> ExchangeRate | None:
    statement = (
        select(ExchangeRate)
        .where(ExchangeRate.rate_date == day, ExchangeRate.currency == currency, ExchangeRate.quote_currency == quote)
        .order_by(col(ExchangeRate.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()
