"""The maintained totals of a bulk import: deltas summed from the rows in hand, added to `ledger_total` in batches.

`aggregates.apply_change` re-reads what was just written and walks every dimension
for every row; an import already holds each row's facts, and only ever adds. So rows
are summed once per (appeal × month, donor, recipient, cluster, item) — the finest
dimensions — and the coarser ones (all, month, donor, … and the "sum" rows collapsed
over kinds and currencies) are rolled up from those sums when the batch is added.

Converted values are summed exactly as integers: each rate (times the currency's minor
unit) is held as an integer count of 10^exponent, one exponent for all of them, made
finer (and every sum scaled with it) when a rate with more decimals comes along. So a
converted sum is an integer count of 10^exponent of the reporting currency, and summing
in another order changes nothing; `tracker verify` and the tests hold the result equal
to a full recomputation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from tracker.core.money import minor_digits, minor_unit
from tracker.rates.convert import EXACT, load_rates
from tracker.totals.aggregates import ALL_KINDS, DIMENSIONS, NO_CLUSTER, SUMMED, Key, appeal_key
from tracker.totals.writes import TotalRow, add_rows, totals_state

# Past this many distinct fine keys, the sums are added to the table, so memory stays bounded.
FLUSH_AT = 100_000
# The finest dimensions a row is summed under; every other dimension is one of these summed further.
FINE = ("month", "donor", "recipient", "cluster", "item")
assert set(DIMENSIONS) == {"all", "appeal", *FINE, *(f"appeal_{name}" for name in FINE)}, "dimensions changed"
# (bucket, kind, item_id, currency, value_minor, quantity_milli, value_date, appeal_id, donor_id, recipient_id, cluster)
ImportedLine = tuple[str, str, int | None, str | None, int, int, date, int | None, int, int, str | None]
Base = tuple[int | None, str, str, str]  # appeal id, bucket, kind, currency: what a row's fine keys share
Part = list[int]  # value_minor, quantity_milli, converted (in 10^exponent), unconverted_minor
FineSums = dict[str | int | None, Part]  # one fine dimension: its key (month, donor id, …) → the sums


class ImportTotals:
    """What an import adds to the maintained totals, summed in memory and added in the import's transaction."""

    def __init__(self, session: Session) -> None:
        state = totals_state(session)
        self.reporting = state.reporting_currency
        self.window = state.window_days
        self.ordered = session.get_bind().dialect.name == "postgresql"
        self.exponent = 0  # converted sums and factors count units of 10^exponent
        # Per base, one dict per fine dimension (in FINE order): its key → the sums.
        self.fine: dict[Base, tuple[FineSums, FineSums, FineSums, FineSums, FineSums]] = {}
        self.keys = 0
        self._factor: dict[tuple[str, date], int | None] = {}  # rate × 10^-digits in 10^exponent; None: no rate
        self._month: dict[date, str] = {}

    def need(self, session: Session, pairs: set[tuple[str, date]]) -> None:
        """Read the rates that lines of these (currency, value date) will need, unless already known."""
        missing = {pair for pair in pairs if pair not in self._factor}
        if not missing:
            return
        book = load_rates(session, missing, self.reporting, self.window)
        exact: dict[tuple[str, date], Decimal | None] = {}
        for currency, value_date in missing:
            unit = minor_unit(minor_digits(currency))  # a rate times this converts minor units
            found = book.in_force(currency, value_date, self.reporting)
            exact[(currency, value_date)] = found.times(unit) if found else None
        finest = min((int(f.as_tuple().exponent) for f in exact.values() if f is not None), default=0)
        if finest < self.exponent:
            self._refine(finest)
        for pair, factor in exact.items():
            self._factor[pair] = None if factor is None else int(EXACT.scaleb(factor, -self.exponent))

    @property
    def full(self) -> bool:
        """Whether the sums have grown past `FLUSH_AT` keys and should be added to the table."""
        return self.keys > FLUSH_AT

    def add(self, lines: Iterable[ImportedLine]) -> None:
        """Sum these lines in, without touching the database: `need` has read their rates."""
        fine, factor, month_of = self.fine, self._factor, self._month
        for bucket, kind, item_id, currency, value, quantity, value_date, appeal_id, donor, recipient, cluster in lines:
            converted = unconverted = 0
            if currency and value:
                rate = factor[(currency, value_date)]
                if rate is None:
                    unconverted = value
                else:
                    converted = value * rate
            month = month_of.get(value_date)
            if month is None:
                month = month_of[value_date] = f"{value_date:%Y-%m}"
            dims = fine.get((appeal_id, bucket, kind, currency or ""))
            if dims is None:
                dims = fine[(appeal_id, bucket, kind, currency or "")] = ({}, {}, {}, {}, {})
            keys = (month, donor, recipient, cluster, item_id)
            for sums_of, key in zip(dims, keys if item_id is not None else keys[:4], strict=False):  # money: no item
                sums = sums_of.get(key)
                if sums is None:
                    sums_of[key] = [value, quantity, converted, unconverted]
                    self.keys += 1
                else:
                    sums[0] += value
                    sums[1] += quantity
                    sums[2] += converted
                    sums[3] += unconverted

    def flush(self, session: Session) -> None:
        """Add everything summed so far to `ledger_total`."""
        add_rows(session.connection(), self.rows(), minor_digits(self.reporting))

    def rows(self) -> list[TotalRow]:
        """Everything summed so far, as `ledger_total` rows to add; the sums start again from nothing.

        On PostgreSQL they are sorted by key: concurrent writers lock the rows in one order
        (no deadlock). SQLite has one writer at a time."""
        rolled_up, exp, shift = self._rolled_up(), self.exponent, self.exponent + minor_digits(self.reporting)
        self.fine, self.keys = {}, 0
        parts = sorted(rolled_up.items()) if self.ordered else rolled_up.items()
        return [
            (*key, value, quantity, decimal_text(counted, exp), minor_units(counted, shift), unconverted)
            for key, (value, quantity, counted, unconverted) in parts
            if value or quantity or counted or unconverted
        ]

    def _refine(self, exponent: int) -> None:
        """Count in units of 10^exponent from now on: the factors and sums so far scaled to match."""
        times = 10 ** (self.exponent - exponent)
        self._factor = {pair: None if f is None else f * times for pair, f in self._factor.items()}
        for dims in self.fine.values():
            for sums_of in dims:
                for sums in sums_of.values():
                    sums[2] *= times
        self.exponent = exponent

    def _rolled_up(self) -> dict[Key, Part]:
        """Every dimension's sums, from the finest ones."""
        sums: dict[Key, Part] = {}

        def add(key: Key, part: Part) -> None:
            found = sums.get(key)
            if found is None:
                sums[key] = list(part)
            else:
                found[0] += part[0]
                found[1] += part[1]
                found[2] += part[2]
                found[3] += part[3]

        for (appeal_id, bucket, kind, currency), dims in self.fine.items():
            appeal = appeal_key(appeal_id)
            for dim, sums_of in zip(FINE, dims, strict=True):
                for value, part in sums_of.items():
                    dim_key = str(value or NO_CLUSTER) if dim == "cluster" else str(value)
                    add((f"appeal_{dim}", f"{appeal}/{dim_key}", bucket, kind, currency), part)
                    add((dim, dim_key, bucket, kind, currency), part)
                    if dim == "month":
                        add(("appeal", appeal, bucket, kind, currency), part)
                        add(("all", "", bucket, kind, currency), part)
        for (dim, dim_key, bucket, _kind, _currency), part in list(sums.items()):
            if dim in SUMMED and part[2]:
                add((f"{dim}:sum", dim_key, bucket, ALL_KINDS, ""), [0, 0, part[2], 0])
        return sums


def decimal_text(counted: int, exponent: int) -> str:
    """counted × 10^exponent written as `totals_writes.exact_text` writes it (no exponent, no trailing zeros)."""
    if exponent >= 0:
        return str(counted * 10**exponent)
    sign, digits = ("-" if counted < 0 else ""), str(abs(counted)).rjust(1 - exponent, "0")
    whole, fraction = digits[:exponent], digits[exponent:].rstrip("0")
    return sign + whole + ("." + fraction if fraction else "")


def minor_units(counted: int, shift: int) -> int:
    """counted × 10^shift rounded half away from zero to a whole number, as `totals_writes.rounded_minor` does."""
    if shift >= 0:
        scale: int = 10**shift  # typeshed: int ** int may be a float; here the power is never negative
        return counted * scale
    unit: int = 10**-shift
    whole, rest = divmod(abs(counted), unit)
    whole += 2 * rest >= unit
    return -whole if counted < 0 else whole
