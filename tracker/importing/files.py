"""Reading import files row by row: CSV (UTF-8, BOM or not, comma or semicolon) and XLSX, never through float.

Numbers in an XLSX file are read from the text the file stores, as `Decimal`; Excel keeps
15 significant digits, so longer spellings (0.30000000000000004) are rounded to 15.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation
from operator import itemgetter
from typing import IO, Any

from tracker.core.errors import Invalid

XLSX_MAGIC = b"PK\x03\x04"
EXCEL_DIGITS = Context(prec=15)
MAX_FIELD = 4000

# The columns of an import file, in the template's order; `required` ones must be there.
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("key", False, "your own id for the row; the same key is never imported twice (default: the row's content)"),
    ("date", True, "value date, YYYY-MM-DD"),
    ("status", True, "pledged, committed or paid"),
    ("donor", True, "the donor's email, or exact name"),
    ("donor_kind", False, "when no donor matches, create one of this kind (individual, organisation, ...)"),
    ("donor_country", False, "ISO country code of a donor created by the import"),
    ("recipient", True, "the recipient's exact name"),
    ("recipient_kind", False, "when no recipient matches, create one of this kind (organisation, community, ...)"),
    ("appeal", False, "appeal code"),
    ("kind", True, "money, goods or service"),
    ("amount", False, "money lines: the amount, e.g. 500000.00"),
    ("item", False, "goods and service lines: the catalogue item's exact name"),
    ("quantity", False, "goods and service lines: how many, in the item's unit"),
    ("unit_value", False, "goods and service lines: value of one unit (optional)"),
    ("currency", False, "ISO 4217 code of the amount or unit value"),
    ("valuation", False, "donor_declared, invoice, market_price, standard_cost or not_valued"),
    ("reference", False, "bank or waybill reference"),
    ("notes", False, "free text"),
)
NAMES = tuple(name for name, _, _ in COLUMNS)
REQUIRED = tuple(name for name, required, _ in COLUMNS if required)

Cell = str | Decimal | date | None


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it (the header is row 1), and its cells by column."""

    number: int
    cells: dict[str, Cell]  # empty cells may be left out
    extra: int = 0  # cells past the header's last column


def template_csv() -> str:
    """A CSV template: the header and two example rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(NAMES)
    example = {"date": "2023-02-10", "status": "paid", "donor": "info@ahik.example", "recipient": "AFAD"}
    writer.writerow(
        [
            {**example, "key": "AHIK-1", "kind": "money", "amount": "500000.00", "currency": "AZN"}.get(n, "")
            for n in NAMES
        ]
    )
    writer.writerow(
        [
            {
                **example,
                "key": "AHIK-2",
                "kind": "goods",
                "item": "Container house",
                "quantity": "10",
                "unit_value": "12000.00",
                "currency": "AZN",
                "valuation": "donor_declared",
            }.get(n, "")
            for n in NAMES
        ]
    )
    return out.getvalue()


def is_xlsx(head: bytes) -> bool:
    return head.startswith(XLSX_MAGIC)


def read_rows(source: IO[bytes]) -> Iterator[Row]:
    """The data rows of a CSV or XLSX file, one at a time; a bad header is an `Invalid` naming the column."""
    head = source.read(4)
    source.seek(0)
    yield from (_xlsx_rows(source) if is_xlsx(head) else _csv_rows(source))


def _header(cells: list[Any]) -> list[str | None]:
    names = [str(cell).strip().lower() if cell is not None and str(cell).strip() else None for cell in cells]
    unknown = [name for name in names if name is not None and name not in NAMES]
    if unknown:
        raise Invalid(
            "header", "unknown column {column}; the columns are: {columns}", column=unknown[0], columns=", ".join(NAMES)
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise Invalid("header", "the column {column} is missing", column=missing[0])
    repeated = [name for name in names if name is not None and names.count(name) > 1]
    if repeated:
        raise Invalid("header", "the column {column} appears twice", column=repeated[0])
    return names


def _csv_rows(source: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(text, delimiter=delimiter)
        names = _header(next(csv.reader([first], delimiter=delimiter), []))
        width = len(names)
        plain = None not in names
        columns = [name for name in names if name is not None]  # every name, when plain
        for number, values in enumerate(reader, start=2):
            # Empty cells are left out (`cells.get` gives None), which saves a call per cell.
            cells: dict[str, Cell]
            if plain and len(values) <= width and max(map(len, values), default=0) <= MAX_FIELD:
                cells = dict(filter(itemgetter(1), zip(columns, map(str.strip, values), strict=False)))
                extra = 0
            else:
                cells = {  # `kept`, not `text`: a comprehension's := binds in the function, over the reader's file
                    name: kept for name, value in zip(names, values, strict=False) if name and (kept := _text(value))
                }
                extra = sum(1 for value in values[width:] if value.strip())
            if cells or extra:
                yield Row(number, cells, extra)
    except UnicodeDecodeError:
        raise Invalid("file", "is not UTF-8 text; save it as CSV UTF-8 or as XLSX") from None
    except csv.Error as exc:
        raise Invalid("file", "is not a readable CSV file: {problem}", problem=str(exc)) from None
    finally:
        text.detach()


def _text(value: str) -> str | None:
    value = value.strip()
    return value[: MAX_FIELD + 1] or None


def _xlsx_rows(source: IO[bytes]) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser

    class ExactParser(WorkSheetParser):
        """openpyxl's sheet parser, but numbers stay the text the file stores, as Decimal."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            if cell["data_type"] == "n" and cell["value"] is not None:
                cell["value"] = _excel_number(element.findtext(VALUE_TAG))
            return cell

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Invalid("file", "is not a readable XLSX file: {problem}", problem=str(exc)[:200]) from None
    try:
        sheet = book.worksheets[0]
        with sheet._get_source() as xml:
            parser = ExactParser(
                xml,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            names: list[str | None] | None = None
            for index, cells in parser.parse():
                values: dict[int, Any] = {cell["column"]: cell["value"] for cell in cells}
                width = max(values, default=0)
                row = [values.get(column) for column in range(1, width + 1)]
                if names is None:
                    names = _header(row)
                    continue
                mapped = {name: _xlsx_cell(value) for name, value in zip(names, row, strict=False) if name}
                extra = sum(1 for value in row[len(names) :] if value is not None)
                if extra or any(value is not None for value in mapped.values()):
                    yield Row(index, mapped, extra)
            if names is None:
                raise Invalid("header", "the file has no header row")
    finally:
        book.close()


def _excel_number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return EXCEL_DIGITS.plus(number) if len(number.as_tuple().digits) > EXCEL_DIGITS.prec else number


def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date | Decimal):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    return _text(str(value))
