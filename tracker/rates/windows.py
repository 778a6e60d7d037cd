"""The rates a report's scattered value dates take under the window rule, read in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from tracker.rates.reads import StoredRate


def in_force_for(
    session: Session, quote_currency: str, pairs: Iterable[tuple[str, date]], window_days: int
) -> dict[str, list[StoredRate]]:
    """For each (currency, day), the rate in force on the day or the latest earlier one within the window; one query.

    Each currency's rates in date order, each once. For readers that need the rates of
    scattered days (a report's value dates) rather than every day of a long span.
    """
    found: dict[str, list[StoredRate]] = defaultdict(list)
    wanted = sorted(set(pairs))
    if not wanted:
        return found
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    back = timedelta(days=window_days)
    params: list[object] = []
    for currency, day in wanted:
        params += (currency, day.isoformat(), (day - back).isoformat()) if sqlite else (currency, day, day - back)
    params.append(quote_currency)
    # Plain SQL through the driver: SQLAlchemy compiled a VALUES list of a thousand pairs in ~0.1 s, more than
    # the query takes. For each pair, the latest date in its window, and of that date's versions the last
    # recorded (the one in force); the index on (currency, rate_date) answers each pair.
    values = ", ".join([f"({mark}, {mark}, {mark})"] * len(wanted))
    statement = (
        f"WITH needed (currency, day, low) AS (VALUES {values}) "
        "SELECT DISTINCT r.currency, r.rate_date, r.rate, r.source FROM needed JOIN exchange_rate r ON r.id = ("
        "SELECT v.id FROM exchange_rate v WHERE v.currency = needed.currency AND v.quote_currency = "
        f"{mark} AND v.rate_date <= needed.day AND v.rate_date >= needed.low "
        "ORDER BY v.rate_date DESC, v.id DESC LIMIT 1) ORDER BY r.currency, r.rate_date"
    )
    for currency, rate_date, rate, source in connection.exec_driver_sql(statement, tuple(params)):
        day = date.fromisoformat(rate_date) if isinstance(rate_date, str) else rate_date
        found[currency].append(StoredRate(day, currency, Decimal(rate), source))
    return found
