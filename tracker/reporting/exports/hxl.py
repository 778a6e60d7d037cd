"""The HXL-tagged contributions CSV: a human heading row, a hashtag row, then one row per contribution line.

Hashtags follow what OCHA's FTS feed on HDX uses (donor `#org+name+funder`, recipient
`#org+name+impl`, `#date+decision`, `#status+text`, `#financial+contribution+type`,
`#financial+fx`), and HXL's single-currency attribute for the converted value (`#value+total+c_azn`).
Words are FTS's: status pledge / commitment / paid, contribution type financial / in kind.

It counts as the reports do: `#value+total` (and its converted column) is a paid line's value
or an open pledge's or commitment's outstanding remainder, so summing it by `#status` gives the
summary's paid, committed and pledged figures — FTS's funding is paid + commitment, pledges
apart — and `#value+promised` keeps what the promise recorded. HXL's `#value` is a monetary
value in the row's `#currency`: a quantity of goods is an `#output+num`, never a `#value`.
The recipient's country is `#country+code+v_iso2` (ISO 3166-1 alpha-2, as recorded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from tracker.core.i18n import _
from tracker.core.vocabulary import Bucket, Status
from tracker.reporting.exports.cells import iso, write_csv_rows
from tracker.reporting.exports.rows import ExportRow, ExportSet

FTS_STATUS: dict[str, str] = {
    Status.PLEDGED: "pledge",
    Status.COMMITTED: "commitment",
    Status.PAID: "paid",
    Bucket.WRITTEN_OFF: "written-off",  # what a closed promise left unfulfilled: never funding
}


@dataclass(frozen=True)
class Tagged:
    """One HXL column: its human heading, its hashtag, its value in a row."""

    heading: Callable[[], str]
    hashtag: str
    value: Callable[[ExportRow], object]


def hxl_columns(reporting_currency: str, include_void: bool = False) -> list[Tagged]:
    """The columns, with the converted value tagged by the reporting currency (`+c_azn`)."""
    code = reporting_currency.lower()
    columns = [
        Tagged(lambda: _("Line"), "#meta+id", lambda row: row.line_id),
        Tagged(lambda: _("Value date"), "#date", lambda row: iso(row.value_date)),
        Tagged(lambda: _("Decision date"), "#date+decision", lambda row: iso(row.decision_date)),
        Tagged(lambda: _("Donor"), "#org+name+funder", lambda row: row.donor),
        Tagged(lambda: _("Donor kind"), "#org+type+funder", lambda row: row.donor_kind),
        Tagged(lambda: _("Recipient"), "#org+name+impl", lambda row: row.recipient),
        Tagged(lambda: _("Recipient country"), "#country+code+v_iso2", lambda row: row.recipient_country),
        Tagged(lambda: _("Appeal"), "#activity+appeal+code", lambda row: row.appeal_code),
        Tagged(lambda: _("GLIDE number"), "#crisis+code", lambda row: row.glide),
        Tagged(lambda: _("Status"), "#status+text", lambda row: FTS_STATUS[row.status]),
        Tagged(
            lambda: _("Contribution type"),
            "#financial+contribution+type",
            lambda row: "in kind" if row.in_kind else "financial",
        ),
        Tagged(lambda: _("Item"), "#item+name", lambda row: row.item),
        Tagged(lambda: _("Quantity"), "#output+num", lambda row: row.quantity),
        Tagged(lambda: _("Unit"), "#item+unit", lambda row: row.unit),
        Tagged(lambda: _("Cluster"), "#sector+cluster+code", lambda row: row.cluster),
        Tagged(lambda: _("Value"), "#value+total", lambda row: row.value),
        Tagged(lambda: _("Currency"), "#currency+code", lambda row: row.value.currency if row.value else None),
        Tagged(
            lambda: _("Value in {currency}").format(currency=reporting_currency),
            "#value+total+c_" + code,
            lambda row: row.converted,
        ),
        Tagged(
            lambda: _("Exchange rate ({currency} per unit)").format(currency=reporting_currency),
            "#financial+fx",
            lambda row: row.rate,
        ),
        Tagged(lambda: _("Promised quantity"), "#output+num+promised", lambda row: row.promised_quantity),
        Tagged(lambda: _("Promised value"), "#value+promised", lambda row: row.promised),
        Tagged(lambda: _("Fulfils"), "#meta+fulfils", lambda row: row.fulfils),
    ]
    if include_void:
        columns.append(Tagged(lambda: _("Void reason"), "#description+void", lambda row: row.void_reason))
    return columns


def write_hxl(export: ExportSet, out: IO[bytes], include_void: bool = False) -> int:
    """The contributions as an HXL-tagged CSV (UTF-8 with a BOM, formulas neutralised); returns the rows written."""
    columns = hxl_columns(export.reporting_currency, include_void)
    headings = [[column.heading() for column in columns], [column.hashtag for column in columns]]
    rows = ([column.value(row) for column in columns] for row in export.rows)
    return write_csv_rows(out, headings, rows)
