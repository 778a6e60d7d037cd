"""The plain contributions export, as CSV and as XLSX: the list's columns, one row per contribution line.

`Value` (and `Quantity`) is what counts — an open pledge's or commitment's outstanding remainder —
so `Value` summed by status gives the summary report's figures; `Promised value` and
`Promised quantity` keep what the line recorded, and `Fulfils` names the promise a payment fulfils.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.core.i18n import _
from tracker.core.money import Money
from tracker.reporting.exports.cells import write_csv_rows
from tracker.reporting.exports.rows import ExportRow, ExportSet
from tracker.reporting.reports.files import xlsx_number_format


@dataclass(frozen=True)
class Column:
    """One column: its heading, its value in a row, its width in a sheet."""

    heading: Callable[[], str]
    value: Callable[[ExportRow], object]
    width: int = 14


def _in_kind(read: Callable[[ExportRow], object]) -> Callable[[ExportRow], object]:
    return lambda row: read(row) if row.in_kind else None


COLUMNS: tuple[Column, ...] = (
    Column(lambda: _("Number"), lambda row: row.number, 16),
    Column(lambda: _("Value date"), lambda row: row.value_date, 12),
    Column(lambda: _("Donor"), lambda row: row.donor, 36),
    Column(lambda: _("Recipient"), lambda row: row.recipient, 36),
    Column(lambda: _("Appeal"), lambda row: row.appeal_code, 14),
    Column(lambda: _("Status"), lambda row: row.status, 11),
    Column(lambda: _("Void reason"), lambda row: row.void_reason, 24),
    Column(lambda: _("Line kind"), lambda row: row.kind, 9),
    Column(lambda: _("Item"), lambda row: row.item, 20),
    Column(lambda: _("Quantity"), lambda row: row.quantity, 10),
    Column(lambda: _("Unit"), lambda row: row.unit, 10),
    Column(lambda: _("Unit value"), lambda row: row.unit_value, 16),
    Column(lambda: _("Value"), lambda row: row.value, 18),
    Column(lambda: _("Currency"), lambda row: row.value.currency if row.value else None, 9),
    Column(lambda: _("Converted value"), lambda row: row.converted, 18),
    Column(
        lambda: _("Reporting currency"), lambda row: row.converted.currency if row.converted is not None else None, 10
    ),
    Column(lambda: _("Exchange rate"), lambda row: row.rate, 12),
    Column(lambda: _("Rate date"), lambda row: row.rate_date, 12),
    Column(lambda: _("Valuation basis"), _in_kind(lambda row: row.valuation), 16),
    Column(lambda: _("Promised quantity"), lambda row: row.promised_quantity, 10),
    Column(lambda: _("Promised value"), lambda row: row.promised, 18),
    # A closed promise's `Written off` column belongs here, beside what it promised.
    Column(lambda: _("Fulfils"), lambda row: row.fulfils, 16),
)


def write_csv(export: ExportSet, out: IO[bytes]) -> int:
    """The contributions as CSV (UTF-8 with a BOM, formulas neutralised); returns the rows written."""
    header = [column.heading() for column in COLUMNS]
    rows = ([column.value(row) for column in COLUMNS] for row in export.rows)
    return write_csv_rows(out, [header], rows)


def write_xlsx(export: ExportSet, out: IO[bytes]) -> int:
    """The contributions as an XLSX sheet: numbers as numbers in their currency's format, a frozen heading row.

    A sheet holds at most 1,048,576 rows: `tracker.reporting.exports.contributions` refuses a longer export first.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(_("Contributions")))
    sheet.freeze_panes = "A2"
    for position, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.heading())
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in export.rows:
        sheet.append([_cell(sheet, column.value(row)) for column in COLUMNS])
        count += 1
    book.save(out)
    return count


def _cell(sheet: object, value: object) -> object:
    """A typed cell: money and quantities as numbers, dates as dates, text always as text (never a formula).

    Plain values where they need no format (openpyxl's cell objects cost time on a long sheet).
    """
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, Money):
        cell = WriteOnlyCell(sheet, value=value.amount)
        cell.number_format = xlsx_number_format(value.currency)
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # a name such as =HYPERLINK(...) stays text; openpyxl would otherwise store a formula
    return cell


def _sheet_title(text: str) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"
