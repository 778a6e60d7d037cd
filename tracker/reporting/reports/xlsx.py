"""A small XLSX writer for report tables: a sheet per table, numbers as numbers in their format, dates as dates.

openpyxl spent ~20 µs on each cell (a 10,000-contribution statement has 300,000), so the
report workbooks are written here directly: the sheet XML as text with inline strings,
one style per number format, zipped. Spreadsheet programs and openpyxl read it as any
other workbook. Text is already neutralised by the caller (`safe_cell`), so never a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from tracker.core.money import Money
from tracker.reporting.reports.files import safe_cell, xlsx_number_format

DATE_FORMAT = "yyyy-mm-dd"
EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet serial dates (with the 1900 leap-year quirk)
# Characters XML 1.0 cannot carry; openpyxl refuses them, this writer drops them.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Styles:
    """One cell style per number format (the date's and each currency's), numbered as the sheets use them."""

    def __init__(self) -> None:
        self.formats: dict[str, int] = {}

    def index(self, number_format: str) -> int:
        found = self.formats.get(number_format)
        if found is None:
            found = self.formats[number_format] = len(self.formats) + 1  # style 0 is the default
        return found

    def xml(self) -> str:
        formats = "".join(
            f"<numFmt numFmtId={quoteattr(str(164 + n))} formatCode={quoteattr(code)}/>"
            for n, code in enumerate(self.formats)
        )
        xfs = "".join(
            f'<xf numFmtId="{164 + n}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            for n in range(len(self.formats))
        )
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN}">'
            f'<numFmts count="{len(self.formats)}">{formats}</numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.formats) + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            f"{xfs}</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def column_letters(count: int) -> list[str]:
    """A, B, … Z, AA, AB, …"""
    found = []
    for n in range(1, count + 1):
        name = ""
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        found.append(name)
    return found


def sheet_xml(rows: Iterable[Sequence[object]], styles: Styles, width: int) -> str:
    """One sheet: money as a number in its currency's format, dates as serial days, text as inline strings."""
    columns = column_letters(max(width, 1))
    date_style = styles.index(DATE_FORMAT)
    money_styles: dict[str, int] = {}
    texts: dict[str, str] = {}  # names, statuses and kinds repeat on every row: each is escaped once
    parts = [f'{XML_HEAD}<worksheet xmlns="{MAIN}"><sheetData>']
    append = parts.append
    for number, row in enumerate(rows, start=1):
        append(f'<row r="{number}">')
        for column, value in zip(columns, row, strict=False):
            if value is None:
                continue
            ref = f"{column}{number}"
            if isinstance(value, str):
                if value:
                    text = texts.get(value)
                    if text is None:
                        text = texts[value] = _text(safe_cell(value))
                    append(f'<c r="{ref}" t="inlineStr"><is>{text}</is></c>')
            elif isinstance(value, Money):
                style = money_styles.get(value.currency)
                if style is None:
                    style = money_styles[value.currency] = styles.index(xlsx_number_format(value.currency))
                append(f'<c r="{ref}" s="{style}"><v>{value.amount:f}</v></c>')
            elif isinstance(value, date) and not isinstance(value, datetime):
                append(f'<c r="{ref}" s="{date_style}"><v>{(value - EPOCH).days}</v></c>')
            elif isinstance(value, bool):
                append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, Decimal):
                append(f'<c r="{ref}"><v>{value:f}</v></c>')
            elif isinstance(value, int):
                append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                append(f'<c r="{ref}" t="inlineStr"><is>{_text(safe_cell(value))}</is></c>')
        append("</row>")
    append("</sheetData></worksheet>")
    return "".join(parts)


def _text(value: str) -> str:
    clean = escape(ILLEGAL.sub("", value))
    if clean != clean.strip():
        return f'<t xml:space="preserve">{clean}</t>'
    return f"<t>{clean}</t>"


def workbook(sheets: Sequence[tuple[str, Sequence[object], Iterable[Sequence[object]]]]) -> bytes:
    """(title, header, rows) per sheet, as an .xlsx file."""
    styles = Styles()
    names: list[str] = []
    bodies: list[str] = []
    for title, header, rows in sheets:
        name = title.translate(SHEET_NAME_FORBIDDEN)[:31] or f"Sheet{len(names) + 1}"
        while name in names:
            name = name[:28] + f" {len(names) + 1}"
        names.append(name)
        bodies.append(sheet_xml(_with_header(header, rows), styles, len(header)))
    entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{WORKSHEET}" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(names) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(names) + 1)
    )
    files = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{entries}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}">{sheet_rels}'
            f'<Relationship Id="rId{len(names) + 1}" Type="{STYLES}" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": styles.xml(),
    }
    for n, body in enumerate(bodies, start=1):
        files[f"xl/worksheets/sheet{n}.xml"] = body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path, text in files.items():
            archive.writestr(path, text.encode("utf-8"))
    return buffer.getvalue()


def _with_header(header: Sequence[object], rows: Iterable[Sequence[object]]) -> Iterable[Sequence[object]]:
    yield header
    yield from rows
