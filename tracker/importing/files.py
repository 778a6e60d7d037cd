"""Reading import files row by row: CSV (UTF-8, BOM or not, comma or semicolon) and XLSX, never through float.

Numbers in an XLSX file are read from the text the file stores, as `Decimal`; Excel keeps
15 significant digits, so longer spellings (0.30000000000000004) are rounded to 15.

Reading is bounded, so a small hostile file cannot take the worker's memory or hours of its
time (`XlsxLimits`): before openpyxl opens an XLSX file its zip directory is read, and a file
whose parts would unpack past the limits (the sizes a zip declares are the most it may unpack
to: Python's zip reader stops there) is refused. The sheet is then read as a stream, one cell
at a time, with a bound on the cells and on any one run of text; a CSV cell is cut at MAX_FIELD
characters (and so reported too long). What stays in memory is the shared strings (at most
`part_bytes` of XML) and one cell: at most about 150 MB at the defaults, measured by
benchmarks/import_limits.py, which also times the worst files within the limits.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation
from operator import itemgetter
from typing import IO, Any

from tracker.core.config import get_settings
from tracker.core.errors import Invalid

XLSX_MAGIC = b"PK\x03\x04"
EXCEL_DIGITS = Context(prec=15)
MAX_FIELD = 4000
MiB = 1024 * 1024


@dataclass(frozen=True)
class XlsxLimits:
    """How far an XLSX file may unpack and how much of it is read; past any of them it is refused."""

    unpacked_bytes: int = 256 * MiB  # all its parts together (TRACKER_IMPORT_MAX_UNPACKED_MB)
    part_bytes: int = 16 * MiB  # any part read whole: shared strings, styles, the workbook
    directory_bytes: int = MiB  # the zip's directory (a few hundred bytes for a workbook's parts)
    cells: int = 2_000_000  # cells (and shared strings): 110,000 rows of all 18 columns, 250,000 of the usual 8
    row_cells: int = 16_384  # cells in one row: Excel's columns
    text_bytes: int = 512 * 1024  # one run of text between two tags: Excel's longest cell, escaped
    sheets: tuple[str, ...] = field(default=("xl/worksheets/",), repr=False)  # parts streamed, not read whole


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
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW_TAG, CELL_TAG, VALUE_TAG, INLINE_STRING, TEXT_TAG, RUN_TAG = (
    _MAIN + name for name in ("row", "c", "v", "is", "t", "r")
)
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


def read_rows(source: IO[bytes], limits: XlsxLimits | None = None) -> Iterator[Row]:
    """The data rows of a CSV or XLSX file, one at a time; a bad header, a malformed file or one past
    the limits (default: `xlsx_limits()`) is an `Invalid` naming the file or the column."""
    head = source.read(4)
    source.seek(0)
    yield from (_xlsx_rows(source, limits or xlsx_limits()) if is_xlsx(head) else _csv_rows(source))


def xlsx_limits() -> XlsxLimits:
    """The limits, with TRACKER_IMPORT_MAX_UNPACKED_MB."""
    return XlsxLimits(unpacked_bytes=get_settings().import_max_unpacked_mb * MiB)


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


def _xlsx_rows(source: IO[bytes], limits: XlsxLimits) -> Iterator[Row]:
    check_archive(source, limits)
    try:
        book, archive, sheet_path, cells = _open_workbook(source, limits)
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, SyntaxError) as exc:  # ParseError too
        raise exc if isinstance(exc, Invalid) else _unreadable(exc) from None
    try:
        with archive.open(sheet_path) as xml:
            names: list[str | None] | None = None
            for index, values in _sheet_rows(_BoundedText(xml, limits.text_bytes), cells, limits):
                if names is None:
                    names = _header([values.get(column) for column in range(1, max(values, default=0) + 1)])
                    continue
                mapped = {name: _xlsx_cell(values.get(column)) for column, name in enumerate(names, 1) if name}
                extra = sum(1 for column in values if column > len(names))  # the empty cells are left out
                if extra or any(value is not None for value in mapped.values()):
                    yield Row(index, mapped, extra)
            if names is None:
                raise Invalid("header", "the file has no header row")
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, SyntaxError, EOFError) as exc:
        if isinstance(exc, Invalid):
            raise
        raise _unreadable(exc) from None
    finally:
        book.close()


def _open_workbook(source: IO[bytes], limits: XlsxLimits) -> tuple[Any, zipfile.ZipFile, str, _CellReader]:
    """openpyxl's read-only workbook (its shared strings read by `_shared_strings` instead of its own
    reader: a Python object per string, 60 seconds for 32 MiB of them), its zip, the path
    of its first worksheet there, and the reader of that sheet's cells — all from openpyxl's public names."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.constants import ARC_STYLE
    from openpyxl.xml.functions import fromstring

    refusals: list[Invalid] = []  # openpyxl's `read` words every failure as its own; the limits keep theirs

    class BoundedReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as xml:
                    try:
                        self.shared_strings = _shared_strings(_BoundedText(xml, limits.text_bytes), limits)
                    except Invalid as exc:
                        refusals.append(exc)
                        raise

    reader = BoundedReader(source, read_only=True, data_only=True)
    try:
        reader.read()
    except Exception:
        if refusals:
            raise refusals[0] from None
        raise
    book = reader.wb
    try:
        paths = [
            rel.target
            for _, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        if not paths:
            raise IndexError("the file has no worksheet")
        dates: set[int] = set()
        durations: set[int] = set()
        if ARC_STYLE in reader.valid_files:
            styles = Stylesheet.from_tree(fromstring(reader.archive.read(ARC_STYLE)))
            if styles.cell_styles:
                dates, durations = set(styles.date_formats), set(styles.timedelta_formats)
    except BaseException:
        book.close()
        raise
    return book, reader.archive, paths[0], _CellReader(reader.shared_strings, book.epoch, dates, durations)


class _CellReader:
    """A sheet cell's value from its XML element: numbers the exact Decimal the file stores, numbers in a date
    format as datetimes, shared and inline strings as text, booleans as bool (openpyxl's rules, data only)."""

    def __init__(self, strings: list[str], epoch: datetime, dates: set[int], durations: set[int]) -> None:
        self.strings, self.epoch, self.dates, self.durations = strings, epoch, dates, durations
        self.row = 0
        self.column = 0

    def value(self, element: Any) -> tuple[int, Any]:
        """The cell's column (from its reference, or the one after the row's last) and its value."""
        from openpyxl.utils.cell import coordinate_to_tuple
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        reference = element.get("r")
        self.column = coordinate_to_tuple(reference)[1] if reference else self.column + 1
        kind = element.get("t", "n")
        if kind == "inlineStr":
            inline = element.find(INLINE_STRING)
            if inline is None:
                return self.column, None
            plain = inline.findtext(TEXT_TAG)
            if plain is None:
                plain = "".join(part.findtext(TEXT_TAG) or "" for part in inline.iterfind(RUN_TAG))
            return self.column, plain
        text = element.findtext(VALUE_TAG) or None
        if text is None:
            return self.column, None
        if kind == "n":
            style = element.get("s")
            if style and int(style) in self.dates:
                try:
                    return self.column, from_excel(float(text), self.epoch, timedelta=int(style) in self.durations)
                except (OverflowError, ValueError):
                    return self.column, "#VALUE!"  # a serial out of the dates' range, as openpyxl marks it
            return self.column, _excel_number(text)
        if kind == "s":
            return self.column, self.strings[int(text)]
        if kind == "b":
            return self.column, bool(int(text))
        if kind == "d":
            return self.column, from_ISO8601(text)
        return self.column, text  # "str" (a formula's text) and "e" (an error) as the text stored


def _shared_strings(xml: Any, limits: XlsxLimits) -> list[str]:
    """The shared strings' plain text (a string's runs joined, its phonetic reading left out), at most
    `limits.cells` of them: a sheet cannot use more."""
    from openpyxl.xml.constants import SHEET_MAIN_NS

    item, text, run = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "r"))
    strings: list[str] = []
    for _, element in _iterparse(xml, ("end",), item):
        plain = element.findtext(text)
        if plain is None:
            plain = "".join(part.findtext(text) or "" for part in element.iterfind(run))
        strings.append(plain.replace("x005F_", ""))
        if len(strings) > limits.cells:
            raise Invalid("file", "has more than {count} shared strings; split it", count=limits.cells)
        _drop(element)
    return strings


def _iterparse(xml: Any, events: tuple[str, ...], tag: str | tuple[str, ...]) -> Any:
    """lxml's iterparse, which keeps the pace of the C parser (the standard library's, as openpyxl calls
    it through defusedxml, runs its tree builder in Python: 40 seconds for a million shared strings),
    with no DTD, no entities and no network."""
    from lxml import etree

    return etree.iterparse(
        xml, events=events, tag=tag, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )


def _drop(element: Any) -> None:
    """An element read, and the ones read before it, out of the tree iterparse builds."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _unreadable(exc: BaseException) -> Invalid:
    return Invalid("file", "is not a readable XLSX file: {problem}", problem=str(exc)[:200] or type(exc).__name__)


def check_archive(source: IO[bytes], limits: XlsxLimits | None = None) -> None:
    """Refuse a zip that would unpack past the limits, from its directory alone, before any part is unpacked."""
    limits = limits or xlsx_limits()
    try:
        if _directory_size(source) > limits.directory_bytes:  # before the directory is read
            raise _too_big(limits.directory_bytes, "directory")
        source.seek(0)
        parts = zipfile.ZipFile(source).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise exc if isinstance(exc, Invalid) else _unreadable(exc) from None
    finally:
        source.seek(0)
    total = 0
    for part in parts:
        total += part.file_size
        if total > limits.unpacked_bytes:
            raise _too_big(limits.unpacked_bytes, "all")
        if part.file_size > limits.part_bytes and not part.filename.startswith(limits.sheets):
            raise _too_big(limits.part_bytes, part.filename)


END_RECORD = struct.Struct("<4s4H2LH")  # PKWARE's APPNOTE 4.3.16: the end of central directory record
END_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")  # APPNOTE 4.3.15, just before the end record
ZIP64_END = struct.Struct("<4sQ2H2L4Q")  # APPNOTE 4.3.14
MAX_COMMENT = 0xFFFF


def _directory_size(source: IO[bytes]) -> int:
    """The size the zip's end record gives its central directory (0 when there is none: zipfile then refuses
    the file), read from the file's last bytes as the zip format lays them out."""
    source.seek(0, io.SEEK_END)
    length = source.tell()
    tail_start = max(0, length - END_RECORD.size - MAX_COMMENT)
    source.seek(tail_start)
    tail = source.read()
    at = tail.rfind(END_SIGNATURE)
    if at < 0 or len(tail) - at < END_RECORD.size:
        return 0
    size = END_RECORD.unpack_from(tail, at)[5]
    locator_at = at - ZIP64_LOCATOR.size
    if size == 0xFFFFFFFF and locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        end64_at = ZIP64_LOCATOR.unpack_from(tail, locator_at)[2]
        source.seek(end64_at)
        record = source.read(ZIP64_END.size)
        if len(record) == ZIP64_END.size and record[:4] == b"PK\x06\x06":
            size = ZIP64_END.unpack(record)[8]
    return int(size)


def _too_big(limit: int, part: str) -> Invalid:
    return Invalid(
        "file",
        "unpacks past the import's limit of {limit} MiB ({part}); split it, or save it as CSV",
        limit=max(1, limit // MiB),
        part=part[:80],
    )


def _sheet_rows(xml: Any, cells: _CellReader, limits: XlsxLimits) -> Iterator[tuple[int, dict[int, Any]]]:
    """The sheet's rows as (row number, {column: value}) without the empty cells, read one cell at a time:
    each cell is dropped as soon as it is read, and the cells are counted."""
    count = 0
    row_element: Any = None
    values: dict[int, Any] = {}
    row_cells = 0
    for event, element in _iterparse(xml, ("start", "end"), (ROW_TAG, CELL_TAG)):
        tag = element.tag
        if event == "start":
            if tag == ROW_TAG:
                row_element, values, row_cells = element, {}, 0
                number = element.get("r")
                cells.row = int(number) if number and number.isdecimal() else cells.row + 1
                cells.column = 0
            continue
        if tag == CELL_TAG and row_element is not None:
            count += 1
            row_cells += 1
            if count > limits.cells or row_cells > limits.row_cells:
                raise Invalid(
                    "file",
                    "has more than {count} cells in its sheet, or {columns} in a row; split it",
                    count=limits.cells,
                    columns=limits.row_cells,
                )
            column, value = cells.value(element)
            if value is not None:
                values[column] = value
            _drop(element)  # only the cell being read stays in memory
        elif tag == ROW_TAG:
            yield cells.row, values
            row_element, values = None, {}
            _drop(element)


class _BoundedText:
    """A sheet's XML, refused once any run of bytes between two tags (a cell's text) passes `limit`:
    the XML parser would hold that run whole in memory."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw, self.limit, self.run = raw, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size and size > 0 else 1 << 16)
        first, last = data.find(b"<"), data.rfind(b"<")
        if first < 0:
            self.run += len(data)
        else:
            inner = max(map(len, data[first + 1 : last].split(b"<"))) if last > first else 0
            if max(self.run + first, inner) > self.limit:
                raise self._refused()
            self.run = len(data) - last - 1
        if self.run > self.limit:
            raise self._refused()
        return data

    def _refused(self) -> Invalid:
        return Invalid("file", "has a cell of more than {limit} KiB of text", limit=self.limit // 1024)


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
