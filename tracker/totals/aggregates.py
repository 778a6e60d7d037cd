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
whole table can always be recomputed from the ledger (`rebuild_totals`, and `tracker
verify` compares), and property tests hold the two equal. A write's deltas, an import's
rows (`tracker.importing.writer`), a rebuild and verify's recomputation are all summed by
one algorithm, `tracker.totals.summing.TotalSums`.

A single write reads the totals' state, takes its rates from a per-process cache and
adds its deltas with one upsert (`tracker.totals.writes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.i18n import gettext
from tracker.core.money import minor_digits
from tracker.db.columns import counted_on, new_stamp, table_of, utcnow
from tracker.db.dialect import on_postgresql
from tracker.db.models import Contribution, LedgerTotal, TotalsState
from tracker.ledger.figures import GROUPS, FigureRow, Scope, figure_rows
from tracker.rates.convert import EXACT
from tracker.settings.current import effective_settings
from tracker.totals.summing import ALL_KINDS, SUMMED, TotalSums
from tracker.totals.writes import (
    CachedRates,
    TotalKey,
    TotalRow,
    add_rows,
    drop_zero_rows,
    exact_text,
    kept_state,
    rounded_minor,
    totals_state,
)

table = table_of(LedgerTotal)


@dataclass(slots=True)
class Sums:
    """The figures of one total, as Python compares them (`tracker verify`, the tests)."""

    value_minor: int = 0
    quantity_milli: int = 0
    converted: Decimal = field(default_factory=Decimal)
    unconverted_minor: int = 0

    def is_zero(self) -> bool:
        return not (self.value_minor or self.quantity_milli or self.converted or self.unconverted_minor)


def contribution_rows(session: Session, contribution_ids: Iterable[int]) -> list[FigureRow]:
    """What these contributions add to the totals now (nothing when void)."""
    ids = tuple(sorted(set(contribution_ids)))
    return figure_rows(session, Scope(contribution_ids=ids), GROUPS) if ids else []


def apply_change(session: Session, before: list[FigureRow], after: list[FigureRow]) -> None:
    """Move the maintained totals from `before` to `after`, in the caller's transaction.

    The rows before are taken away and the rows after added, in one sum; a total the
    change brings to zero in every figure is deleted."""
    if not before and not after:
        return
    kept = kept_state(session)
    connection = session.connection()
    sums = TotalSums(kept.reporting_currency, kept.window_days, ordered=on_postgresql(connection))
    pairs = TotalSums.pairs([*before, *after])
    if pairs:
        sums.learn(CachedRates(session, pairs, kept), pairs)
    sums.add(after)
    sums.add(before, -1)
    rows = sums.rows()
    add_rows(connection, rows, minor_digits(kept.reporting_currency))
    drop_zero_rows(connection, [row.key for row in rows if row.lowers()])


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
    # Added to the table whenever the sums grow past their bound, as an import's are: memory stays bounded.
    summed = _sum_ledger(session, state.reporting_currency, state.window_days, flushing=True)
    summed.flush(session)
    session.flush()
    written: int = session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return written


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
) -> dict[TotalKey, Sums]:
    """Every total (of the scope, and these currencies, if given), from the ledger; none that is zero."""
    return {
        row.key: Sums(row.value_minor, row.quantity_milli, Decimal(row.converted), row.unconverted_minor)
        for row in computed_rows(session, reporting_currency, window_days, currencies, scope)
    }


def computed_rows(
    session: Session,
    reporting_currency: str,
    window_days: int,
    currencies: set[str] | None = None,
    scope: Scope | None = None,
    pairs: set[tuple[str, date]] | None = None,
) -> list[TotalRow]:
    """The rows `ledger_total` holds for the scope (default: the whole ledger), computed from the ledger.

    `pairs`, if given, gets every (currency, value date) with a value counted: the rates the rows used."""
    return _sum_ledger(session, reporting_currency, window_days, currencies, scope, pairs=pairs).rows()


def _sum_ledger(
    session: Session,
    reporting_currency: str,
    window_days: int,
    currencies: set[str] | None = None,
    scope: Scope | None = None,
    flushing: bool = False,
    pairs: set[tuple[str, date]] | None = None,
) -> TotalSums:
    """The ledger (in scope) summed, a month of value dates at a time; `flushing`: added to the table past the bound."""
    sums = TotalSums(reporting_currency, window_days, ordered=on_postgresql(session))
    scope = scope or Scope()
    day = counted_on(table_of(Contribution))  # the months are of the days contributions count on
    bounds = session.execute(sa.select(sa.func.min(day), sa.func.max(day)).where(*scope.conditions())).one()
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
        needed = TotalSums.pairs(rows)
        sums.need(session, needed)
        if pairs is not None:
            pairs.update((row.currency, row.value_date) for row in rows if row.currency and row.value_minor)  # type: ignore[misc]
        sums.add(rows)
        if flushing and sums.full:
            sums.flush(session)
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
    summed: dict[TotalKey, Decimal] = defaultdict(Decimal)  # the collapsed rows move by what their parts moved
    for row in current:
        value = fresh.get(TotalKey(row["dim"], row["dim_key"], row["bucket"], row["kind"], row["currency"]), Sums())
        if row["dim"] in SUMMED:
            moved = TotalKey(f"{row['dim']}:sum", row["dim_key"], row["bucket"], ALL_KINDS, "")
            summed[moved] = EXACT.add(summed[moved], EXACT.subtract(value.converted, Decimal(row["converted"])))
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
    reporting = state.reporting_currency
    moves = [
        TotalRow(*key, 0, 0, exact_text(moved), rounded_minor(moved, reporting), 0)
        for key, moved in sorted(summed.items())
        if moved
    ]
    add_rows(session.connection(), moves, minor_digits(reporting))
    drop_zero_rows(session.connection(), [row.key for row in moves if row.lowers()])


def stored_totals(session: Session) -> dict[TotalKey, Sums]:
    """The maintained totals as stored, in the same shape as `compute_totals`."""
    found: dict[TotalKey, Sums] = {}
    for row in session.execute(sa.select(table)).mappings():
        key = TotalKey(row["dim"], row["dim_key"], row["bucket"], row["kind"], row["currency"])
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
    fresh = compute_totals(session, state.reporting_currency, state.window_days)
    stored = stored_totals(session)
    problems = []
    for key in sorted(set(fresh) | set(stored)):
        if fresh.get(key, Sums()) != stored.get(key, Sums()):
            problems.append(f"total {'/'.join(key)}: stored {stored.get(key)} but the ledger gives {fresh.get(key)}")
            if len(problems) >= limit:
                break
    return problems
