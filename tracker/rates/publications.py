"""Exchange-rate publications read exactly as published, nothing converted yet.

Formats (each refused as a whole, naming the line or element, when anything in it is wrong):

- ``cbar``: the Central Bank of Azerbaijan's daily XML (``<ValCurs Date="DD.MM.YYYY">``),
  AZN per ``Nominal`` units of each currency. The bank-metals ``ValType`` and empty values
  are skipped; the document's own ``Date`` is the rate date.
- ``ecb``: the European Central Bank's euro reference rates, units of each currency per
  1 EUR: the XML files (daily, 90-day and history: one ``<Cube time=...>`` per day) and the
  CSV files (daily ``eurofxref.csv`` with English dates and spaces, history
  ``eurofxref-hist.csv`` with ISO dates and ``N/A``; trailing commas in both).
- ``csv``: a plain ``date,currency,rate`` file with that header; the rate is already in
  reporting-currency units per 1 unit of the currency.

Currency codes: a code of the allow-list (tracker.core.money.CURRENCIES) is kept; a real ISO 4217
code outside it (CBAR's XDR, the ECB history's withdrawn CYP, SIT, ...: Babel knows current and
withdrawn codes) is skipped and counted; a code ISO never had (a typo such as USX) refuses the
file, naming its line or element, unless the import is asked to skip unknown codes too.

XML is read with defusedxml: no DTDs, no entities. A file over MAX_FILE_BYTES is refused before
it is read: the whole ECB history since 1999 is about 7 MiB, and reading a file takes some 25
times its size in memory (a 51 MB file took 1.33 GB).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from babel.numbers import list_currencies
from defusedxml import DefusedXmlException

from tracker.core.errors import Invalid, Phrase, phrase
from tracker.core.money import CURRENCIES

SOURCES = ("cbar", "ecb", "csv")
MAX_FILE_BYTES = 16 * 1024 * 1024


def check_file_size(size: int) -> None:
    """Refuse a rates file over MAX_FILE_BYTES, by its size alone: every door checks it before reading."""
    if size > MAX_FILE_BYTES:
        raise Invalid(
            "file", "is larger than {limit} MiB, more than any bank publishes; split it", limit=MAX_FILE_BYTES >> 20
        )


CBAR_BASE = "AZN"


ECB_BASE = "EUR"


ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


CBAR_METALS = frozenset({"bank metalları", "bank metals", "банковские металлы"})


MONTHS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(), start=1
    )
}


NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


# A figure with a minus sign is still a number: it is refused as not more than zero, not as "not a number".
SIGNED_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")


# Every ISO 4217 code Babel knows, current and withdrawn.
ISO_CODES = frozenset(list_currencies())


CODE = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True, slots=True)
class Quote:
    """One figure as the file publishes it, with where it stands in the file."""

    rate_date: date
    currency: str
    value: Decimal
    units: int
    where: str | Phrase


@dataclass(frozen=True, slots=True)
class Sheet:
    """What a file says, before it is expressed in the reporting currency.

    `quoting` is "direct" (base units per `units` of the currency: CBAR), "indirect"
    (currency units per 1 base unit: ECB) or "reporting" (already in the reporting currency).
    """

    source: str
    quoting: str
    base: str | None
    quotes: tuple[Quote, ...]
    skipped: int


def detect_source(data: bytes) -> str:
    """Which of SOURCES a file is, from its first element or its header line."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        tag = _xml(data).tag
        if tag == "ValCurs":
            return "cbar"
        if tag.endswith("Envelope"):
            return "ecb"
        raise Invalid("file", "an XML file with root element {tag} is neither a CBAR nor an ECB rates file", tag=tag)
    header = next(csv.reader(io.StringIO(_text(data)), skipinitialspace=True), [])
    cells = [cell.strip() for cell in header]
    if [cell.lower() for cell in cells] == ["date", "currency", "rate"]:
        return "csv"
    if cells and cells[0] == "Date" and len(cells) > 1 and all(CODE.match(c) for c in cells[1:] if c):
        return "ecb"
    raise Invalid("file", "not a CBAR or ECB rates file, nor a CSV file with the header date,currency,rate")


def read_sheet(data: bytes, source: str, skip_unknown: bool = False) -> Sheet:
    """The figures of a file in one of SOURCES, exactly as published.

    A code that is no ISO 4217 code refuses the file, or with `skip_unknown` is skipped and counted.
    """
    if source == "cbar":
        return _cbar(data, skip_unknown)
    if source == "ecb":
        is_xml = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        return _ecb_xml(data, skip_unknown) if is_xml else _ecb_csv(data, skip_unknown)
    if source == "csv":
        return _plain_csv(data, skip_unknown)
    raise Invalid("source", "must be one of {choices}, got '{source}'", choices=", ".join(SOURCES), source=source)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("file", "the file is not UTF-8 text (byte {position})", position=exc.start + 1) from None


def _xml(data: bytes) -> Element:
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)  # defusedxml ships no types
        return root
    except ParseError as exc:
        raise Invalid("file", "not well-formed XML: {reason}", reason=str(exc)) from None
    except DefusedXmlException:
        raise Invalid("file", "XML with a DOCTYPE or entities is refused") from None


def _number(text: str | None, where: str | Phrase, what: str | Phrase) -> Decimal:
    """A published figure: plain digits with an optional point, more than zero."""
    value = (text or "").strip()
    if not SIGNED_NUMBER.match(value):
        raise Invalid("file", "{where}: {what} '{value}' is not a number", where=where, what=what, value=value)
    number = Decimal(value)
    if number <= 0:
        raise Invalid(
            "file", "{where}: {what} must be more than zero, got {value}", where=where, what=what, value=value
        )
    return number


def _code(text: str | None, where: str | Phrase) -> str:
    code = (text or "").strip()
    if not CODE.match(code):
        raise Invalid("file", "{where}: '{code}' is not a currency code", where=where, code=code)
    return code.upper()


def is_kept(code: str, where: str | Phrase, skip_unknown: bool) -> bool:
    """Whether a file's code is recorded: an allow-listed one is; a real ISO code outside the list is skipped.

    A code ISO 4217 never had is a typo: it refuses the file unless `skip_unknown`.
    """
    if code in CURRENCIES:
        return True
    if code not in ISO_CODES and not skip_unknown:
        raise Invalid("file", "{where}: {code} is not a currency code", where=where, code=code)
    return False


def _cbar(data: bytes, skip_unknown: bool) -> Sheet:
    root = _xml(data)
    if root.tag != "ValCurs":
        raise Invalid("file", "not a CBAR rates file: the root element is {tag}, not ValCurs", tag=root.tag)
    day = _cbar_date(root.get("Date"))
    quotes: list[Quote] = []
    skipped = 0
    for valtype in root.findall("ValType"):
        kind = (valtype.get("Type") or "").strip()
        if kind.casefold() in CBAR_METALS:
            continue
        for position, valute in enumerate(valtype.findall("Valute"), start=1):
            code_text = valute.get("Code")
            where = f'ValType "{kind}", Valute {position}' if code_text is None else f'Valute Code="{code_text}"'
            if code_text is None:
                raise Invalid("file", "{where}: the Code attribute is missing", where=where)
            code = _code(code_text, where)
            value = (valute.findtext("Value") or "").strip()
            kept = is_kept(code, where, skip_unknown)  # a typo refuses the file even without a value
            if not value or not kept:
                skipped += 1
                continue
            nominal = (valute.findtext("Nominal") or "").strip()
            if not nominal.isdecimal() or int(nominal) == 0:
                raise Invalid(
                    "file", "{where}: Nominal '{nominal}' is not a whole number", where=where, nominal=nominal
                )
            quotes.append(Quote(day, code, _number(value, where, "Value"), int(nominal), where))
    if not quotes and not skipped:
        raise Invalid("file", "the CBAR file holds no currency rates")
    return Sheet("cbar", "direct", CBAR_BASE, tuple(_no_repeats(quotes)), skipped)


def _cbar_date(text: str | None) -> date:
    if text is None:
        raise Invalid("file", "ValCurs: the Date attribute is missing")
    try:
        return datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise Invalid("file", "ValCurs: Date '{value}' is not a date (DD.MM.YYYY)", value=text) from None


def _ecb_xml(data: bytes, skip_unknown: bool) -> Sheet:
    root = _xml(data)
    outer = root.find(f"{ECB_NS}Cube")
    if not root.tag.endswith("Envelope") or outer is None:
        raise Invalid("file", "not an ECB rates file: no Cube element in the ECB namespace")
    quotes: list[Quote] = []
    skipped = 0
    for position, day_cube in enumerate(outer.findall(f"{ECB_NS}Cube"), start=1):
        time = day_cube.get("time")
        if time is None:
            raise Invalid("file", "Cube {position} of the outer Cube: the time attribute is missing", position=position)
        day = _iso_date(time, f"Cube time='{time}'")
        for inner, cube in enumerate(day_cube.findall(f"{ECB_NS}Cube"), start=1):
            currency, rate = cube.get("currency"), cube.get("rate")
            where = (
                f"Cube time='{time}', Cube currency='{currency}'" if currency else f"Cube time='{time}', Cube {inner}"
            )
            if currency is None or rate is None:
                attribute = "currency" if currency is None else "rate"
                raise Invalid("file", "{where}: the {attribute} attribute is missing", where=where, attribute=attribute)
            code = _code(currency, where)
            if not is_kept(code, where, skip_unknown):
                skipped += 1
                continue
            quotes.append(Quote(day, code, _number(rate, where, phrase("rate")), 1, where))
    if not quotes and not skipped:
        raise Invalid("file", "the ECB file holds no rates")
    return Sheet("ecb", "indirect", ECB_BASE, tuple(_no_repeats(quotes)), skipped)


def _ecb_csv(data: bytes, skip_unknown: bool) -> Sheet:
    lines = _csv_rows(data)
    header_line, header = next(lines, (1, []))
    cells = [cell.strip() for cell in header]
    while cells and not cells[-1]:
        cells.pop()  # the trailing comma
    if not cells or cells[0] != "Date":
        raise Invalid("file", "line 1: an ECB CSV file starts with a Date column")
    codes = []
    for column, cell in enumerate(cells[1:], start=2):
        where = phrase("line {line}, column {column}", line=header_line, column=column)
        codes.append(_code(cell, where))
        is_kept(codes[-1], where, skip_unknown)  # a typo in the header refuses the file before any row
    quotes: list[Quote] = []
    skipped = 0
    for number, row in lines:
        values = [cell.strip() for cell in row]
        if not any(values):
            continue
        extra = [v for v in values[len(cells) :] if v]
        if extra:
            raise Invalid("file", "line {line}: more values than the header has columns", line=number)
        day = _ecb_csv_date(values[0], phrase("line {line}", line=number))
        for code, value in zip(codes, values[1:], strict=False):
            if value in ("", "N/A"):
                continue
            if code not in CURRENCIES:
                skipped += 1
                continue
            where = phrase("line {line}, column {column}", line=number, column=code)
            quotes.append(Quote(day, code, _number(value, where, phrase("rate")), 1, where))
    if not quotes and not skipped:
        raise Invalid("file", "the ECB file holds no rates")
    return Sheet("ecb", "indirect", ECB_BASE, tuple(_no_repeats(quotes)), skipped)


def _ecb_csv_date(text: str, where: str | Phrase) -> date:
    """An ISO date (history file) or an English one such as "07 March 2025" (daily file), locale-free."""
    parts = text.split()
    if len(parts) == 3 and parts[1].lower() in MONTHS and parts[0].isdecimal() and parts[2].isdecimal():
        try:
            return date(int(parts[2]), MONTHS[parts[1].lower()], int(parts[0]))
        except ValueError:
            pass
    return _iso_date(text, where)


def _plain_csv(data: bytes, skip_unknown: bool) -> Sheet:
    lines = _csv_rows(data)
    _, header = next(lines, (1, []))
    if [cell.strip().lower() for cell in header] != ["date", "currency", "rate"]:
        raise Invalid("file", "line 1: the header must be date,currency,rate")
    quotes: list[Quote] = []
    skipped = 0
    for number, row in lines:
        values = [cell.strip() for cell in row]
        if not any(values):
            continue
        where = phrase("line {line}", line=number)
        if len(values) != 3:
            raise Invalid(
                "file", "{where}: expected 3 values (date, currency, rate), got {count}", where=where, count=len(values)
            )
        day = _iso_date(values[0], where)
        code = _code(values[1], where)
        rate = _number(values[2], where, phrase("rate"))
        if not is_kept(code, where, skip_unknown):
            skipped += 1
            continue
        quotes.append(Quote(day, code, rate, 1, where))
    if not quotes and not skipped:
        raise Invalid("file", "the file holds no rates")
    return Sheet("csv", "reporting", None, tuple(_no_repeats(quotes)), skipped)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each starts on (1-based), trimmed of the spaces after commas."""
    reader = csv.reader(io.StringIO(_text(data), newline=""), skipinitialspace=True, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Invalid("file", "line {line}: {reason}", line=line, reason=str(exc)) from None
        yield line, row


def _iso_date(text: str, where: str | Phrase) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            "file", "{where}: '{value}' is not a date (YYYY-MM-DD)", where=where, value=text.strip()
        ) from None


def _no_repeats(quotes: list[Quote]) -> list[Quote]:
    """Each (date, currency) once: an exact repeat is dropped, a different figure is refused."""
    seen: dict[tuple[date, str], Quote] = {}
    kept = []
    for quote in quotes:
        earlier = seen.get((quote.rate_date, quote.currency))
        if earlier is None:
            seen[(quote.rate_date, quote.currency)] = quote
            kept.append(quote)
        elif (earlier.value, earlier.units) != (quote.value, quote.units):
            raise Invalid(
                "file",
                "{where}: {currency} on {date} already has a different rate ({earlier})",
                where=quote.where,
                currency=quote.currency,
                date=quote.rate_date.isoformat(),
                earlier=earlier.where,
            )
    return kept
