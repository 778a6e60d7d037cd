"""Checking one row of an import file exactly as a form entry is checked, into a `Planned` contribution.

Amounts, quantities and unit values written as text are read by the form's own parser
(`parse_amount`) in the import's locale, so "1.500" is what the uploader's form would make
of it (1500 in tr and az, refused as ambiguous in en and ru); number cells of an XLSX file
are already exact numbers and are taken as they are.

Every problem of a row is noted on the report (row number, the file's column, a
message), not only the first; a clean row becomes a `Planned`, waiting for its
donor and recipient to be found and its chunk to be written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from tracker.core.errors import Invalid, Plural
from tracker.core.fields import country_code
from tracker.core.money import Money
from tracker.core.parsing import parse_amount
from tracker.core.vocabulary import LineKind
from tracker.db.columns import DONOR_KINDS, RECIPIENT_KINDS
from tracker.importing.files import Cell, Row
from tracker.importing.report import ImportReport
from tracker.ledger.checks import (  # the ledger's own rules, so an imported row passes exactly what a form would
    LineInput,
    RecordedLine,
    check_line,
    check_notes,
    check_reference,
    check_status,
    check_value_date,
)

LINES_KEPT = 20_000  # checked lines remembered, at most

# Where the ledger's field names point in the file.
COLUMN_OF = {
    "line.amount": "amount",
    "line.amount.currency": "currency",
    "line.unit_value": "unit_value",
    "line.unit_value.currency": "currency",
    "line.quantity": "quantity",
    "line.item_id": "item",
    "line.valuation": "valuation",
    "line.kind": "kind",
    "value_date": "date",
}


@dataclass(slots=True)
class Planned:
    """A checked row, waiting for its donor and recipient to be found and its chunk to be written."""

    row: int
    key: str
    donor: str
    donor_kind: str | None
    donor_country: str | None
    recipient: str
    recipient_kind: str | None
    value_date: date
    status: str
    appeal_id: int | None
    reference: str
    notes: str
    line: RecordedLine
    cluster: str | None  # the item's, for the maintained totals


@dataclass
class Lookups:
    """Names the file refers to, resolved once per import."""

    items: dict[str, int]
    appeals: dict[str, int]
    clusters: dict[int, str]
    dates: dict[str, date] = field(default_factory=dict)  # date cells already checked
    lines: dict[tuple[Cell, ...], RecordedLine] = field(default_factory=dict)  # line cells already checked
    donors: dict[str, int | Invalid] = field(default_factory=dict)  # ref → id, or why there is none
    recipients: dict[str, int | Invalid] = field(default_factory=dict)


def check_row(session: Session, row: Row, lookups: Lookups, report: ImportReport, locale: str) -> Planned | None:
    """The row as a `Planned` contribution, or None with its every problem noted; numbers read in `locale`."""
    cells, number = row.cells, row.number
    get = cells.get
    before = report.problem_count
    if row.extra:
        report.problem(
            number,
            "",
            Plural(
                "has {count} cell past the last column of the header",
                "has {count} cells past the last column of the header",
                row.extra,
            ),
            count=row.extra,
        )
    if any("\x00" in value for value in cells.values() if isinstance(value, str)):
        for column, value in cells.items():  # no database stores one; reference and notes are checked below
            if isinstance(value, str) and "\x00" in value and column not in ("reference", "notes"):
                report.problem(number, column, "must not contain NUL characters")
    raw = get("date")
    value_date = lookups.dates.get(raw) if isinstance(raw, str) else None
    if value_date is None:
        try:
            value_date = _date(raw)
        except Invalid as exc:
            _fail(report, number, "date", exc)
        else:
            if isinstance(raw, str):
                lookups.dates[raw] = value_date  # a day's checks do not change within an import
    status = None
    try:
        status = check_status(get("status"))
    except Invalid as exc:
        _fail(report, number, "status", exc)
    donor = _required(report, row, "donor")
    recipient = _required(report, row, "recipient")
    appeal_id = None
    if get("appeal"):
        appeal_id = lookups.appeals.get(str(cells["appeal"]).upper())
        if appeal_id is None:
            report.problem(number, "appeal", "no appeal with code {code}", code=cells["appeal"])
    texts = {"reference": "", "notes": ""}
    for column, check in (("reference", check_reference), ("notes", check_notes)):
        if get(column) is not None:
            try:
                texts[column] = check(str(cells[column]))
            except Invalid as exc:
                _fail(report, number, column, exc)
    facts = (get("kind"), get("amount"), get("currency"), get("item"), get("quantity"), get("unit_value"),
             get("valuation"))  # fmt: skip
    line = lookups.lines.get(facts)
    if line is None:
        try:
            line = check_line(session, _line(cells, lookups, locale), "line")
        except Invalid as exc:
            _fail(report, number, "kind", exc)
        else:
            if len(lookups.lines) >= LINES_KEPT:
                lookups.lines.clear()
            lookups.lines[facts] = line  # the same cells make the same line: amounts, quantities repeat
    for column, kinds in (("donor_kind", DONOR_KINDS), ("recipient_kind", RECIPIENT_KINDS)):
        if get(column) and cells[column] not in kinds:
            report.problem(
                number, column, "must be one of {allowed}, got {value!r}", allowed=", ".join(kinds), value=cells[column]
            )
    country = None
    if get("donor_country") is not None:
        try:
            country = country_code(str(cells["donor_country"]))
        except Invalid as exc:
            _fail(report, number, "donor_country", exc)
    if report.problem_count > before or line is None or value_date is None:
        return None
    return Planned(
        number,
        "",  # named with its chunk (`import_keys`)
        str(donor),
        _str(get("donor_kind")),
        country,
        str(recipient),
        _str(get("recipient_kind")),
        value_date,
        str(status),
        appeal_id,
        texts["reference"],
        texts["notes"],
        line,
        lookups.clusters.get(line.item_id) if line.item_id is not None else None,
    )


def _fail(report: ImportReport, row: int, column: str, exc: Invalid) -> None:
    """A check's refusal as a problem, under the file's column the field comes from."""
    report.problem(
        row, COLUMN_OF.get(exc.field, exc.field if exc.field in _COLUMNS else column), exc.template, **exc.params
    )


def _required(report: ImportReport, row: Row, column: str) -> Cell:
    value = row.cells.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        report.problem(row.number, column, "is required")
        return None
    return value


def _str(value: Cell) -> str | None:
    return None if value is None else str(value)


def _date(value: Cell) -> date:
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise Invalid("date", "{value} is not a real date", value=value) from None
    elif value is None:
        raise Invalid("date", "is required")
    else:
        raise Invalid("date", "must be a date written YYYY-MM-DD, got {value}", value=value)
    check_value_date(parsed)
    return parsed


def _number(value: Cell, column: str, locale: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value  # an XLSX number cell, read exactly: it has no locale
    if isinstance(value, date):
        raise Invalid(column, "expected a number, got a date")
    return parse_amount(value, locale, column)


def _line(cells: dict[str, Cell], lookups: Lookups, locale: str) -> LineInput:
    kind = cells.get("kind")
    currency = _str(cells.get("currency"))
    if kind == LineKind.MONEY:
        amount = _number(cells.get("amount"), "amount", locale)
        return LineInput(LineKind.MONEY, amount=Money(amount, currency) if amount is not None else None)  # type: ignore[arg-type]
    if kind not in (LineKind.GOODS, LineKind.SERVICE):
        return LineInput(str(kind))  # check_line names the allowed kinds
    if cells.get("amount") is not None:
        raise Invalid("amount", "a {kind} line is valued by unit_value, not amount", kind=kind)
    item_id = None
    if cells.get("item") is not None:
        item_id = lookups.items.get(str(cells["item"]))
        if item_id is None:
            raise Invalid("item", "no catalogue item named {name}", name=cells["item"])
    unit_value = _number(cells.get("unit_value"), "unit_value", locale)
    return LineInput(
        str(kind),
        item_id=item_id,
        quantity=_number(cells.get("quantity"), "quantity", locale),
        unit_value=Money(unit_value, currency) if unit_value is not None else None,  # type: ignore[arg-type]
        valuation=_str(cells.get("valuation")),
    )


_COLUMNS = frozenset(COLUMN_OF.values()) | {"date", "status", "donor", "recipient", "reference", "notes"}
