"""The summary report as plain data, and its computation from the ledger itself (the test oracle).

The report's figures by appeal, donor, recipient, cluster, status, currency and month. What the
pages, files, API and CLI show is computed from the maintained totals
(`tracker.reporting.reports.summary_totals`); `ledger_summary` here computes the same report
from the ledger row by row, and the property tests hold the two equal to the minor unit.

Every breakdown is summed in SQL (one grouped query per dimension, each also grouped by
value date so amounts convert at their own date's rate) and converted with one set of
rates loaded once. Cash and in-kind are shown apart and together; pledges apart from
funding (FTS: a pledge is not funding until committed). An appeal's target is converted
at the latest rate on or before `today`, the rule the dashboard uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.money import Money, round_half_up
from tracker.core.vocabulary import BUCKETS, FUNDING, Bucket, Status
from tracker.db.models import Appeal, Donor, Recipient
from tracker.ledger.figures import FigureRow, LedgerTotals, Scope, figure_rows, fold
from tracker.rates.convert import ANY_AGE, ConvertedTotal, RateUsed, quoted_in, rate_in_force
from tracker.reporting.reports.converted import ConvertedFigures, Converter, Split, value_date
from tracker.reporting.reports.donor import check_period
from tracker.reporting.reports.items import ItemFigure, item_figures, load_items, valuation_bases
from tracker.settings.current import effective_settings

TOP_DONORS = 10


@dataclass(frozen=True)
class Group:
    """One appeal, donor, recipient, cluster or month with its figures.

    `key` is the id (as text), cluster code or month (YYYY-MM); None for contributions
    outside any appeal, or cash (which has no cluster). `label` is the name when the
    ledger has one (donor, recipient, appeal); renderers name clusters and months.
    """

    key: str | None
    label: str | None
    figures: ConvertedFigures


@dataclass(frozen=True)
class AppealGroup(Group):
    """An appeal's figures against its target (converted at the latest rate); `covered` is a fraction."""

    code: str | None = None
    target: Money | None = None
    target_converted: Money | None = None
    target_rates: tuple[RateUsed, ...] = ()
    covered: Decimal | None = None


@dataclass(frozen=True)
class OtherDonors:
    """Every donor outside the top N, together."""

    count: int
    figures: ConvertedFigures


@dataclass(frozen=True)
class CurrencyGroup:
    """One original currency: cash and in-kind value per bucket, unconverted."""

    currency: str
    money: dict[str, Money]
    in_kind: dict[str, Money]


@dataclass(frozen=True, slots=True)
class RateRange:
    """One currency's rates used by a report, in brief."""

    currency: str
    count: int
    first: date
    last: date
    lowest: Decimal
    highest: Decimal
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SummaryReport:
    date_from: date | None
    date_to: date | None
    appeal: Appeal | None
    currency: str
    reporting_currency: str
    today: date
    totals: LedgerTotals  # original currencies
    figures: ConvertedFigures  # the whole scope, converted
    by_appeal: list[AppealGroup]
    by_donor: list[Group]  # the top N by funding
    other_donors: OtherDonors | None
    by_recipient: list[Group]
    by_cluster: list[Group]
    by_currency: list[CurrencyGroup]
    by_month: list[Group]
    goods_and_services: dict[str, list[ItemFigure]]  # bucket → items
    # Every rate the figures used, when they were summed away in the figures themselves (from the totals).
    used: tuple[RateUsed, ...] = ()

    @property
    def by_status(self) -> list[tuple[str, Split]]:
        return [
            (Status.PAID, self.figures.paid),
            (Status.COMMITTED, self.figures.committed),
            (Status.PLEDGED, self.figures.pledged),
            (Bucket.WRITTEN_OFF, self.figures.written_off),  # not a status: what closed promises left, shown apart
        ]

    @property
    def rates_used(self) -> tuple[RateUsed, ...]:
        """The value-date rates every converted figure used."""
        return self.used or self.figures.rates_used

    @property
    def rates_currency(self) -> str:
        """The currency the rates listed are quoted in (they may be stored in another than the reporting one)."""
        return quoted_in((*self.rates_used, *self.target_rates), self.reporting_currency)

    @property
    def rate_ranges(self) -> list[RateRange]:
        """The rates used, per currency: how many, over which dates, lowest and highest (what print shows of
        a long list; the files and the page list every rate)."""
        ranges: dict[str, list[RateUsed]] = {}
        for rate in self.rates_used:
            ranges.setdefault(rate.currency, []).append(rate)
        return [
            RateRange(
                currency=currency,
                count=len(rates),
                first=min(r.rate_date for r in rates),
                last=max(r.rate_date for r in rates),
                lowest=min(r.rate for r in rates),
                highest=max(r.rate for r in rates),
                sources=tuple(sorted({r.source for r in rates})),
            )
            for currency, rates in sorted(ranges.items())
        ]

    @property
    def target_rates(self) -> tuple[RateUsed, ...]:
        return tuple(sorted({rate for group in self.by_appeal for rate in group.target_rates}))


def ledger_summary(
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
    """The summary of a period (value dates, both inclusive), for the whole ledger or one appeal, from the ledger.

    Reads every entry in scope: the oracle of `summary_totals.summary_report`, and the answer in a
    currency or rate window the totals are not kept in."""
    check_period(date_from, date_to)
    reporting = reporting_currency or effective_settings(session).reporting_currency
    today = today or date.today()
    scope = Scope(appeal_id=appeal.id if appeal else None, date_from=date_from, date_to=date_to)
    rows = figure_rows(session, scope, ("value_date",))
    convert = Converter(session, rows, currency or reporting, window_days)
    totals = fold(rows)

    def grouped(by: str) -> dict[object, list[FigureRow]]:
        found: dict[object, list[FigureRow]] = defaultdict(list)
        for row in figure_rows(session, scope, ("value_date", by)):
            found[row.group(by)].append(row)
        return found

    donors = grouped("donor_id")
    donor_names = _names(session, Donor, donors)
    ranked = _ranked(donors, lambda group: convert.total(group, FUNDING), donor_names)
    top_keys, rest = ranked[: max(top, 0)], ranked[max(top, 0) :]
    recipients = grouped("recipient_id")
    recipient_names = _names(session, Recipient, recipients)
    clusters = grouped("cluster")
    months: dict[str, list[FigureRow]] = defaultdict(list)
    for row in rows:
        months[f"{value_date(row):%Y-%m}"].append(row)
    item_ids = {item_id for bucket in BUCKETS for item_id in totals.bucket(bucket).items}
    items = load_items(session, item_ids)
    bases = valuation_bases(session, scope)

    def group(key: object, found: list[FigureRow], label: str | None = None) -> Group:
        return Group(None if key is None else str(key), label, convert.figures(found))

    return SummaryReport(
        date_from=date_from,
        date_to=date_to,
        appeal=appeal,
        currency=convert.currency,
        reporting_currency=reporting,
        today=today,
        totals=totals,
        figures=convert.figures(rows),
        by_appeal=_appeals(session, grouped("appeal_id"), appeal, convert, today),
        by_donor=[group(key, donors[key], donor_names.get(key)) for key in top_keys],
        other_donors=OtherDonors(len(rest), convert.figures(r for key in rest for r in donors[key])) if rest else None,
        by_recipient=[
            group(key, recipients[key], recipient_names.get(key))
            for key in _ranked(recipients, lambda g: convert.total(g, FUNDING), recipient_names)
        ],
        by_cluster=[group(key, clusters[key]) for key in _ranked(clusters, lambda g: convert.total(g, FUNDING), {})],
        by_currency=_currencies(totals),
        by_month=[group(key, months[key]) for key in sorted(months)],
        goods_and_services={bucket: item_figures(totals.bucket(bucket), items, bases) for bucket in BUCKETS},
    )


def _ranked(
    groups: dict[object, list[FigureRow]],
    funding: Callable[[list[FigureRow]], ConvertedTotal],
    labels: dict[object, str],
) -> list[object]:
    """Keys by funding, largest first, then by name (None, cash without a cluster, last)."""
    amounts = {key: funding(found).total.amount for key, found in groups.items()}
    return sorted(groups, key=lambda k: (k is None, -amounts[k], labels.get(k) or str(k)))


def _names(session: Session, model: type[Donor] | type[Recipient], groups: dict[object, list[FigureRow]]) -> dict:
    ids = [key for key in groups if key is not None]
    if not ids:
        return {}
    statement = sa.select(col(model.id), col(model.name)).where(col(model.id).in_(ids))
    return dict(session.execute(statement).all())


def _appeals(
    session: Session,
    groups: dict[object, list[FigureRow]],
    only: Appeal | None,
    convert: Converter,
    today: date,
) -> list[AppealGroup]:
    ids: set[Any] = {key for key in groups if key is not None} | ({only.id} if only else set())  # appeal ids
    appeals = {a.id: a for a in session.exec(select(Appeal).where(col(Appeal.id).in_(ids)))} if ids else {}
    found = []
    for key in sorted(
        ids | ({None} if None in groups else set()), key=lambda k: (k is None, appeals[k].code if k else "")
    ):
        figures = convert.figures(groups.get(key, []))
        appeal = appeals.get(key)
        if appeal is None:
            found.append(AppealGroup(None, None, figures))
            continue
        target = (  # a target has both parts or neither (a check constraint)
            Money.from_minor(appeal.target_minor, appeal.target_currency)
            if appeal.target_minor and appeal.target_currency
            else None
        )
        converted, rates = _target(session, target, convert.currency, today)
        covered = None
        if converted is not None and converted.amount:
            covered = figures.funding.total.total.amount / converted.amount
        found.append(AppealGroup(str(appeal.id), appeal.name, figures, appeal.code, target, converted, rates, covered))
    return found


def _target(
    session: Session, target: Money | None, currency: str, today: date
) -> tuple[Money | None, tuple[RateUsed, ...]]:
    """A target in the report's currency, at the latest rate in force on `today` (however old: it has no value date)."""
    if target is None:
        return None, ()
    if target.currency == currency:
        return target, ()
    found = rate_in_force(session, target.currency, today, currency, ANY_AGE)
    if found is None:
        return None, ()
    return Money(round_half_up(found.times(target.amount), currency), currency), found.legs


def _currencies(totals: LedgerTotals) -> list[CurrencyGroup]:
    codes = sorted(
        {code for bucket in BUCKETS for code in totals.bucket(bucket).money}
        | {code for bucket in BUCKETS for code in totals.bucket(bucket).in_kind}
    )
    return [
        CurrencyGroup(
            code,
            {b: totals.bucket(b).money[code] for b in BUCKETS if code in totals.bucket(b).money},
            {b: totals.bucket(b).in_kind[code] for b in BUCKETS if code in totals.bucket(b).in_kind},
        )
        for code in codes
    ]
