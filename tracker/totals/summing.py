"""The one way ledger rows are summed into maintained totals: exact integers, finest keys, rolled up when written.

Every path that changes or recomputes `ledger_total` sums `FigureRow`s with `TotalSums`: a
single write (its rows before taken away, its rows after added), a bulk import (added to the
table whenever the sums pass `FLUSH_AT` keys), a rebuild, and `tracker verify`'s recomputation.

- One conversion: each (currency, value date) gets the one rate in force (`tracker.rates.convert`);
  that rate times the currency's minor unit is held as an integer count of 10^exponent, one
  exponent for all of them, made finer (and every sum scaled with it) when a rate with more
  decimals comes along. A converted sum is then an integer count of 10^exponent of the
  reporting currency: exact, and the same in any order of summing.
- One keying: a row is summed once per (appeal, bucket, kind, currency) and each of the finest
  dimensions (`FINE`: value month, donor, recipient, cluster, item); every other dimension (all,
  appeal, month, donor, …, the appeal × each, and the "sum" rows collapsed over kinds and
  currencies) is rolled up from those sums when they are written, by `FINE`'s named key functions.
- One writing: a total's exact text and rounded minor units (`tracker.totals.writes`).

(Summing Decimals per row and every dimension instead, as writes, rebuilds and verify once did,
took 1.5 times as long on 50,000 rows and twice as long for a single write's delta, 65 µs against
31: integers add in one step, and a row touches 5 sums, not 12.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from sqlmodel import Session

from tracker.core.money import minor_digits, minor_unit
from tracker.ledger.figures import FigureRow
from tracker.rates.convert import EXACT, InForce, load_rates
from tracker.totals.writes import TotalRow, add_rows, decimal_text, minor_units

# Past this many distinct fine keys an import or a rebuild adds its sums to the table, so memory stays bounded.
FLUSH_AT = 100_000
NO_APPEAL = "-"
NO_CLUSTER = "-"  # money lines have no cluster
ALL_KINDS = "all"
# Dimensions also kept collapsed over line kinds and currencies ("donor:sum", kind "all", currency ""):
# only the converted value, so the dashboard ranks thousands of donors, and draws months, from a few rows.
SUMMED = frozenset(("donor", "recipient", "cluster", "month", "appeal", "appeal_donor", "appeal_recipient",
                    "appeal_cluster", "appeal_month"))  # fmt: skip


def appeal_key(appeal_id: int | None) -> str:
    return str(appeal_id) if appeal_id is not None else NO_APPEAL


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def id_key(record_id: int) -> str:
    return str(record_id)


def cluster_key(cluster: str | None) -> str:
    return cluster or NO_CLUSTER


@dataclass(frozen=True)
class Fine:
    """A finest dimension: the dimension it keys (and the appeal × it), from which row field, and how."""

    name: str
    field: str  # the FigureRow field summed by
    key: Callable[[Any], str]  # that field's value → the dimension's key


# In the order `TotalSums.add` takes the fields (a value date as its month's first day); "month" also rolls
# up into "appeal" and "all".
FINE = (
    Fine("month", "value_date", month_key),
    Fine("donor", "donor_id", id_key),
    Fine("recipient", "recipient_id", id_key),
    Fine("cluster", "cluster", cluster_key),
    Fine("item", "item_id", id_key),  # money lines have no item: they are in no item total
)

Key = tuple[str, str, str, str, str]  # a TotalKey's fields; a plain tuple, as it is made millions of times
Base = tuple[int | None, str, str, str]  # appeal id, bucket, kind, currency: what a row's fine keys share
Part = list[int]  # value_minor, quantity_milli, converted (in 10^exponent), unconverted_minor
FineSums = dict[Any, Part]  # one fine dimension: its field's value → the sums


# A TotalRow from a tuple of its fields (the NamedTuple's own constructor, taking them one by one as
# arguments, costs 0.1 µs more a row: an import or a rebuild writes hundreds of thousands).
_total_row: Callable[[tuple[Any, ...]], TotalRow] = partial(tuple.__new__, TotalRow)


class Rates(Protocol):
    """Where rates come from: a `RateBook`, or the writers' cache of them."""

    def in_force(self, currency: str, on: date, target: str) -> InForce | None: ...


class TotalSums:
    """What some ledger rows add to (or, signed, take from) the maintained totals, summed exactly in memory."""

    def __init__(self, reporting_currency: str, window_days: int, ordered: bool = False) -> None:
        self.reporting = reporting_currency
        self.window = window_days
        self.ordered = ordered  # sort the rows written (PostgreSQL: concurrent writers lock them in one order)
        self.exponent = 0  # converted sums and factors count units of 10^exponent
        # Per base, one dict per fine dimension (in FINE order): its value → the sums.
        self.fine: dict[Base, tuple[FineSums, FineSums, FineSums, FineSums, FineSums]] = {}
        self.keys = 0
        self._factor: dict[tuple[str, date], int | None] = {}  # rate × 10^-digits in 10^exponent; None: no rate
        self._month: dict[date, date] = {}  # a value date → its month's first day

    @staticmethod
    def pairs(rows: Iterable[FigureRow]) -> set[tuple[str, date]]:
        """The (currency, value date) pairs whose rates these rows need."""
        return {(row.currency, row.value_date) for row in rows if row.currency and row.value_date}

    def need(self, session: Session, pairs: set[tuple[str, date]]) -> None:
        """Read the rates that rows of these (currency, value date) will need, unless already known."""
        missing = {pair for pair in pairs if pair not in self._factor}
        if missing:
            self.learn(load_rates(session, missing, self.reporting, self.window), missing)

    def learn(self, book: Rates, pairs: set[tuple[str, date]]) -> None:
        """Take the rates of these pairs from `book` (`tracker.rates.convert`'s one rule)."""
        exact: dict[tuple[str, date], Decimal | None] = {}
        for currency, value_date in pairs:
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

    def add(self, rows: Iterable[FigureRow], sign: int = 1) -> None:
        """Sum these rows in (sign -1: take them away), without touching the database: their rates are known."""
        fine, factor, month_of = self.fine, self._factor, self._month
        for bucket, kind, item_id, currency, value, quantity, value_date, appeal_id, donor, recipient, cluster in rows:
            converted = unconverted = 0
            if currency and value:
                rate = factor[(currency, value_date)]  # type: ignore[index]  # totals rows carry every group
                if rate is None:
                    unconverted = value
                else:
                    converted = value * rate
            if sign < 0:
                value, quantity, converted, unconverted = -value, -quantity, -converted, -unconverted
            base = (appeal_id, bucket, kind, currency or "")
            dims = fine.get(base)
            if dims is None:
                dims = fine[base] = ({}, {}, {}, {}, {})
            month = month_of.get(value_date)  # type: ignore[arg-type]
            if month is None:
                month = month_of[value_date] = value_date.replace(day=1)  # type: ignore[union-attr,index]
            keys = (month, donor, recipient, cluster, item_id)  # FINE's fields
            for sums_of, key in zip(dims, keys if item_id is not None else keys[:4], strict=False):
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
        """Everything summed so far, as rows to add to `ledger_total` (none that is zero throughout).

        The sums then start again from nothing; the rates stay known."""
        rolled_up, exp, shift = self._rolled_up(), self.exponent, self.exponent + minor_digits(self.reporting)
        self.fine, self.keys = {}, 0
        parts = sorted(rolled_up.items()) if self.ordered else rolled_up.items()
        return [
            _total_row((*key, value, quantity, decimal_text(counted, exp), minor_units(counted, shift), unconverted))
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
            for fine, sums_of in zip(FINE, dims, strict=True):
                name, appeal_name, key_of = fine.name, f"appeal_{fine.name}", fine.key
                for value, part in sums_of.items():
                    dim_key = key_of(value)
                    # One base and one value: no other part has this key (the part itself is handed on).
                    sums[(appeal_name, f"{appeal}/{dim_key}", bucket, kind, currency)] = part
                    add((name, dim_key, bucket, kind, currency), part)
                    if name == "month":
                        add(("appeal", appeal, bucket, kind, currency), part)
                        add(("all", "", bucket, kind, currency), part)
        for (dim, dim_key, bucket, _kind, _currency), part in list(sums.items()):
            if dim in SUMMED and part[2]:
                add((f"{dim}:sum", dim_key, bucket, ALL_KINDS, ""), [0, 0, part[2], 0])
        return sums
