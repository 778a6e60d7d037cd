"""The maintained totals of a bulk import: deltas summed from the rows in hand, added to `ledger_total` in batches.

`aggregates.apply_change` re-reads what was just written and walks every dimension
for every row; an import already holds each row's facts, and only ever adds. So rows
are summed once per (appeal × month, donor, recipient, cluster, item) — the finest
dimensions — and the coarser ones (all, month, donor, … and the "sum" rows collapsed
over kinds and currencies) are rolled up from those sums when the batch is added.
Converted values are exact decimals, so summing in another order changes nothing;
`tracker verify` and the tests hold the result equal to a full recomputation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from tracker.aggregates import (
    ALL_KINDS,
    DIMENSIONS,
    NO_CLUSTER,
    SUMMED,
    Key,
    appeal_key,
    totals_state,
)
from tracker.convert import EXACT, load_rates
from tracker.money import minor_digits
from tracker.totals_writes import add_rows, exact_text, rounded_minor

# Past this many distinct fine keys, the sums are added to the table, so memory stays bounded.
FLUSH_AT = 100_000
# The finest dimensions a row is summed under; every other dimension is one of these summed further.
FINE = ("month", "donor", "recipient", "cluster", "item")
assert set(DIMENSIONS) == {"all", "appeal", *FINE, *(f"appeal_{name}" for name in FINE)}, "dimensions changed"
# (bucket, kind, item_id, currency, value_minor, quantity_milli, value_date, appeal_id, donor_id, recipient_id, cluster)
ImportedLine = tuple[str, str, int | None, str | None, int, int, date, int | None, int, int, str | None]
FineKey = tuple[str, str, str, str, str, str]  # finest dimension, appeal key, its key, bucket, kind, currency


class ImportTotals:
    """What an import adds to the maintained totals, summed in memory and added in the import's transaction."""

    def __init__(self, session: Session) -> None:
        state = totals_state(session)
        self.reporting = state.reporting_currency
        self.window = state.window_days
        self.fine: dict[FineKey, list] = {}
        self._factor: dict[tuple[str, date], Decimal | None] = {}  # rate × 10^-digits, None when missing
        self._month: dict[date, str] = {}

    def need(self, session: Session, pairs: set[tuple[str, date]]) -> None:
        """Read the rates that lines of these (currency, value date) will need, unless already known."""
        missing = {pair for pair in pairs if pair not in self._factor}
        if not missing:
            return
        book = load_rates(session, missing, self.reporting, self.reporting, self.window)
        for currency, value_date in missing:
            scale = Decimal(1).scaleb(-minor_digits(currency))
            if currency == self.reporting:
                self._factor[(currency, value_date)] = scale
                continue
            found = book.find(currency, value_date)
            self._factor[(currency, value_date)] = EXACT.multiply(found.rate, scale) if found else None

    @property
    def full(self) -> bool:
        """Whether the sums have grown past `FLUSH_AT` keys and should be added to the table."""
        return len(self.fine) > FLUSH_AT

    def add(self, lines: Iterable[ImportedLine]) -> None:
        """Sum these lines in, without touching the database: `need` has read their rates."""
        fine, factor, month_of, zero = self.fine, self._factor, self._month, Decimal(0)
        for bucket, kind, item_id, currency, value, quantity, value_date, appeal_id, donor, recipient, cluster in lines:
            converted, unconverted = zero, 0
            if currency and value:
                rate = factor[(currency, value_date)]
                if rate is None:
                    unconverted = value
                else:
                    converted = EXACT.multiply(Decimal(value), rate)
            month = month_of.get(value_date)
            if month is None:
                month = month_of[value_date] = f"{value_date:%Y-%m}"
            appeal, currency = appeal_key(appeal_id), currency or ""
            keys = [
                ("month", appeal, month, bucket, kind, currency),
                ("donor", appeal, str(donor), bucket, kind, currency),
                ("recipient", appeal, str(recipient), bucket, kind, currency),
                ("cluster", appeal, cluster or NO_CLUSTER, bucket, kind, currency),
            ]
            if item_id is not None:
                keys.append(("item", appeal, str(item_id), bucket, kind, currency))
            for key in keys:
                sums = fine.get(key)
                if sums is None:
                    fine[key] = [value, quantity, converted, unconverted]
                else:
                    sums[0] += value
                    sums[1] += quantity
                    sums[2] = EXACT.add(sums[2], converted)
                    sums[3] += unconverted

    def flush(self, session: Session) -> None:
        """Add everything summed so far to `ledger_total`."""
        if self.fine:
            _apply(session, self._rolled_up(), self.reporting)
            self.fine = {}

    def _rolled_up(self) -> dict[Key, list]:
        """Every dimension's sums, from the finest ones."""
        sums: dict[Key, list] = {}

        def add(key: Key, part: list) -> None:
            found = sums.get(key)
            if found is None:
                sums[key] = list(part)
            else:
                found[0] += part[0]
                found[1] += part[1]
                found[2] = EXACT.add(found[2], part[2])
                found[3] += part[3]

        for (dim, appeal, dim_key, bucket, kind, currency), part in self.fine.items():
            add((f"appeal_{dim}", f"{appeal}/{dim_key}", bucket, kind, currency), part)
            add((dim, dim_key, bucket, kind, currency), part)
            if dim == "month":
                add(("appeal", appeal, bucket, kind, currency), part)
                add(("all", "", bucket, kind, currency), part)
        for (dim, dim_key, bucket, _kind, _currency), part in list(sums.items()):
            if dim in SUMMED and part[2]:
                add((f"{dim}:sum", dim_key, bucket, ALL_KINDS, ""), [0, 0, part[2], 0])
        return sums


def _apply(session: Session, deltas: dict[Key, list], reporting: str) -> None:
    """Add the deltas to the stored rows, in one upsert."""
    rows = [
        (*key, part[0], part[1], exact_text(part[2]), rounded_minor(part[2], reporting), part[3])
        for key, part in sorted(deltas.items())
        if any(part)
    ]
    add_rows(session.connection(), rows, minor_digits(reporting))  # type: ignore[arg-type]
