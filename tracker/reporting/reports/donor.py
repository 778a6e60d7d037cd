"""The per-donor statement as plain data: every contribution of a period, totals, in-kind by item, corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from tracker.core.bulk import collector_paused
from tracker.core.errors import Invalid
from tracker.core.money import Money
from tracker.core.vocabulary import OUTSTANDING, Bucket, LineKind
from tracker.db.models import Donor, Item
from tracker.ledger.figures import Figures, LedgerTotals, Scope, figure_rows, fold
from tracker.rates.convert import RateUsed
from tracker.reporting.reports.converted import ConvertedFigures, Converter
from tracker.reporting.reports.entries import EntryView, count_entries, load_entries
from tracker.reporting.reports.items import ItemFigure, item_figures, load_items, valuation_bases
from tracker.settings.current import effective_settings

ENTRIES_PER_PAGE = 100  # a statement's page lists so many contributions (at 1,000 the page took ~110 ms)


@dataclass(frozen=True)
class DonorStatement:
    """What one donor gave in a period; voided entries are listed apart and counted nowhere.

    `totals` are in the original currencies (paid in full; committed and pledged as
    outstanding remainders); `converted` is the same in `currency`, each amount at its
    value date's rate, with the rates used.
    """

    donor: Donor
    date_from: date | None
    date_to: date | None
    currency: str
    entries: list[EntryView]
    corrections: list[EntryView]
    totals: LedgerTotals
    items: dict[int, Item]
    bases: dict[int, tuple[str, ...]]
    converted: ConvertedFigures
    # On screen the entries are shown a page at a time (the totals are still the whole period's); files list all.
    page: int = 1
    pages: int = 1
    entry_count: int = 0

    @property
    def rates_used(self) -> tuple[RateUsed, ...]:
        return self.converted.rates_used

    def money(self, bucket: str) -> list[Money]:
        """Cash per original currency in a bucket (paid, committed, pledged, or outstanding)."""
        return _per_currency(self._buckets(bucket), LineKind.MONEY)

    def in_kind(self, bucket: str) -> list[Money]:
        """The estimated value of goods and services per original currency in a bucket."""
        return _per_currency(self._buckets(bucket), "in_kind")

    def goods_and_services(self, bucket: str) -> list[ItemFigure]:
        """Items of a bucket in their units, with their estimated value and its basis."""
        return item_figures(self.totals.bucket(bucket), self.items, self.bases)

    def _buckets(self, bucket: str) -> list[Figures]:
        names = OUTSTANDING if bucket == Bucket.OUTSTANDING else (bucket,)
        return [self.totals.bucket(name) for name in names]


def donor_statement(
    session: Session,
    donor: Donor,
    date_from: date | None,
    date_to: date | None,
    currency: str | None = None,
    reporting_currency: str | None = None,
    window_days: int | None = None,
    page: int | None = None,
) -> DonorStatement:
    """The statement for `donor` from `date_from` to `date_to` (value dates, both inclusive).

    `page` (from 1): only that page of `ENTRIES_PER_PAGE` entries is listed, as a page on screen
    shows them; the totals, goods and corrections are the whole period's. None: every entry (files).

    `currency` is what the totals are converted into (default: the reporting currency);
    `reporting_currency` overrides the setting for that default; rates are found in whatever
    currency they are stored in (`tracker.rates.convert`).
    """
    check_period(date_from, date_to)
    with collector_paused():
        return _statement(session, donor, date_from, date_to, currency, reporting_currency, window_days, page)


def _statement(
    session: Session,
    donor: Donor,
    date_from: date | None,
    date_to: date | None,
    currency: str | None,
    reporting_currency: str | None,
    window_days: int | None,
    page: int | None = None,
) -> DonorStatement:
    reporting = reporting_currency or effective_settings(session).reporting_currency
    scope = Scope(donor_id=donor.id, date_from=date_from, date_to=date_to)
    if page is None:
        entries = load_entries(session, scope)
        count, pages = sum(1 for e in entries if not e.is_void), 1
    else:
        count = count_entries(session, scope)
        pages = max(1, -(-count // ENTRIES_PER_PAGE))
        page = min(max(page, 1), pages)
        window = ((page - 1) * ENTRIES_PER_PAGE, ENTRIES_PER_PAGE)
        entries = load_entries(session, scope, include_void=False, page=window)
        entries += load_entries(session, scope, only_void=True)
    rows = figure_rows(session, scope, ("value_date",))
    totals = fold(rows)
    converter = Converter(session, rows, currency or reporting, window_days)
    item_ids = {row.item_id for row in rows if row.item_id is not None}
    item_ids |= {line.item_id for entry in entries for line in entry.lines if line.item_id is not None}
    return DonorStatement(
        donor=donor,
        date_from=date_from,
        date_to=date_to,
        currency=converter.currency,
        entries=[e for e in entries if not e.is_void],
        corrections=[e for e in entries if e.is_void],
        totals=totals,
        items=load_items(session, item_ids),
        bases=valuation_bases(session, scope),
        converted=converter.figures(rows),
        page=page or 1,
        pages=pages,
        entry_count=count,
    )


def check_period(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise Invalid("to", "the period ends before it starts")


def _per_currency(buckets: list[Figures], kind: str) -> list[Money]:
    sums: dict[str, Money] = {}
    for bucket in buckets:
        for code, amount in (bucket.money if kind == LineKind.MONEY else bucket.in_kind).items():
            sums[code] = sums[code] + amount if code in sums else amount
    return [sums[code] for code in sorted(sums)]
