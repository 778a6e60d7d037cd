"""Recording exchange rates, by hand or a whole file: every version kept, the totals reconverted at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.core.money import check_currency, to_decimal
from tracker.db.columns import utcnow
from tracker.db.journal import record_event
from tracker.db.models import ExchangeRate, User
from tracker.rates.formats import RateRow, parse_rate_file
from tracker.rates.publications import SIGNED_NUMBER
from tracker.rates.reads import current_version, in_force, plain
from tracker.totals.aggregates import rates_changed

SOURCE_MANUAL = "manual"


# A rate outside these bounds is a typo (or a unit mix-up), not a currency.
MIN_RATE = Decimal("1e-12")


MAX_RATE = Decimal("1e12")


MAX_DIGITS = 20


# A date is in the future when it has not begun anywhere on Earth (UTC+14): a bank in Baku
# publishes rates for dates that a server on UTC has not reached yet.
EARLIEST_ZONE = timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: rates added (new or corrected), unchanged, and rows skipped."""

    source: str
    quote_currency: str
    added: int
    unchanged: int
    skipped: int
    first_date: date | None
    last_date: date | None


def latest_rate_date() -> date:
    """The last date a rate may have: today, wherever on Earth it is already today."""
    return (datetime.now(UTC) + EARLIEST_ZONE).date()


def check_rate(value: object, field: str = "rate") -> Decimal:
    """A rate as given: a plain positive decimal of sane size and at most 20 significant digits."""
    if isinstance(value, str) and value.strip() and not SIGNED_NUMBER.match(value.strip()):
        raise Invalid(field, "'{value}' is not a plain decimal number such as 1.7 or 0.0115", value=value.strip())
    rate = to_decimal(value, field)
    if rate <= 0:
        raise Invalid(field, "a rate must be more than zero, got {rate}", rate=rate)
    if not MIN_RATE <= rate < MAX_RATE:
        raise Invalid(
            field, "{rate} is not a plausible rate (from {low} to below {high})", rate=rate, low="1e-12", high="1e12"
        )
    if len(rate.normalize().as_tuple().digits) > MAX_DIGITS:
        raise Invalid(field, "at most {digits} significant digits, got {rate}", digits=MAX_DIGITS, rate=rate)
    return rate


def check_rate_date(value: object, field: str = "date") -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Invalid(field, "a date is required")
    if value > latest_rate_date():
        raise Invalid(field, "{date} is in the future", date=value.isoformat())
    return value


def check_rate_currency(code: object, reporting_currency: str, field: str = "currency") -> str:
    currency = check_currency(code, field)
    if currency == reporting_currency:
        raise Invalid(field, "{currency} is the reporting currency; it is always worth 1", currency=currency)
    return currency


def check_source(text: object) -> str:
    source = text.strip().lower() if isinstance(text, str) else ""
    if not source or len(source) > 40:
        raise Invalid("source", "a source of 1 to 40 characters is required, such as manual, cbar or ecb")
    return source


def record_rate(
    session: Session,
    rate_date: date,
    currency: str,
    rate: object,
    source: str,
    reporting_currency: str,
    user: User | None,
) -> ExchangeRate:
    """Record a rate by hand, or correct one: the new version is in force, the old one stays readable.

    Recording the version already in force (same rate, same source) changes nothing and
    returns that version.
    """
    quote = check_currency(reporting_currency, "reporting_currency")
    currency = check_rate_currency(currency, quote)
    day = check_rate_date(rate_date)
    value = check_rate(rate)
    source = check_source(source)
    current = current_version(session, day, currency, quote)
    if current is not None and Decimal(current.rate) == value and current.source == source:
        return current
    row = ExchangeRate(
        rate_date=day,
        currency=currency,
        quote_currency=quote,
        rate=plain(value),
        source=source,
        recorded_by_id=user.id if user else None,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        action="rate.corrected" if current else "rate.recorded",
        object_type="exchange_rate",
        object_id=row.id,
        user_id=user.id if user else None,
        before=_facts(current) if current else None,
        after=_facts(row),
    )
    _reconvert(session, {currency}, quote)
    return row


def import_rates(
    session: Session,
    data: bytes,
    source: str | None,
    reporting_currency: str,
    user: User | None,
    label: str | None = None,
    skip_unknown: bool = False,
) -> ImportResult:
    """Import a rates file, all or nothing: rates not yet in force are added; the rest are counted.

    `source` is "cbar", "ecb" or "csv", or None to detect it; the rates are recorded as from
    that source, or from `label` when given (the demo's made-up bulletins say "demo").
    A code that is no ISO 4217 code (a typo such as USX) refuses the file, naming its line, unless
    `skip_unknown`, when it is skipped and counted like a real code outside the allow-list.
    Re-importing a file adds nothing. An import that adds rates is one journal event; one
    that adds none writes nothing.
    """
    quote = check_currency(reporting_currency, "reporting_currency")
    parsed = parse_rate_file(data, source, quote, skip_unknown)
    recorded_as = label or parsed.source
    limit = latest_rate_date()
    for row in parsed.rows:
        _check_row(row, quote, limit)
    if not parsed.rows:
        return ImportResult(parsed.source, quote, 0, 0, parsed.skipped, None, None)
    spans: dict[str, tuple[date, date]] = {}
    for row in parsed.rows:
        low, high = spans.get(row.currency, (row.rate_date, row.rate_date))
        spans[row.currency] = (min(low, row.rate_date), max(high, row.rate_date))
    current = {(r.currency, r.rate_date): r for rates in in_force(session, quote, spans).values() for r in rates}
    now, by = utcnow(), user.id if user else None
    new: list[dict[str, Any]] = []
    corrected = 0
    for row in parsed.rows:
        existing = current.get((row.currency, row.rate_date))
        if existing is not None and existing.rate == row.rate and existing.source == recorded_as:
            continue
        corrected += existing is not None
        new.append(
            {
                "rate_date": row.rate_date,
                "currency": row.currency,
                "quote_currency": quote,
                "rate": plain(row.rate),
                "source": recorded_as,
                "recorded_at": now,
                "recorded_by_id": by,
            }
        )
    dates = [row.rate_date for row in parsed.rows]
    result = ImportResult(
        recorded_as, quote, len(new), len(parsed.rows) - len(new), parsed.skipped, min(dates), max(dates)
    )
    if new:
        session.execute(sa.insert(ExchangeRate), new)
        digest = hashlib.sha256(data).hexdigest()
        record_event(
            session,
            action="rates.imported",
            object_type="exchange_rate",
            object_id=f"import:{digest[:16]}",
            user_id=by,
            after={
                "source": recorded_as,
                "quote_currency": quote,
                "added": result.added,
                "corrected": corrected,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
                "from": result.first_date,
                "to": result.last_date,
                "sha256": digest,
            },
        )
        _reconvert(session, {row["currency"] for row in new}, quote)
    return result


def _reconvert(session: Session, currencies: set[str], quote: str) -> None:
    """Maintained totals convert at value-date rates, so a new or corrected rate re-converts them."""
    rates_changed(session, currencies, quote)


def _check_row(row: RateRow, quote: str, limit: date) -> None:
    """A file's row obeys the rules a hand-entered rate does; the message names its line or element."""
    try:
        if row.currency == quote:
            raise Invalid("file", "{currency} is the reporting currency; it is always worth 1", currency=quote)
        if row.rate_date > limit:
            raise Invalid("file", "{date} is in the future", date=row.rate_date.isoformat())
        check_rate(row.rate)
    except Invalid as exc:
        raise Invalid("file", "{where}: {rule}", where=row.where, rule=exc.rule) from None


def _facts(row: ExchangeRate) -> dict[str, Any]:
    return {
        "id": row.id,
        "rate_date": row.rate_date,
        "currency": row.currency,
        "quote_currency": row.quote_currency,
        "rate": row.rate,
        "source": row.source,
    }
