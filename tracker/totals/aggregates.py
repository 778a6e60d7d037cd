"""Maintained totals: the ledger summed per dimension, updated in the same transaction as every write.

Each row of `ledger_total` holds, for one dimension key (all, an appeal, a month,
a donor, a recipient, a cluster, an item, and the appeal × each of those), one
bucket (paid; committed and pledged as outstanding remainders), one line kind and
one currency: the value in minor units, the quantity, the value converted into the
reporting currency as an exact decimal (each amount at its own value date's rate in
force, `tracker.rates.convert`'s one rule, crossed through the currency the rates are stored in),
and the part that could not be converted for want of a rate. Converted values depend on
the value date, which most keys have summed away, so the totals are kept in one target:
changing the reporting currency (or the window) on /settings recomputes them
(`ensure_totals`), and the dashboard reads them as they are.

Writes apply deltas: the rows a contribution adds, or — when a status moves, a
pledge is fulfilled or something is voided — the difference between a contribution's
rows before and after. A rate import re-converts the rows of its currencies. The
whole table can always be recomputed from the ledger (`rebuild_totals`), and a
property test holds the two equal.

A single write reads the totals' state, takes its rates from a per-process cache and
adds its deltas with one upsert (`tracker.totals.writes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.i18n import gettext
from tracker.core.money import Money, minor_digits
from tracker.db.columns import new_stamp, table_of, utcnow
from tracker.db.models import Contribution, LedgerTotal, TotalsState
from tracker.ledger.figures import FigureRow, Scope, figure_rows
from tracker.rates.convert import EXACT, RateBook, load_rates
from tracker.settings.current import effective_settings
from tracker.totals.writes import (
    CachedRates,
    add_rows,
    drop_zero_rows,
    exact_text,
    kept_state,
    rounded_minor,
    totals_state,
)

table = table_of(LedgerTotal)
GROUPS = ("value_date", "appeal_id", "donor_id", "recipient_id", "cluster")
NO_APPEAL = "-"
NO_CLUSTER = "-"  # money lines have no cluster

# How each dimension keys a row, from (value_date, appeal_id, donor_id, recipient_id, cluster, item_id).
Keyer = Callable[[date, str, int, int, str, int | None], str | None]
DIMENSIONS: dict[str, Keyer] = {
    "all": lambda d, a, dn, r, c, i: "",
    "month": lambda d, a, dn, r, c, i: f"{d:%Y-%m}",
    "donor": lambda d, a, dn, r, c, i: str(dn),
    "recipient": lambda d, a, dn, r, c, i: str(r),
    "cluster": lambda d, a, dn, r, c, i: c,
    "item": lambda d, a, dn, r, c, i: str(i) if i is not None else None,
    "appeal": lambda d, a, dn, r, c, i: a,
    "appeal_month": lambda d, a, dn, r, c, i: f"{a}/{d:%Y-%m}",
    "appeal_donor": lambda d, a, dn, r, c, i: f"{a}/{dn}",
    "appeal_recipient": lambda d, a, dn, r, c, i: f"{a}/{r}",
    "appeal_cluster": lambda d, a, dn, r, c, i: f"{a}/{c}",
    "appeal_item": lambda d, a, dn, r, c, i: f"{a}/{i}" if i is not None else None,
}
Key = tuple[str, str, str, str, str]  # dim, dim_key, bucket, kind, currency
# Dimensions also kept collapsed over line kinds and currencies ("donor:sum", kind "all", currency ""):
# only the converted value, so the dashboard ranks thousands of donors, and draws months, from a few rows.
SUMMED = ("donor", "recipient", "cluster", "month", "appeal", "appeal_donor", "appeal_recipient", "appeal_cluster",
          "appeal_month")  # fmt: skip
ALL_KINDS = "all"
REBUILD_BATCH = 5000


@dataclass(slots=True)  # a rebuild holds one per total: a million and more on a large ledger
class Sums:
    """The figures of one row; added up exactly."""

    value_minor: int = 0
    quantity_milli: int = 0
    converted: Decimal = field(default_factory=Decimal)
    unconverted_minor: int = 0

    def is_zero(self) -> bool:
        return not (self.value_minor or self.quantity_milli or self.converted or self.unconverted_minor)


def appeal_key(appeal_id: int | None) -> str:
    return str(appeal_id) if appeal_id is not None else NO_APPEAL


def contribution_rows(session: Session, contribution_ids: Iterable[int]) -> list[FigureRow]:
    """What these contributions add to the totals now (nothing when void)."""
    ids = tuple(sorted(set(contribution_ids)))
    return figure_rows(session, Scope(contribution_ids=ids), GROUPS) if ids else []


def apply_change(session: Session, before: list[FigureRow], after: list[FigureRow]) -> None:
    """Move the maintained totals from `before` to `after`, in the caller's transaction."""
    if not before and not after:
        return
    kept = kept_state(session)
    book = CachedRates(session, [*before, *after], kept)
    deltas: dict[Key, Sums] = defaultdict(Sums)
    _accumulate(deltas, after, book, kept.reporting_currency, +1)
    _accumulate(deltas, before, book, kept.reporting_currency, -1)
    _add(session, deltas, kept.reporting_currency)


def rebuild_totals(session: Session, reporting_currency: str | None = None, window_days: int | None = None) -> int:
    """Recompute every maintained total from the ledger; returns the number of rows written."""
    settings = effective_settings(session)
    state = totals_state(session)
    state.reporting_currency = reporting_currency or settings.reporting_currency
    state.window_days = settings.rate_window_days if window_days is None else window_days
    state.rebuilt_at = utcnow()
    state.rates_stamp = new_stamp()
    session.add(state)
    session.execute(table.delete())
    sums = compute_totals(session, state.reporting_currency, state.window_days)
    connection, digits = session.connection(), minor_digits(state.reporting_currency)
    written, batch = 0, []
    for key, value in sums.items():  # in batches: the rows never all exist at once beside the sums
        if not value.is_zero():
            batch.append((*key, *_figures(value, state.reporting_currency)))
        if len(batch) == REBUILD_BATCH:
            add_rows(connection, batch, digits)  # the table is empty: every row is an insert
            written, batch = written + len(batch), []
    add_rows(connection, batch, digits)
    session.flush()
    return written + len(batch)


def ensure_totals(session: Session) -> bool:
    """Rebuild when the totals were never computed or were kept in another currency or window; True if rebuilt."""
    settings = effective_settings(session)
    state = session.get(TotalsState, 1)
    if (
        state is not None
        and state.reporting_currency == settings.reporting_currency
        and state.window_days == settings.rate_window_days
    ):
        return False
    rebuild_totals(session)
    return True


def compute_totals(
    session: Session,
    reporting_currency: str,
    window_days: int,
    currencies: set[str] | None = None,
    scope: Scope | None = None,
) -> dict[Key, Sums]:
    """Every total (of the scope, if given), from the ledger, a month of value dates at a time."""
    state = TotalsState(reporting_currency=reporting_currency, window_days=window_days)
    sums: dict[Key, Sums] = defaultdict(Sums)
    scope = scope or Scope()
    bounds = session.execute(
        sa.select(sa.func.min(Contribution.value_date), sa.func.max(Contribution.value_date)).where(*scope.conditions())
    ).one()
    if bounds[0] is None:
        return sums
    start = bounds[0].replace(day=1)
    while start <= bounds[1]:
        end = (start + timedelta(days=32)).replace(day=1)
        last_day = end - timedelta(days=1) if scope.date_to is None else min(end - timedelta(days=1), scope.date_to)
        month = replace(scope, date_from=max(start, scope.date_from or start), date_to=last_day)
        rows = figure_rows(session, month, GROUPS)
        if currencies is not None:
            rows = [row for row in rows if row.currency in currencies]
        _accumulate(sums, rows, _rate_book(session, rows, state), reporting_currency, +1)
        start = end
    return sums


def rates_changed(session: Session, currencies: set[str], quote_currency: str) -> None:
    """Re-convert the totals of these currencies after their rates (quoted in `quote_currency`) changed.

    Totals in T convert C at rate_B(C) / rate_B(T) through a base B (`tracker.rates.convert`): a
    new rate of C, in whatever B, moves only C's conversions — unless C is T, whose rate is
    every cross rate's divisor, and then everything is recomputed.
    """
    state = totals_state(session)
    state.rates_stamp = new_stamp()  # the writers' cached rates of the old stamp are no longer read
    session.add(state)
    if state.reporting_currency in currencies:
        rebuild_totals(session, state.reporting_currency, state.window_days)
        return
    currencies = {c for c in currencies if c != state.reporting_currency}
    if not currencies:
        return
    fresh = compute_totals(session, state.reporting_currency, state.window_days, currencies)
    current = session.execute(sa.select(table).where(table.c.currency.in_(currencies))).mappings().all()
    updates = []
    summed: dict[Key, Sums] = defaultdict(Sums)  # the collapsed rows move by what their parts moved
    for row in current:
        key = (row["dim"], row["dim_key"], row["bucket"], row["kind"], row["currency"])
        value = fresh.get(key, Sums())
        if row["dim"] in SUMMED:
            moved = summed[(f"{row['dim']}:sum", row["dim_key"], row["bucket"], ALL_KINDS, "")]
            moved.converted = EXACT.add(moved.converted, EXACT.subtract(value.converted, Decimal(row["converted"])))
        updates.append(
            {
                "row_id": row["id"],
                "converted": exact_text(value.converted),
                "converted_minor": rounded_minor(value.converted, state.reporting_currency),
                "unconverted_minor": value.unconverted_minor,
            }
        )
    if updates:
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(
                converted=sa.bindparam("converted"),
                converted_minor=sa.bindparam("converted_minor"),
                unconverted_minor=sa.bindparam("unconverted_minor"),
            )
        )
        session.execute(statement, updates)
    _add(session, summed, state.reporting_currency)


def _rate_book(session: Session, rows: list[FigureRow], state: TotalsState) -> RateBook:
    needed = {(row.currency, row.keys[0]) for row in rows if row.currency}
    return load_rates(session, needed, state.reporting_currency, state.window_days)


def _accumulate(
    sums: dict[Key, Sums], rows: list[FigureRow], book: RateBook | CachedRates, reporting: str, sign: int
) -> None:
    for row in rows:
        value_date, appeal_id, donor_id, recipient_id, cluster = row.keys
        converted, unconverted = _convert(row, value_date, book, reporting)
        if sign < 0:
            converted = EXACT.minus(converted)  # `-converted` would round to the default context's 28 digits
        appeal = appeal_key(appeal_id)
        for dim, keyer in DIMENSIONS.items():
            dim_key = keyer(value_date, appeal, donor_id, recipient_id, cluster or NO_CLUSTER, row.item_id)
            if dim_key is None:
                continue
            target = sums[(dim, dim_key, row.bucket, row.kind, row.currency or "")]
            target.value_minor += sign * row.value_minor
            target.quantity_milli += sign * row.quantity_milli
            target.converted = EXACT.add(target.converted, converted)
            target.unconverted_minor += sign * unconverted
            if dim in SUMMED and converted:
                summed = sums[(f"{dim}:sum", dim_key, row.bucket, ALL_KINDS, "")]
                summed.converted = EXACT.add(summed.converted, converted)


def _convert(row: FigureRow, value_date: date, book: RateBook | CachedRates, reporting: str) -> tuple[Decimal, int]:
    if not row.currency or not row.value_minor:
        return Decimal(0), 0
    found = book.in_force(row.currency, value_date, reporting)
    if found is None:
        return Decimal(0), row.value_minor
    return found.times(Money.from_minor(row.value_minor, row.currency).amount), 0


def _add(session: Session, deltas: dict[Key, Sums], reporting: str) -> None:
    """Add deltas to the stored rows: one upsert for all of them, then drop the rows that came to zero."""
    # Sorted: concurrent writers lock the rows in the same order (no deadlock on PostgreSQL).
    rows = [(*key, *_figures(value, reporting)) for key, value in sorted(deltas.items()) if not value.is_zero()]
    if not rows:
        return
    add_rows(session.connection(), rows, minor_digits(reporting))
    lowered = [
        key
        for key, value in sorted(deltas.items())
        if value.value_minor < 0 or value.quantity_milli < 0 or value.converted < 0 or value.unconverted_minor < 0
    ]
    drop_zero_rows(session.connection(), lowered)


def _figures(value: Sums, reporting: str) -> tuple[int, int, str, int, int]:
    """A row's figures in `totals_writes.ROW_COLUMNS` order."""
    exact = value.converted
    return (
        value.value_minor,
        value.quantity_milli,
        exact_text(exact),
        rounded_minor(exact, reporting),
        value.unconverted_minor,
    )


def stored_totals(session: Session) -> dict[Key, Sums]:
    """The maintained totals as stored, in the same shape as `compute_totals`."""
    found: dict[Key, Sums] = {}
    for row in session.execute(sa.select(table)).mappings():
        key = (row["dim"], row["dim_key"], row["bucket"], row["kind"], row["currency"])
        found[key] = Sums(
            row["value_minor"], row["quantity_milli"], Decimal(row["converted"]), row["unconverted_minor"]
        )
    return found


def totals_differences(session: Session, limit: int = 20) -> list[str]:
    """Where the maintained totals differ from a full recomputation from the ledger (empty when they agree)."""
    state = session.get(TotalsState, 1)
    if state is None:
        recorded = session.execute(sa.select(sa.func.count()).select_from(Contribution)).scalar_one()
        return [gettext("the maintained totals were never computed: run tracker db rebuild-totals")] if recorded else []
    fresh = {
        k: v for k, v in compute_totals(session, state.reporting_currency, state.window_days).items() if not v.is_zero()
    }
    stored = stored_totals(session)
    problems = []
    for key in sorted(set(fresh) | set(stored)):
        if fresh.get(key, Sums()) != stored.get(key, Sums()):
            problems.append(f"total {'/'.join(key)}: stored {stored.get(key)} but the ledger gives {fresh.get(key)}")
            if len(problems) >= limit:
                break
    return problems
