"""How a write reaches the maintained totals quickly: the totals' state, a per-process rate cache, one upsert.

A single write costs one small read (the totals' state, with a stamp that every rate
write renews), rates from a per-process cache keyed by that stamp, and one set-based
upsert adding the deltas (`INSERT ... ON CONFLICT DO UPDATE`). The exact decimal column
is added by PostgreSQL's numeric, or on SQLite by a Python function registered on the
connection. `tracker.totals.summing` sums the deltas; a total row's exact text and its
rounded minor units are written here, one way, whether from a Python sum or in the upsert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple, cast

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.money import minor_digits
from tracker.db.columns import table_of
from tracker.db.dialect import placeholder, upsert_ledger_totals
from tracker.db.models import LedgerTotal, TotalsState
from tracker.rates.convert import EXACT, InForce, load_rates
from tracker.settings.current import effective_settings

table = table_of(LedgerTotal)
state_table = table_of(TotalsState)
KEY_COLUMNS = ("dim", "dim_key", "bucket", "kind", "currency")


@dataclass(frozen=True)
class Kept:
    """How the totals are kept, as a writer needs it: currency, rate window, and the rates' stamp."""

    reporting_currency: str
    window_days: int
    rates_stamp: str


KEPT = sa.select(state_table.c.reporting_currency, state_table.c.window_days, state_table.c.rates_stamp).where(
    state_table.c.id == 1
)


def totals_state(session: Session) -> TotalsState:
    """The reporting currency and window the totals are kept in; set on first use."""
    state = session.get(TotalsState, 1)
    if state is None:
        settings = effective_settings(session)
        state = TotalsState(id=1, reporting_currency=settings.reporting_currency, window_days=settings.rate_window_days)
        session.add(state)
        session.flush()
    return state


def kept_state(session: Session) -> Kept:
    row = session.execute(KEPT).first()
    if row is None:
        state = totals_state(session)
        return Kept(state.reporting_currency, state.window_days, state.rates_stamp)
    return Kept(*row)


# (rates stamp, reporting currency, window, currency, value date) -> the rate in force, or None.
# Rates are only ever added, and every rate write renews the stamp in its own transaction,
# so an entry never goes stale: a new stamp simply misses. Shared by the process's threads.
_RATES: dict[tuple[str, str, int, str, date], InForce | None] = {}
RATES_KEPT = 100_000
_UNKNOWN = object()


class CachedRates:
    """The rates of some (currency, value date) pairs, answered like a `RateBook`; read only on a cache miss."""

    def __init__(self, session: Session, needed: Iterable[tuple[str, date]], kept: Kept) -> None:
        prefix = (kept.rates_stamp, kept.reporting_currency, kept.window_days)
        self.reporting = kept.reporting_currency
        self._found: dict[tuple[str, date], InForce | None] = {}
        missing = set()
        for wanted in needed:
            cached = _RATES.get((*prefix, *wanted), _UNKNOWN)  # one lookup: another thread may clear the cache
            if cached is _UNKNOWN:
                missing.add(wanted)
            else:
                self._found[wanted] = cast("InForce | None", cached)  # not the sentinel, so a cached value
        if not missing:
            return
        book = load_rates(session, missing, self.reporting, kept.window_days)
        if len(_RATES) + len(missing) > RATES_KEPT:
            _RATES.clear()
        for currency, on in missing:
            found = book.in_force(currency, on, self.reporting)
            self._found[(currency, on)] = _RATES[(*prefix, currency, on)] = found

    def in_force(self, currency: str, on: date, target: str) -> InForce | None:
        assert target == self.reporting, "the cache holds rates into the totals' currency only"
        return self._found[(currency, on)]


ROW_COLUMNS = (*KEY_COLUMNS, "value_minor", "quantity_milli", "converted", "converted_minor", "unconverted_minor")
INTEGERS = ("value_minor", "quantity_milli", "unconverted_minor")  # added as integers; "converted" as a decimal


class TotalKey(NamedTuple):
    """Which total a row of `ledger_total` is: a dimension and its key, a bucket, a line kind, a currency."""

    dim: str
    dim_key: str
    bucket: str
    kind: str
    currency: str


class TotalRow(NamedTuple):
    """A row of `ledger_total` (or figures to add to one), in `ROW_COLUMNS` order."""

    dim: str
    dim_key: str
    bucket: str
    kind: str
    currency: str
    value_minor: int
    quantity_milli: int
    converted: str  # exact, as `decimal_text` writes it
    converted_minor: int  # the converted value rounded once (`minor_units`)
    unconverted_minor: int

    @property
    def key(self) -> TotalKey:
        return TotalKey(self.dim, self.dim_key, self.bucket, self.kind, self.currency)

    def lowers(self) -> bool:
        """Whether adding it takes something away from the stored row (which may then come to zero)."""
        return self.value_minor < 0 or self.quantity_milli < 0 or self.unconverted_minor < 0 or self.converted[0] == "-"


def add_rows(connection: sa.Connection, rows: list[TotalRow], digits: int) -> None:
    """Add these rows' figures to the stored ones (a new key is inserted), in one upsert; keys are distinct.

    The statement goes straight to the driver, written once per currency's digits: a
    ledger write adds ~20 rows, an import tens of thousands, and SQLAlchemy's per-row
    parameter handling cost more than the upsert itself. On PostgreSQL the rows travel
    as one JSON array (a single statement, where executemany costs tens of µs a row)."""
    if not rows:
        return
    upsert_ledger_totals(connection, ROW_COLUMNS, KEY_COLUMNS, INTEGERS, rows, digits, _add_text, _minor_units)


def drop_zero_rows(connection: sa.Connection, keys: list[TotalKey]) -> None:
    """Delete those of these rows that a write brought to zero in every figure, each found by its own key.

    (The key's unique index finds each row directly. Matching `dim IN (…) AND dim_key IN (…)`
    instead probed every pair of the two lists: some 400 index probes for a void, a third of
    its time on a ledger of a million.)"""
    if not keys:
        return
    mark = placeholder(connection)
    connection.exec_driver_sql(
        "DELETE FROM ledger_total WHERE "
        + " AND ".join(f"{name} = {mark}" for name in KEY_COLUMNS)
        + " AND value_minor = 0 AND quantity_milli = 0 AND unconverted_minor = 0 AND converted = '0'",
        keys,
    )


def _add_text(stored: str, delta: str) -> str:
    return exact_text(EXACT.add(Decimal(stored), Decimal(delta)))


def _minor_units(value: str, digits: int) -> int:
    counted, exponent = _counted(Decimal(value))
    return minor_units(counted, exponent + digits)


def rounded_minor(value: Decimal, currency: str) -> int:
    """An exact amount in whole minor units of the currency, rounded half up (away from zero) once."""
    counted, exponent = _counted(value)
    return minor_units(counted, exponent + minor_digits(currency))


def exact_text(value: Decimal) -> str:
    """An exact amount as a total row's text (`decimal_text`)."""
    return decimal_text(*_counted(value))


def _counted(value: Decimal) -> tuple[int, int]:
    """A decimal as an integer count of 10^exponent."""
    exponent = int(value.as_tuple().exponent)
    return int(EXACT.scaleb(value, -exponent)), exponent


def decimal_text(counted: int, exponent: int) -> str:
    """counted × 10^exponent as a total row's exact text: no exponent, no trailing zeros, "0" for zero."""
    if exponent >= 0:
        return str(counted * 10**exponent)
    sign, digits = ("-" if counted < 0 else ""), str(abs(counted)).rjust(1 - exponent, "0")
    whole, fraction = digits[:exponent], digits[exponent:].rstrip("0")
    return sign + whole + ("." + fraction if fraction else "")


def minor_units(counted: int, shift: int) -> int:
    """counted × 10^shift rounded half away from zero to a whole number: a total's rounded minor units."""
    if shift >= 0:
        scale: int = 10**shift  # typeshed: int ** int may be a float; here the power is never negative
        return counted * scale
    unit: int = 10**-shift
    whole, rest = divmod(abs(counted), unit)
    whole += 2 * rest >= unit
    return -whole if counted < 0 else whole
