"""Importing contributions from a file: every row checked like a form entry, then all of them or none.

Rows are read and checked in chunks, so memory stays flat; each row goes through the same
checks as `ledger.check_line`. Clean chunks are written with SQLAlchemy Core executemany,
each contribution still with its own hash-chained `contribution.recorded` journal event,
computed here in the chain's order. Any bad row stops the writing but not the checking,
so the report lists every bad row; then `ImportRefused` rolls the whole import back.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from sqlmodel import Session, func, select

from tracker.catalogue import DonorInput, RecipientInput, country_code, create_donor, create_recipient
from tracker.errors import Invalid, TrackerError, render
from tracker.import_files import Cell, Row, read_rows
from tracker.import_inserts import Inserter
from tracker.import_totals import ImportTotals
from tracker.import_writer import already_imported, write_chunk
from tracker.journal import record_event
from tracker.ledger import (
    LineInput,
    RecordedLine,
    _check_value_date,  # the ledger's own rules, so an imported row passes exactly what a form would
    _text,
    check_line,
)
from tracker.models import (
    DONOR_KINDS,
    RECIPIENT_KINDS,
    STATUSES,
    Appeal,
    Donor,
    Item,
    Recipient,
    User,
)
from tracker.money import Money
from tracker.parsing import parse_amount

CHUNK = 2000
PLAIN_DECIMAL = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,20})?$")
MAX_PROBLEMS = 1000
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


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or would do: counts, what it creates, and every bad row."""

    import_id: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    skipped: int = 0
    donors_created: list[str] = field(default_factory=list)
    recipients_created: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    bad_rows: set[int] = field(default_factory=set)

    def problem(self, row: int, column: str, template: str, **params: Any) -> None:
        """Note a bad row; the message is a gettext template, rendered in the current language."""
        self.problem_count += 1
        self.bad_rows.add(row)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, render(template, params)))


class ImportRefused(TrackerError):
    """The file has bad rows: nothing was imported (HTTP 422); `report` lists them."""

    status_code = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            "bad rows: {rows}, problems: {problems}; nothing was imported",
            problems=report.problem_count,
            rows=len(report.bad_rows),
        )
        self.report = report


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


@dataclass(frozen=True)
class Writing:
    """What a real (not dry) run writes with: the totals it keeps and the inserts it runs."""

    totals: ImportTotals
    inserter: Inserter


@dataclass
class Lookups:
    """Names the file refers to, resolved once per import."""

    items: dict[str, int]
    appeals: dict[str, int]
    clusters: dict[int, str]
    dates: dict[str, date] = field(default_factory=dict)  # date cells already checked
    donors: dict[str, int | str] = field(default_factory=dict)  # ref → id, or a problem message
    recipients: dict[str, int | str] = field(default_factory=dict)


def import_contributions(
    session: Session,
    source: IO[bytes],
    user: User | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row of the file and, unless it is a dry run, record them all; a bad row refuses the whole file."""
    report = ImportReport(uuid.uuid4().hex, dry_run)
    # Held for the whole import: the session's identity map is weak, and check_line looks items up by id.
    items = list(session.exec(select(Item).where(~Item.archived)))  # type: ignore[arg-type]
    lookups = Lookups(
        items={item.name: item.id for item in items},  # type: ignore[misc]
        appeals={code: appeal_id for appeal_id, code in session.exec(select(Appeal.id, Appeal.code))},  # type: ignore[misc]
        clusters={item.id: item.cluster for item in items},  # type: ignore[misc]
    )
    writing = None if dry_run else Writing(ImportTotals(session), Inserter(session))
    seen: Counter[bytes] = Counter()
    keys: set[str] = set()
    chunk: list[Planned] = []
    try:
        for row in read_rows(source):
            report.rows += 1
            planned = _check_row(session, row, lookups, seen, keys, report)
            if planned is not None:
                chunk.append(planned)
            if len(chunk) >= CHUNK:
                if writing is not None:
                    writing.inserter.wait()  # nothing else uses the connection while a chunk is being inserted
                if progress:
                    progress(report.rows)
                _settle(session, chunk, lookups, user, report, writing)
                chunk = []
        _settle(session, chunk, lookups, user, report, writing)
    finally:
        if writing is not None:
            writing.inserter.wait()  # never leave the connection in use by the inserts' thread
    if progress:
        progress(report.rows)
    if report.problem_count:
        raise ImportRefused(report)
    if writing is not None:
        writing.totals.flush(session)
    if not dry_run and report.created:
        record_event(
            session,
            action="import.committed",
            object_type="import",
            object_id=report.import_id,
            user_id=user.id if user else None,
            after={"rows": report.rows, "created": report.created, "skipped": report.skipped},
        )
    return report


def _check_row(
    session: Session,
    row: Row,
    lookups: Lookups,
    seen: Counter[bytes],
    keys: set[str],
    report: ImportReport,
) -> Planned | None:
    cells, number = row.cells, row.number
    get = cells.get
    before = report.problem_count
    if row.extra:
        report.problem(number, "", "has {count} cells past the last column of the header", count=row.extra)
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
    status = get("status")
    if status not in STATUSES:
        report.problem(
            number, "status", "must be one of {allowed}, got {value!r}", allowed=", ".join(STATUSES), value=status
        )
    donor = _required(report, row, "donor")
    recipient = _required(report, row, "recipient")
    appeal_id = None
    if get("appeal"):
        appeal_id = lookups.appeals.get(str(cells["appeal"]).upper())
        if appeal_id is None:
            report.problem(number, "appeal", "no appeal with code {code}", code=cells["appeal"])
    texts = {"reference": "", "notes": ""}
    for column, limit in (("reference", 200), ("notes", 4000)):
        if get(column) is not None:
            try:
                texts[column] = _text(str(cells[column]), column, limit)
            except Invalid as exc:
                _fail(report, number, column, exc)
    line = None
    try:
        line = check_line(session, _line(cells, lookups), "line")
    except Invalid as exc:
        _fail(report, number, "kind", exc)
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
    key = _row_key(row, seen)
    if key in keys:
        report.problem(number, "key", "the key {key} appears twice in the file", key=get("key"))
    keys.add(key)
    if report.problem_count > before or line is None or value_date is None:
        return None
    return Planned(
        number,
        key,
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
        row, COLUMN_OF.get(exc.field, exc.field if exc.field in _COLUMNS else column), "{rule}", rule=exc.rule
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
    _check_value_date(parsed)
    return parsed


def _number(value: Cell, column: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, date):
        raise Invalid(column, "expected a number, got a date")
    if PLAIN_DECIMAL.match(value):
        return Decimal(value)  # machine-written: the point is always the decimal point
    return parse_amount(value, "en", column)


def _line(cells: dict[str, Cell], lookups: Lookups) -> LineInput:
    kind = cells.get("kind")
    currency = _str(cells.get("currency"))
    if kind == "money":
        amount = _number(cells.get("amount"), "amount")
        return LineInput("money", amount=Money(amount, currency) if amount is not None else None)  # type: ignore[arg-type]
    if kind not in ("goods", "service"):
        return LineInput(str(kind))  # check_line names the allowed kinds
    if cells.get("amount") is not None:
        raise Invalid("amount", "a {kind} line is valued by unit_value, not amount", kind=kind)
    item_id = None
    if cells.get("item") is not None:
        item_id = lookups.items.get(str(cells["item"]))
        if item_id is None:
            raise Invalid("item", "no catalogue item named {name}", name=cells["item"])
    unit_value = _number(cells.get("unit_value"), "unit_value")
    return LineInput(
        str(kind),
        item_id=item_id,
        quantity=_number(cells.get("quantity"), "quantity"),
        unit_value=Money(unit_value, currency) if unit_value is not None else None,  # type: ignore[arg-type]
        valuation=_str(cells.get("valuation")),
    )


def _row_key(row: Row, seen: Counter[bytes]) -> str:
    """The file's own key, or the row's content with how many identical rows came before it."""
    own = row.cells.get("key")
    if own is not None:
        return "key:" + str(own)[:70]
    content = json.dumps([[name, str(value)] for name, value in sorted(row.cells.items()) if value is not None])
    digest = hashlib.sha256(content.encode("utf-8", "replace")).digest()[:20]
    seen[digest] += 1
    return f"row:{digest.hex()}#{seen[digest]}"


_COLUMNS = frozenset(COLUMN_OF.values()) | {"date", "status", "donor", "recipient", "reference", "notes"}


def _settle(
    session: Session,
    chunk: list[Planned],
    lookups: Lookups,
    user: User | None,
    report: ImportReport,
    writing: Writing | None,
) -> None:
    """Find or create the chunk's donors and recipients, then write the chunk if the file is clean so far."""
    if writing is not None:
        writing.inserter.wait()  # the previous chunk's inserts are done before the connection is used again
    _resolve(session, chunk, lookups, user, report, donors=True)
    _resolve(session, chunk, lookups, user, report, donors=False)
    ready: list[tuple[Planned, int, int]] = []
    for planned in chunk:
        donor_id, recipient_id = lookups.donors.get(planned.donor), lookups.recipients.get(planned.recipient)
        if isinstance(donor_id, str):
            report.problem(planned.row, "donor", "{rule}", rule=donor_id)
        if isinstance(recipient_id, str):
            report.problem(planned.row, "recipient", "{rule}", rule=recipient_id)
        if isinstance(donor_id, int) and isinstance(recipient_id, int):
            ready.append((planned, donor_id, recipient_id))
    if writing is None or report.problem_count:
        kept = already_imported(session, [p.key for p, _, _ in ready]) if ready else set()
        report.skipped += len(kept)
        report.created += len(ready) - len(kept)
        return
    skipped = write_chunk(session, ready, user, report.import_id, writing.totals, writing.inserter)
    report.skipped += skipped
    report.created += len(ready) - skipped


def _resolve(
    session: Session, chunk: list[Planned], lookups: Lookups, user: User | None, report: ImportReport, *, donors: bool
) -> None:
    known = lookups.donors if donors else lookups.recipients
    model: Any = Donor if donors else Recipient
    refs = sorted({p.donor if donors else p.recipient for p in chunk} - set(known))
    if not refs:
        return
    matches: dict[str, list[tuple[int, bool]]] = {ref: [] for ref in refs}
    for batch in (refs[i : i + 500] for i in range(0, len(refs), 500)):
        statement = select(model.id, model.name, model.archived).where(model.name.in_(batch))
        for found_id, name, archived in session.exec(statement):
            matches[name].append((found_id, archived))
        if donors:
            emails = {ref.lower(): ref for ref in batch if "@" in ref}
            statement = select(Donor.id, Donor.email, Donor.archived).where(func.lower(Donor.email).in_(list(emails)))
            for found_id, email, archived in session.exec(statement):
                matches[emails[email.lower()]].append((found_id, archived))
    wanted: dict[str, Planned] = {}
    for planned in chunk:  # the first row that says how to create it, else the first row
        ref, kind = (planned.donor, planned.donor_kind) if donors else (planned.recipient, planned.recipient_kind)
        if ref not in wanted or (kind and not (wanted[ref].donor_kind if donors else wanted[ref].recipient_kind)):
            wanted[ref] = planned
    what = "donor" if donors else "recipient"
    for ref in refs:
        found = {found_id: archived for found_id, archived in matches[ref]}
        if len(found) > 1:
            known[ref] = render(
                "{count} {what}s match {ref!r}; make the name unique or use the email",
                {"count": len(found), "what": what, "ref": ref},
            )
        elif found:
            ((found_id, archived),) = found.items()
            known[ref] = render("{what} {ref} is archived", {"what": what, "ref": ref}) if archived else found_id
        else:
            known[ref] = _create(session, wanted[ref], user, report, donors=donors)


def _create(session: Session, planned: Planned, user: User | None, report: ImportReport, *, donors: bool) -> int | str:
    """A donor or recipient the file asks for, or the reason it cannot be had."""
    ref = planned.donor if donors else planned.recipient
    kind = planned.donor_kind if donors else planned.recipient_kind
    what = "donor" if donors else "recipient"
    if not kind:
        template = "no donor with email or name {ref!r}" if donors else "no recipient named {ref!r}"
        return render(template + "; give {column} to create it", {"ref": ref, "column": f"{what}_kind"})
    (report.donors_created if donors else report.recipients_created).append(ref)
    if report.dry_run or report.problem_count:
        return -len(report.donors_created if donors else report.recipients_created)  # stands in for the id
    try:
        if donors:
            email = ref if "@" in ref else None
            made: Any = create_donor(session, DonorInput(ref, kind, planned.donor_country, email), user)
        else:
            made = create_recipient(session, RecipientInput(ref, kind), user)
    except Invalid as exc:
        return exc.rule
    return made.id
