"""The rates a report's scattered value dates take under the window rule, read in one query."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from tracker.db.dialect import driver_date, placeholder
from tracker.rates.reads import StoredRate


def in_force_for(session: Session, pairs: Iterable[tuple[str, date]], window_days: int) -> list[StoredRate]:
    """For each (currency, day) and each currency rates are quoted in, the rate in force on the day or the latest
    earlier one within the window; one query.

    Each rate once. For readers that need the rates of scattered days (a report's value
    dates) rather than every day of a long span; `tracker.rates.convert` crosses them.
    """
    wanted = sorted(set(pairs))
    if not wanted:
        return []
    connection = session.connection()
    mark = placeholder(connection)
    back = timedelta(days=window_days)
    params: list[object] = []
    for currency, day in wanted:
        params += (currency, driver_date(connection, day), driver_date(connection, day - back))
    # Plain SQL through the driver: SQLAlchemy compiled a VALUES list of a thousand pairs in ~0.1 s, more than
    # the query takes. First the currencies each pair's rates are quoted in within its window, then for each of
    # those the latest date, and of that date's versions the last recorded (the one in force); the index on
    # (currency, rate_date) answers both. (Ranking the window's rows with ROW_NUMBER() took 4× as long.)
    values = ", ".join([f"({mark}, {mark}, {mark})"] * len(wanted))
    statement = (
        f"WITH needed (currency, day, low) AS (VALUES {values}), "
        "quoted AS (SELECT DISTINCT needed.currency, needed.day, needed.low, r.quote_currency AS quote "
        "FROM needed JOIN exchange_rate r ON r.currency = needed.currency "
        "AND r.rate_date <= needed.day AND r.rate_date >= needed.low) "
        "SELECT DISTINCT r.currency, r.quote_currency, r.rate_date, r.rate, r.source FROM quoted "
        "JOIN exchange_rate r ON r.id = (SELECT v.id FROM exchange_rate v WHERE v.currency = quoted.currency "
        "AND v.quote_currency = quoted.quote AND v.rate_date <= quoted.day AND v.rate_date >= quoted.low "
        "ORDER BY v.rate_date DESC, v.id DESC LIMIT 1) ORDER BY r.currency, r.quote_currency, r.rate_date"
    )
    found = []
    for currency, quote, rate_date, rate, source in connection.exec_driver_sql(statement, tuple(params)):
        day = date.fromisoformat(rate_date) if isinstance(rate_date, str) else rate_date
        found.append(StoredRate(day, currency, Decimal(rate), source, quote))
    return found
