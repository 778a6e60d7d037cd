"""The summary report from the maintained totals: all time read from the table, a period summed once from its entries.

All time (the whole ledger or one appeal) reads `ledger_total` as the dashboard does
(`StoredTotals`); a period sums its entries once into the same rows (`PeriodTotals`, one
grouped pass over the value-date index, each (currency, value date) converted once by
`TotalSums`). Every figure is then an exact sum of the stored converted values, rounded once:
the same, to the minor unit, as `summary.ledger_summary` reading the ledger row by row (the
property tests hold them equal). The totals are kept in one currency and rate window; a
report in another currency or window is computed from the ledger.

Donors are ranked from their collapsed funding rows and only the top `top` are read in
detail; the rest are summed as the whole less the top. What had no rate is known per
currency only (its value dates are summed away); the rates used are the rates in force
for every (currency, value date) with a value counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.money import Money, check_currency, minor_digits
from tracker.core.vocabulary import BUCKETS, FUNDING, OUTSTANDING, Bucket, LineKind
from tracker.db.models import Appeal, Contribution, ContributionLine, LedgerTotal
from tracker.ledger.figures import GROUPS, Scope, figure_rows, live
from tracker.rates.convert import EXACT, ConvertedTotal, RateUsed, Unconverted, load_rates, quoted_in
from tracker.reporting.dashboard import PeriodTotals, Source, StoredTotals, _labels, _original_totals, _scoped
from tracker.reporting.reports.converted import ConvertedFigures, Split
from tracker.reporting.reports.donor import check_period
from tracker.reporting.reports.items import item_figures, valuation_bases
from tracker.reporting.reports.summary import (
    TOP_DONORS,
    AppealGroup,
    Group,
    OtherDonors,
    SummaryReport,
    _currencies,
    _target,
    ledger_summary,
)
from tracker.settings.current import effective_settings
from tracker.totals.summing import NO_APPEAL, NO_CLUSTER
from tracker.totals.writes import totals_state

table = LedgerTotal.__table__  # type: ignore[attr-defined]
contribution = Contribution.__table__  # type: ignore[attr-defined]
line = ContributionLine.__table__  # type: ignore[attr-defined]
Part = tuple[str, bool]  # a bucket, and whether money (True) or in kind


class _Figures(Protocol):
    """The figures of some parts, as `summary_report` makes them (in its currency, window and rates)."""

    def __call__(self, parts: Parts, rates: tuple[RateUsed, ...] = ()) -> ConvertedFigures: ...


class Parts:
    """Exact converted sums and unconverted minor units of some total rows, per bucket and cash or in kind."""

    def __init__(self) -> None:
        self.converted: dict[Part, Decimal] = defaultdict(Decimal)
        self.missing: dict[Part, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, row: Mapping, sign: int = 1) -> None:
        part = (row["bucket"], row["kind"] == LineKind.MONEY)
        if row["converted"] != "0":
            found = Decimal(row["converted"])
            self.converted[part] = EXACT.add(self.converted[part], found if sign > 0 else -found)
        if row["unconverted_minor"]:
            self.missing[part][row["currency"]] += sign * row["unconverted_minor"]

    def less(self, others: Iterable[Parts]) -> Parts:
        """These sums less the others', exactly."""
        rest = Parts()
        for part, value in self.converted.items():
            rest.converted[part] = value
        for part, found in self.missing.items():
            rest.missing[part].update(found)
        for other in others:
            for part, value in other.converted.items():
                rest.converted[part] = EXACT.subtract(rest.converted[part], value)
            for part, found in other.missing.items():
                for currency, minor in found.items():
                    rest.missing[part][currency] -= minor
        return rest

    def funding(self, currency: str) -> Decimal:
        """Paid and committed, converted and rounded once: what groups are ranked by."""
        exact = sum((self.converted.get((b, m), Decimal(0)) for b in FUNDING for m in (True, False)), Decimal(0))
        return _rounded(exact, currency)


def summary_report(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    appeal: Appeal | None = None,
    currency: str | None = None,
    reporting_currency: str | None = None,
    window_days: int | None = None,
    top: int = TOP_DONORS,
    today: date | None = None,
) -> SummaryReport:
    """The summary of a period (value dates, both inclusive), for the whole ledger or one appeal, from the totals."""
    check_period(date_from, date_to)
    settings = effective_settings(session)
    reporting = reporting_currency or settings.reporting_currency
    target = check_currency(currency or reporting, "currency")
    window = settings.rate_window_days if window_days is None else window_days
    state = totals_state(session)
    if (target, window) != (state.reporting_currency, state.window_days):
        return ledger_summary(session, date_from, date_to, appeal, currency, reporting, window, top, today)
    today = today or date.today()
    scope = Scope(appeal_id=appeal.id if appeal else None, date_from=date_from, date_to=date_to)
    source: Source
    if date_from is None and date_to is None:
        source = StoredTotals(session)
        pairs = used_pairs(session, scope)
    else:
        source = PeriodTotals(session, scope, target, window)
        pairs = source.pairs
    key = str(appeal.id) if appeal else None
    headline = source.select("appeal" if key else "all", key or "")
    whole = _parts(headline)
    book = load_rates(session, pairs, target, window)
    legs = {leg for c, d in pairs if (found := book.in_force(c, d, target)) for leg in found.legs}
    used = tuple(sorted(legs, key=_rate_order))
    on = date_to or today  # what had no rate is shown per currency: its value dates are summed away

    def figures(parts: Parts, rates: tuple[RateUsed, ...] = ()) -> ConvertedFigures:
        return _figures(parts, target, window, on, rates)

    totals, items = _original_totals(session, source, headline, key)
    bases = valuation_bases(session, scope)
    donors, rest = _donors(session, source, key, whole, top, target, figures)
    return SummaryReport(
        date_from=date_from,
        date_to=date_to,
        appeal=appeal,
        currency=target,
        reporting_currency=reporting,
        today=today,
        totals=totals,
        figures=figures(whole, used),
        by_appeal=_appeals(session, source, appeal, target, today, figures),
        by_donor=donors,
        other_donors=rest,
        by_recipient=_groups(session, source, "recipient", key, target, figures),
        by_cluster=_groups(session, source, "cluster", key, target, figures),
        by_currency=_currencies(totals),
        by_month=_groups(session, source, "month", key, target, figures, ranked=False),
        goods_and_services={bucket: item_figures(totals.bucket(bucket), items, bases) for bucket in BUCKETS},
        used=used,
    )


def used_pairs(session: Session, scope: Scope) -> set[tuple[str, date]]:
    """Every (currency, value date) with a value counted in scope: the pairs whose rates the figures used.

    Entries counted in full, from one query over the ledger; open promises that something fulfils,
    from their remainders (`figure_rows`), as only what is still outstanding counts."""
    fulfiller = contribution.alias("fulfiller")
    fulfilled = sa.exists().where(fulfiller.c.fulfils_id == contribution.c.id, live(fulfiller))
    statement = (
        sa.select(line.c.currency, contribution.c.value_date)
        .select_from(line.join(contribution, line.c.contribution_id == contribution.c.id))
        .where(*scope.conditions(), line.c.currency.is_not(None), line.c.value_minor != 0)
        .where(sa.or_(contribution.c.status == Bucket.PAID, ~fulfilled))
        .distinct()
    )
    pairs = {(currency, day) for currency, day in session.execute(statement)}
    promised = (
        sa.select(contribution.c.id)
        .where(*scope.conditions(), contribution.c.status != Bucket.PAID, fulfilled)
        .order_by(contribution.c.id)
    )
    ids = tuple(session.execute(promised).scalars())
    for start in range(0, len(ids), 500):
        part = Scope(contribution_ids=ids[start : start + 500])
        for row in figure_rows(session, part, GROUPS[:1]):
            if row.currency and row.value_minor:
                pairs.add((row.currency, row.value_date))
    return {(c, d if isinstance(d, date) else date.fromisoformat(d)) for c, d in pairs}


def _rate_order(rate: RateUsed) -> tuple[str, date, Decimal, str, str]:
    """RateUsed's own order, as a plain tuple (the dataclass's comparison cost a second for 17,000 rates)."""
    return (rate.currency, rate.rate_date, rate.rate, rate.source, rate.quote_currency)


def _parts(rows: Iterable[Mapping]) -> Parts:
    parts = Parts()
    for row in rows:
        parts.add(row)
    return parts


def _rounded(exact: Decimal, currency: str) -> Decimal:
    return exact.quantize(Decimal(1).scaleb(-minor_digits(currency)), rounding=ROUND_HALF_UP)


def _figures(parts: Parts, currency: str, window: int, on: date, rates: tuple[RateUsed, ...] = ()) -> ConvertedFigures:
    """Paid, committed, pledged and written off, cash and in kind apart and together, each rounded once."""
    quote = quoted_in(rates, currency)

    def total(buckets: tuple[str, ...], kinds: tuple[bool, ...]) -> ConvertedTotal:
        exact = Decimal(0)
        missing: dict[str, int] = defaultdict(int)
        for bucket in buckets:
            for money in kinds:
                exact = EXACT.add(exact, parts.converted.get((bucket, money), Decimal(0)))
                for code, minor in parts.missing.get((bucket, money), {}).items():
                    missing[code] += minor
        unconverted = tuple(
            Unconverted(Money.from_minor(minor, code), on, code) for code, minor in sorted(missing.items()) if minor
        )
        return ConvertedTotal(Money(_rounded(exact, currency), currency), unconverted, rates, quote, window)

    def split(buckets: tuple[str, ...]) -> Split:
        return Split(total(buckets, (True,)), total(buckets, (False,)), total(buckets, (True, False)))

    return ConvertedFigures(
        currency=currency,
        paid=split((Bucket.PAID,)),
        committed=split((Bucket.COMMITTED,)),
        pledged=split((Bucket.PLEDGED,)),
        funding=split(FUNDING),
        outstanding=split(OUTSTANDING),
        written_off=split((Bucket.WRITTEN_OFF,)),
    )


def _grouped(source: Source, dim: str, scope: str | None) -> dict[str, Parts]:
    """A dimension's rows (of one appeal, if scoped), summed per key (without the appeal's prefix)."""
    name, prefix = _scoped(dim, scope)
    found: dict[str, Parts] = defaultdict(Parts)
    for row in source.select(name, prefix=prefix):
        found[row["dim_key"][len(prefix) :] if prefix else row["dim_key"]].add(row)
    return found


def _groups(
    session: Session,
    source: Source,
    dim: str,
    scope: str | None,
    currency: str,
    figures: _Figures,
    ranked: bool = True,
) -> list[Group]:
    """Every recipient, cluster or month: by funding, largest first, then by name (cash without a cluster last)."""
    found = _grouped(source, dim, scope)
    keys: dict[str, str | None] = {k: None if (dim == "cluster" and k == NO_CLUSTER) else k for k in found}
    labels = _labels(session, dim, list(found))
    if ranked:
        amounts = {k: parts.funding(currency) for k, parts in found.items()}
        order = sorted(found, key=lambda k: (keys[k] is None, -amounts[k], labels.get(k) or k))
    else:
        order = sorted(found)
    return [Group(keys[k], labels.get(k), figures(found[k])) for k in order]


def _donors(
    session: Session,
    source: Source,
    scope: str | None,
    whole: Parts,
    top: int,
    currency: str,
    figures: _Figures,
) -> tuple[list[Group], OtherDonors | None]:
    """The `top` donors by funding (then by name), read in detail; the others as the whole less them."""
    name, prefix = _scoped("donor", scope)
    cut = len(prefix) if prefix else 0
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for row in source.select(f"{name}:sum", prefix=prefix):
        if row["bucket"] in FUNDING:
            exact[row["dim_key"][cut:]] = EXACT.add(exact[row["dim_key"][cut:]], Decimal(row["converted"]))
    amounts = {k: _rounded(v, currency) for k, v in exact.items()}
    every = _keys(source, name, prefix)
    wanted = max(top, 0)
    ordered = sorted(every, key=lambda k: -amounts.get(k, Decimal(0)))
    if not ordered or not wanted:
        shown: list[str] = []
    else:
        last = amounts.get(ordered[min(wanted, len(ordered)) - 1], Decimal(0))
        candidates = [k for k in ordered if amounts.get(k, Decimal(0)) >= last]
        labels = _labels(session, "donor", candidates)
        shown = sorted(candidates, key=lambda k: (-amounts.get(k, Decimal(0)), labels.get(k) or k))[:wanted]
    labels = _labels(session, "donor", shown)
    detail: dict[str, Parts] = defaultdict(Parts)
    for row in source.select_keys(name, [f"{prefix or ''}{k}" for k in shown]):
        detail[row["dim_key"][cut:]].add(row)
    groups = [Group(k, labels.get(k), figures(detail[k])) for k in shown]
    others = len(every) - len(shown)
    rest = OtherDonors(others, figures(whole.less(detail.values()))) if others else None
    return groups, rest


def _keys(source: Source, dim: str, prefix: str | None) -> set[str]:
    """Every key a dimension has a total for (without the appeal's prefix)."""
    cut = len(prefix) if prefix else 0
    if isinstance(source, PeriodTotals):
        return {r["dim_key"][cut:] for r in source.rows.get(dim, []) if not prefix or r["dim_key"].startswith(prefix)}
    statement = sa.select(table.c.dim_key).where(table.c.dim == dim).distinct()
    if prefix:
        statement = statement.where(table.c.dim_key.startswith(prefix, autoescape=True))
    return {key[cut:] for key in source.session.execute(statement).scalars()}


def _appeals(
    session: Session, source: Source, only: Appeal | None, currency: str, today: date, figures: _Figures
) -> list[AppealGroup]:
    """Each appeal (by code; outside any appeal last) with its figures against its target."""
    found = _grouped(source, "appeal", None)
    ids = {int(k) for k in found if k != NO_APPEAL} | ({only.id} if only and only.id else set())
    if only is not None:
        ids, found = {only.id} if only.id else set(), {k: v for k, v in found.items() if k == str(only.id)}
    appeals = {a.id: a for a in session.exec(select(Appeal).where(col(Appeal.id).in_(ids)))} if ids else {}
    groups: list[AppealGroup] = []
    for appeal_id in sorted(ids, key=lambda i: appeals[i].code):
        appeal = appeals[appeal_id]
        shown = figures(found.get(str(appeal_id), Parts()))
        target = (  # a target has both parts or neither (a check constraint)
            Money.from_minor(appeal.target_minor, appeal.target_currency)
            if appeal.target_minor and appeal.target_currency
            else None
        )
        converted, rates = _target(session, target, currency, today)
        covered = None
        if converted is not None and converted.amount:
            covered = shown.funding.total.total.amount / converted.amount
        groups.append(AppealGroup(str(appeal.id), appeal.name, shown, appeal.code, target, converted, rates, covered))
    if NO_APPEAL in found:
        groups.append(AppealGroup(None, None, figures(found[NO_APPEAL])))
    return groups
