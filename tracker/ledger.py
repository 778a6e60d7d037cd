"""The ledger's use cases: record a contribution, move its status on, fulfil a pledge, void."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from tracker.aggregates import apply_change, contribution_rows
from tracker.errors import Conflict, Invalid, NotFound, Plural
from tracker.figures import FigureRow
from tracker.i18n import N_
from tracker.journal import record_event
from tracker.models import (
    LINE_KINDS,
    QUANTITY_PLACES,
    STATUSES,
    VALUATIONS,
    Appeal,
    Contribution,
    ContributionLine,
    Donor,
    Item,
    NumberSequence,
    Recipient,
    User,
    utcnow,
)
from tracker.money import MAX_AMOUNT, Money, minor_digits, round_half_up, to_decimal
from tracker.vocabulary import Term

MAX_LINES = 200
MAX_QUANTITY = Decimal("1e12")
OPEN_STATUSES = ("pledged", "committed")
RANK = {status: rank for rank, status in enumerate(STATUSES)}
# Messages about a row another one refers to, one sentence per kind of row so each translates whole.
NO_SUCH = {
    "donor": N_("no donor with id {id}"),
    "recipient": N_("no recipient with id {id}"),
    "appeal": N_("no appeal with id {id}"),
    "item": N_("no item with id {id}"),
}
ARCHIVED = {
    "donor": N_("donor {name} is archived"),
    "recipient": N_("recipient {name} is archived"),
    "appeal": N_("appeal {name} is archived"),
    "item": N_("item {name} is archived"),
}


@dataclass(frozen=True)
class LineInput:
    """One line as a front door hands it over: typed, but not yet checked against the ledger."""

    kind: str
    amount: Money | None = None
    item_id: int | None = None
    quantity: Decimal | str | None = None
    unit_value: Money | None = None
    valuation: str | None = None


@dataclass(frozen=True)
class ContributionInput:
    """A new contribution as entered; `record_contribution` checks every field of it."""

    donor_id: int
    recipient_id: int
    value_date: date
    status: str
    lines: list[LineInput] = field(default_factory=list)
    appeal_id: int | None = None
    reference: str = ""
    notes: str = ""
    fulfils_id: int | None = None


@dataclass(frozen=True)
class RecordedLine:
    """A line ready to store: its value fixed once, at entry."""

    kind: str
    item_id: int | None
    quantity_milli: int | None
    unit_value: Money | None
    valuation: str
    value: Money | None


def record_contribution(session: Session, data: ContributionInput, user: User | None) -> Contribution:
    """Check and record a new contribution with its lines and journal event, in the caller's transaction."""
    _require(session, Donor, data.donor_id, "donor_id")
    _require(session, Recipient, data.recipient_id, "recipient_id")
    if data.appeal_id is not None:
        _require(session, Appeal, data.appeal_id, "appeal_id")
    if data.status not in STATUSES:
        raise Invalid(
            "status", "must be one of {allowed}, got {value!r}", allowed=", ".join(STATUSES), value=data.status
        )
    _check_value_date(data.value_date)
    reference = _text(data.reference, "reference", 200)
    notes = _text(data.notes, "notes", 4000)
    if not data.lines:
        raise Invalid("lines", "a contribution needs at least one line")
    if len(data.lines) > MAX_LINES:
        raise Invalid(
            "lines",
            Plural("at most {limit} line, got {count}", "at most {limit} lines, got {count}", MAX_LINES),
            limit=MAX_LINES,
            count=len(data.lines),
        )
    lines = [check_line(session, line, f"lines[{i}]") for i, line in enumerate(data.lines)]
    pledge_before: list = []
    if data.fulfils_id is not None:
        _check_fulfilment(session, data, lines)
        pledge_before = contribution_rows(session, [data.fulfils_id])

    contribution = Contribution(
        number=next_number(session, data.value_date.year),
        donor_id=data.donor_id,
        recipient_id=data.recipient_id,
        appeal_id=data.appeal_id,
        value_date=data.value_date,
        status=data.status,
        reference=reference,
        notes=notes,
        fulfils_id=data.fulfils_id,
        recorded_by_id=user.id if user else None,
    )
    session.add(contribution)
    session.flush()
    rows = [
        ContributionLine(
            contribution_id=contribution.id,  # type: ignore[arg-type]
            position=position,
            kind=line.kind,
            item_id=line.item_id,
            quantity_milli=line.quantity_milli,
            unit_value_minor=line.unit_value.minor if line.unit_value else None,
            valuation=line.valuation,
            currency=line.value.currency if line.value else None,
            minor_digits=minor_digits(line.value.currency) if line.value else None,
            value_minor=line.value.minor if line.value else None,
        )
        for position, line in enumerate(lines, start=1)
    ]
    session.add_all(rows)
    session.flush()
    record_event(
        session,
        action="contribution.recorded",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        after=snapshot(contribution, rows),
    )
    if data.fulfils_id is None:  # what it adds is known without asking the database again
        apply_change(session, [], _counted(session, contribution, rows))
    else:
        apply_change(session, pledge_before, contribution_rows(session, [contribution.id, data.fulfils_id]))  # type: ignore[list-item]
    return contribution


def _counted(session: Session, contribution: Contribution, lines: list[ContributionLine]) -> list[FigureRow]:
    """What a new contribution (fulfilling nothing) adds to the totals: each line in full, in its status's bucket."""
    keys = (contribution.value_date, contribution.appeal_id, contribution.donor_id, contribution.recipient_id)
    return [
        FigureRow(
            contribution.status,
            line.kind,
            line.item_id,
            line.currency,
            line.value_minor or 0,
            line.quantity_milli or 0,
            (*keys, session.get(Item, line.item_id).cluster if line.item_id is not None else None),  # type: ignore[union-attr]
        )
        for line in lines
    ]


def record_fulfilment(session: Session, pledge_id: int, data: ContributionInput, user: User | None) -> Contribution:
    """Record a paid contribution that fulfils (part of) an earlier pledge or commitment."""
    pledge = session.get(Contribution, pledge_id)
    if pledge is None:
        raise NotFound("contribution {id} does not exist", id=pledge_id)
    fulfilment = ContributionInput(
        donor_id=pledge.donor_id,
        recipient_id=data.recipient_id,
        appeal_id=data.appeal_id if data.appeal_id is not None else pledge.appeal_id,
        value_date=data.value_date,
        status="paid",
        lines=data.lines,
        reference=data.reference,
        notes=data.notes,
        fulfils_id=pledge_id,
    )
    return record_contribution(session, fulfilment, user)


def advance_status(session: Session, contribution_id: int, status: str, user: User | None) -> Contribution:
    """Move a contribution forward: pledged → committed → paid, never back."""
    contribution = _locked(session, contribution_id)
    if status not in STATUSES:
        raise Invalid("status", "must be one of {allowed}, got {value!r}", allowed=", ".join(STATUSES), value=status)
    if contribution.voided_at is not None:
        raise Conflict("{number} is void; a void contribution never changes", number=contribution.number)
    if RANK[status] <= RANK[contribution.status]:
        # TRANSLATORS: {number} is a contribution number (C-2023-000001); {status} and {new_status} are status names.
        raise Conflict(
            "status only moves forward: {number} is {status}, cannot become {new_status}",
            number=contribution.number,
            status=Term(contribution.status, "status"),
            new_status=Term(status, "status"),
        )
    if status == "paid" and live_fulfilments(session, contribution_id):
        raise Conflict(
            "{number} is partly fulfilled by later contributions; record the rest as a fulfilment "
            "instead of marking the whole of it paid",
            number=contribution.number,
        )
    before = contribution.status
    counted_before = contribution_rows(session, [contribution_id])
    contribution.status = status
    session.add(contribution)
    session.flush()
    apply_change(session, counted_before, contribution_rows(session, [contribution_id]))
    record_event(
        session,
        action="contribution.status_changed",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        before={"status": before},
        after={"status": status},
    )
    return contribution


def void_contribution(session: Session, contribution_id: int, reason: str, user: User | None) -> Contribution:
    """Cancel a contribution with a reason: it stays visible, outside every total."""
    contribution = _locked(session, contribution_id)
    reason = _text(reason, "reason", 1000).strip()
    if not reason:
        raise Invalid("reason", "say why the contribution is void")
    if contribution.voided_at is not None:
        raise Conflict("{number} is already void", number=contribution.number)
    touched = [contribution_id] + ([contribution.fulfils_id] if contribution.fulfils_id is not None else [])
    counted_before = contribution_rows(session, touched)
    contribution.voided_at = utcnow()
    contribution.voided_by_id = user.id if user else None
    contribution.void_reason = reason
    session.add(contribution)
    session.flush()
    apply_change(session, counted_before, contribution_rows(session, touched))
    record_event(
        session,
        action="contribution.voided",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        before={"voided": False},
        after={"voided": True, "reason": reason},
    )
    return contribution


def check_line(session: Session, line: LineInput, where: str) -> RecordedLine:
    """One line checked and valued: money as given, in-kind as quantity × unit value, rounded once."""
    # Field names are joined with +, not f-strings: pybabel warns about every f-string inside Invalid(...).
    if line.kind not in LINE_KINDS:
        raise Invalid(
            where + ".kind", "must be one of {allowed}, got {value!r}", allowed=", ".join(LINE_KINDS), value=line.kind
        )
    if line.kind == "money":
        if line.amount is None:
            raise Invalid(where + ".amount", "a money line needs an amount")
        if line.item_id is not None or line.quantity is not None or line.unit_value is not None:
            raise Invalid(where + ".kind", "a money line has an amount only, no item, quantity or unit value")
        amount = Money.of(line.amount.amount, line.amount.currency, where + ".amount")
        return RecordedLine("money", None, None, None, "not_valued", amount)

    kind = Term(line.kind, "line_kind")
    if line.item_id is None:
        # TRANSLATORS: {kind} is a line kind ("goods" or "service"), already translated.
        raise Invalid(where + ".item_id", "a {kind} line needs an item from the catalogue", kind=kind)
    _require(session, Item, line.item_id, where + ".item_id")
    if line.amount is not None:
        raise Invalid(where + ".amount", "a {kind} line is valued by unit_value, not amount", kind=kind)
    if line.quantity is None:
        raise Invalid(where + ".quantity", "a {kind} line needs a quantity", kind=kind)
    quantity = check_quantity(line.quantity, where + ".quantity")
    valuation = line.valuation or ("donor_declared" if line.unit_value else "not_valued")
    if valuation not in VALUATIONS:
        raise Invalid(
            where + ".valuation",
            "must be one of {allowed}, got {value!r}",
            allowed=", ".join(VALUATIONS),
            value=valuation,
        )
    unit_value = value = None
    if line.unit_value is None:
        if valuation != "not_valued":
            raise Invalid(
                where + ".unit_value", "a valuation basis of {valuation} needs a unit value", valuation=valuation
            )
    else:
        unit_value = Money.of(line.unit_value.amount, line.unit_value.currency, where + ".unit_value")
        if valuation == "not_valued":
            raise Invalid(
                where + ".valuation", "a line with a unit value needs a valuation basis other than not_valued"
            )
        value = Money(round_half_up(quantity * unit_value.amount, unit_value.currency), unit_value.currency)
        if value.amount <= 0:
            raise Invalid(
                where + ".quantity",
                "the value {quantity} × {unit_value} rounds to zero",
                quantity=quantity,
                unit_value=unit_value,
            )
        if value.amount >= MAX_AMOUNT:
            raise Invalid(
                where + ".quantity",
                "the value {quantity} × {unit_value} is too large",
                quantity=quantity,
                unit_value=unit_value,
            )
    milli = int(quantity.scaleb(QUANTITY_PLACES).to_integral_exact())
    return RecordedLine(line.kind, line.item_id, milli, unit_value, valuation, value)


def check_quantity(value: object, field_name: str) -> Decimal:
    """A positive quantity with at most three decimal places."""
    quantity = to_decimal(value, field_name)
    if quantity <= 0:
        raise Invalid(field_name, "must be more than zero, got {number}", number=quantity)
    if quantity >= MAX_QUANTITY:
        raise Invalid(field_name, "{quantity} is too large", quantity=quantity)
    if quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
        raise Invalid(
            field_name,
            Plural(
                "at most {places} decimal place, got {value}",
                "at most {places} decimal places, got {value}",
                QUANTITY_PLACES,
            ),
            places=QUANTITY_PLACES,
            value=value,
        )
    return quantity


def next_number(session: Session, year: int) -> str:
    """The next human number for the year, C-2023-000001 onwards; never reused, safe under concurrency."""
    return reserve_numbers(session, [year])[0]


def reserve_numbers(session: Session, years: list[int]) -> list[str]:
    """Numbers for contributions of these years, in order: one sequence update per year, not per contribution."""
    table = NumberSequence.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    next_of: dict[int, int] = {}
    for year, count in sorted(Counter(years).items()):
        statement = (
            insert(table)
            .values(year=year, last=count)
            .on_conflict_do_update(index_elements=["year"], set_={"last": table.c.last + count})
            .returning(table.c.last)
        )
        next_of[year] = session.execute(statement).scalar_one() - count + 1
    numbers = []
    for year in years:
        numbers.append(contribution_number(year, next_of[year]))
        next_of[year] += 1
    return numbers


def contribution_number(year: int, sequence: int) -> str:
    """A contribution's human number: the year's sequence, C-2023-000001 onwards."""
    return f"C-{year}-{sequence:06d}"


def live_fulfilments(session: Session, contribution_id: int) -> list[Contribution]:
    """The non-void contributions that fulfil this one."""
    statement = select(Contribution).where(
        Contribution.fulfils_id == contribution_id,
        Contribution.voided_at.is_(None),  # type: ignore[union-attr]
    )
    return list(session.exec(statement).all())


def lines_of(session: Session, contribution_id: int) -> list[ContributionLine]:
    statement = (
        select(ContributionLine)
        .where(ContributionLine.contribution_id == contribution_id)
        .order_by(ContributionLine.position)  # type: ignore[arg-type]
    )
    return list(session.exec(statement).all())


def get_contribution(session: Session, contribution_id: int) -> Contribution:
    contribution = session.get(Contribution, contribution_id)
    if contribution is None:
        raise NotFound("contribution {id} does not exist", id=contribution_id)
    return contribution


def snapshot(contribution: Contribution, lines: list[ContributionLine]) -> dict[str, Any]:
    """The recorded facts of a contribution, as the journal keeps them."""
    return {
        "number": contribution.number,
        "donor_id": contribution.donor_id,
        "recipient_id": contribution.recipient_id,
        "appeal_id": contribution.appeal_id,
        "value_date": contribution.value_date,
        "status": contribution.status,
        "reference": contribution.reference,
        "notes": contribution.notes,
        "fulfils_id": contribution.fulfils_id,
        "lines": [
            {
                "kind": line.kind,
                "item_id": line.item_id,
                "quantity_milli": line.quantity_milli,
                "unit_value_minor": line.unit_value_minor,
                "valuation": line.valuation,
                "currency": line.currency,
                "value_minor": line.value_minor,
            }
            for line in lines
        ],
    }


def _check_fulfilment(session: Session, data: ContributionInput, lines: list[RecordedLine]) -> None:
    """A fulfilment is paid, by the pledge's donor, of what the pledge promised."""
    pledge = session.get(Contribution, data.fulfils_id)
    if pledge is None:
        raise Invalid("fulfils_id", "contribution {id} does not exist", id=data.fulfils_id)
    if pledge.voided_at is not None:
        raise Invalid("fulfils_id", "{number} is void and cannot be fulfilled", number=pledge.number)
    if pledge.status not in OPEN_STATUSES:
        raise Invalid(
            "fulfils_id",
            "{number} is {status}; only a pledge or commitment is fulfilled",
            number=pledge.number,
            status=Term(pledge.status, "status"),
        )
    if data.status != "paid":
        raise Invalid("status", "a fulfilment records what was paid or delivered, so its status is paid")
    if pledge.donor_id != data.donor_id:
        raise Invalid("donor_id", "{number} was pledged by another donor", number=pledge.number)
    promised = lines_of(session, pledge.id)  # type: ignore[arg-type]
    money = {line.currency for line in promised if line.kind == "money"}
    items = {line.item_id for line in promised if line.kind != "money"}
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if line.kind == "money" and line.value and line.value.currency not in money:
            raise Invalid(
                where + ".amount",
                "{number} promised no money in {currency}",
                number=pledge.number,
                currency=line.value.currency,
            )
        if line.kind != "money" and line.item_id not in items:
            raise Invalid(where + ".item_id", "{number} promised no such item", number=pledge.number)


def _locked(session: Session, contribution_id: int) -> Contribution:
    """The contribution, locked for update (PostgreSQL) so concurrent changes queue up."""
    statement = select(Contribution).where(Contribution.id == contribution_id).with_for_update()
    contribution = session.exec(statement).first()
    if contribution is None:
        raise NotFound("contribution {id} does not exist", id=contribution_id)
    return contribution


def _require(session: Session, model: type[Any], object_id: int, field_name: str) -> Any:
    try:
        key = int(object_id)
    except (TypeError, ValueError):
        raise Invalid(field_name, "{value!r} is not an id", value=object_id) from None
    found = session.get(model, key)
    if found is None:
        raise Invalid(field_name, NO_SUCH[model.__tablename__], id=object_id)
    if getattr(found, "archived", False):
        raise Invalid(field_name, ARCHIVED[model.__tablename__], name=found.name)
    return found


def _check_value_date(value_date: date) -> None:
    if not isinstance(value_date, date):
        raise Invalid("value_date", "a date is required")
    # One day of slack: a clerk east of UTC may already be in tomorrow.
    if value_date > date.today() + timedelta(days=1):
        raise Invalid("value_date", "{date} is in the future", date=value_date.isoformat())
    if value_date.year < 1990:
        raise Invalid("value_date", "{date} is before 1990", date=value_date.isoformat())


def _text(value: str | None, field_name: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(
            field_name,
            Plural("at most {limit} character, got {count}", "at most {limit} characters, got {count}", limit),
            limit=limit,
            count=len(text),
        )
    if "\x00" in text:
        raise Invalid(field_name, "must not contain NUL characters")
    return text


@dataclass(frozen=True)
class ContributionRow:
    """A contribution with its parties' names, as lists show it."""

    contribution: Contribution
    donor_name: str
    recipient_name: str


def recent_contributions(session: Session, limit: int = 10, appeal_id: int | None = None) -> list[ContributionRow]:
    """The most recently recorded contributions, newest first, voids included."""
    statement = (
        select(Contribution, Donor.name, Recipient.name)
        .join(Donor, Donor.id == Contribution.donor_id)  # type: ignore[arg-type]
        .join(Recipient, Recipient.id == Contribution.recipient_id)  # type: ignore[arg-type]
        .order_by(Contribution.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    if appeal_id is not None:
        statement = statement.where(Contribution.appeal_id == appeal_id)
    return [ContributionRow(c, donor, recipient) for c, donor, recipient in session.exec(statement)]
