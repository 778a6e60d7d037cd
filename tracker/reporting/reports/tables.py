"""Reports as tables for spreadsheets: CSV (one table) and XLSX (a sheet per table), in a chosen language.

Cells stay typed until the last step: Money becomes a plain decimal with a currency
column in CSV, and a real number with its currency's format in XLSX; dates are dates.
Text that a spreadsheet would run as a formula is neutralised in both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.core.i18n import _, use_locale
from tracker.core.money import Money
from tracker.core.vocabulary import BUCKETS, Bucket, LineKind, Status, items_heading, label, term
from tracker.rates.convert import ConvertedTotal, RateUsed
from tracker.reporting.reports.converted import ConvertedFigures
from tracker.reporting.reports.donor import DonorStatement
from tracker.reporting.reports.entries import EntryView
from tracker.reporting.reports.files import to_csv
from tracker.reporting.reports.items import ItemFigure
from tracker.reporting.reports.summary import SummaryReport
from tracker.reporting.reports.xlsx import workbook

Cell = str | int | Decimal | date | Money | None


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]


def donor_csv(statement: DonorStatement, lang: str) -> bytes:
    """Every line of every contribution (voided ones marked void, with the reason), one row each."""
    with use_locale(lang):
        table = _contributions(statement)
    return to_csv(table.header, table.rows)


def donor_xlsx(statement: DonorStatement, lang: str) -> bytes:
    with use_locale(lang):
        tables = [
            _contributions(statement),
            _statement_totals(statement),
            _items(statement.goods_and_services, _("Goods and services")),
            _rates(statement.rates_used, statement.converted.paid.total.reporting_currency),
        ]
    return to_xlsx(tables)


def summary_csv(report: SummaryReport, lang: str) -> bytes:
    """Every breakdown of the summary in one long table: a section column, then the figures."""
    with use_locale(lang):
        table = _summary_figures(report)
    return to_csv(table.header, table.rows)


def summary_xlsx(report: SummaryReport, lang: str) -> bytes:
    with use_locale(lang):
        tables = [
            _summary_figures(report),
            _items(lambda bucket: report.goods_and_services[bucket], _("Goods and services")),
            _rates(report.rates_used + report.target_rates, report.rates_currency),
        ]
    return to_xlsx(tables)


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with a sheet per table: numbers as numbers, money in its currency's format, dates as dates."""
    return workbook([(table.title, table.header, table.rows) for table in tables])


def _contributions(statement: DonorStatement) -> Table:
    header = [
        _("Number"),
        _("Date"),
        _("Status"),
        _("Donor"),
        _("Recipient"),
        _("Appeal"),
        _("Fulfils"),
        _("Kind"),
        _("Item"),
        _("Quantity"),
        _("Unit"),
        _("Unit value"),
        _("Value"),
        _("Currency"),
        _("Basis of the estimate"),
        _("Reason"),
    ]
    rows: list[list[Cell]] = []
    for entry in statement.entries + statement.corrections:
        rows.extend(_entry_rows(entry))
    return Table(_("Contributions"), header, rows)


def _entry_rows(entry: EntryView) -> list[list[Cell]]:
    status = label(Status.VOID) if entry.is_void else term(entry.status, "status")
    rows: list[list[Cell]] = []
    for line in entry.lines:
        value = line.value
        rows.append(
            [
                entry.number,
                entry.value_date,
                status,
                entry.donor,
                entry.recipient,
                entry.appeal,
                entry.fulfils,
                term(line.kind, "line_kind"),
                line.item_name,
                line.quantity,
                term(line.unit, "unit") if line.unit else None,
                line.unit_value,
                value,
                value.currency if value else None,
                term(line.valuation, "valuation") if line.kind != LineKind.MONEY else None,
                entry.void_reason,
            ]
        )
    return rows


def _statement_totals(statement: DonorStatement) -> Table:
    header = [_("Status"), _("What"), _("Amount"), _("Currency"), _("Without a rate")]
    rows: list[list[Cell]] = []
    for bucket, title in _bucket_titles():
        for amount in statement.money(bucket):
            rows.append([title, _("Cash, original currencies"), amount, amount.currency, None])
        for amount in statement.in_kind(bucket):
            rows.append([title, _("In kind, estimated value"), amount, amount.currency, None])
        split = statement.converted.bucket(bucket)
        currency = statement.currency
        for what, total in (
            (_("Cash in %(currency)s") % {"currency": currency}, split.money),
            (_("In kind in %(currency)s") % {"currency": currency}, split.in_kind),
            (_("Total in %(currency)s") % {"currency": currency}, split.total),
        ):
            rows.append([title, what, total.total, currency, _missing(total)])
    return Table(_("Totals"), header, rows)


def _bucket_titles() -> list[tuple[str, str]]:
    return [(bucket, label(bucket)) for bucket in (*BUCKETS, Bucket.OUTSTANDING)]


def _items(goods_and_services: Callable[[str], Sequence[ItemFigure]], title: str) -> Table:
    header = [
        _("Status"),
        _("Item"),
        _("Quantity"),
        _("Unit"),
        _("Estimated value"),
        _("Currency"),
        _("Basis of the estimate"),
    ]
    rows: list[list[Cell]] = []
    for bucket in BUCKETS:
        name = items_heading(bucket)
        figure: ItemFigure
        for figure in goods_and_services(bucket):
            bases = ", ".join(term(code, "valuation") for code in figure.bases)
            values = figure.value or (None,)
            for value in values:
                rows.append(
                    [
                        name,
                        figure.name,
                        figure.quantity,
                        term(figure.unit, "unit"),
                        value,
                        value.currency if value else None,
                        bases,
                    ]
                )
    return Table(title, header, rows)


def _rates(rates: Sequence[RateUsed], reporting_currency: str) -> Table:
    header = [
        _("Rate date"),
        _("Currency"),
        _("Rate (%(reporting)s per unit)") % {"reporting": reporting_currency},
        _("Source"),
    ]
    return Table(_("Exchange rates used"), header, [[r.rate_date, r.currency, r.rate, r.source] for r in rates])


def _summary_figures(report: SummaryReport) -> Table:
    header = [
        _("Section"),
        _("Key"),
        _("Name"),
        _("Paid: cash"),
        _("Paid: in kind"),
        _("Paid: total"),
        _("Committed"),
        _("Funding"),
        _("Pledged"),
        _("Currency"),
        _("Without a rate"),
    ]
    rows: list[list[Cell]] = [_figures_row(_("All"), None, None, report.figures)]
    for appeal in report.by_appeal:
        name = f"{appeal.code} — {appeal.label}" if appeal.code else _("No appeal")
        rows.append(_figures_row(_("Appeal"), appeal.code, name, appeal.figures))
    for group in report.by_donor:
        rows.append(_figures_row(_("Donor"), group.key, group.label, group.figures))
    if report.other_donors:
        rows.append(_figures_row(_("Other donors"), str(report.other_donors.count), None, report.other_donors.figures))
    for group in report.by_recipient:
        rows.append(_figures_row(_("Recipient"), group.key, group.label, group.figures))
    for group in report.by_cluster:
        name = term(group.key, "cluster") if group.key else _("Cash (no cluster)")
        rows.append(_figures_row(_("Cluster"), group.key, name, group.figures))
    for group in report.by_month:
        rows.append(_figures_row(_("Month"), group.key, None, group.figures))
    for found in report.by_currency:
        money, in_kind = found.money, found.in_kind
        zero = Money.zero(found.currency)
        paid = money.get(Bucket.PAID, zero) + in_kind.get(Bucket.PAID, zero)
        committed = money.get(Bucket.COMMITTED, zero) + in_kind.get(Bucket.COMMITTED, zero)
        pledged = money.get(Bucket.PLEDGED, zero) + in_kind.get(Bucket.PLEDGED, zero)
        rows.append(
            [
                _("Original currency"),
                found.currency,
                None,
                money.get(Bucket.PAID, zero),
                in_kind.get(Bucket.PAID, zero),
                paid,
                committed,
                paid + committed,
                pledged,
                found.currency,
                None,
            ]
        )
    return Table(_("Summary report"), header, rows)


def _figures_row(section: str, key: str | None, name: str | None, figures: ConvertedFigures) -> list[Cell]:
    return [
        section,
        key,
        name,
        figures.paid.money.total,
        figures.paid.in_kind.total,
        figures.paid.total.total,
        figures.committed.total.total,
        figures.funding.total.total,
        figures.pledged.total.total,
        figures.currency,
        ", ".join(f"{m.amount} {m.currency}" for m in _unconverted(figures)) or None,
    ]


def _unconverted(figures: ConvertedFigures) -> list[Money]:
    sums: dict[str, Money] = {}
    for part in figures.unconverted:
        code = part.amount.currency
        sums[code] = sums[code] + part.amount if code in sums else part.amount
    return [sums[code] for code in sorted(sums)]


def _missing(total: ConvertedTotal) -> str | None:
    return ", ".join(f"{m.amount} {m.currency}" for m in total.unconverted_totals()) or None
