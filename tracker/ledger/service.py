"""The ledger's use cases: record a contribution, move its status on (dated), fulfil a pledge, close a promise, void."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from tracker.core.errors import Conflict, Invalid, NotFound, Plural
from tracker.core.money import Money
from tracker.core.vocabulary import OPEN_STATUSES, LineKind, Status, Term
from tracker.db.columns import STATUSES, stored_id, table_of, utcnow
from tracker.db.dialect import conflict_insert
from tracker.db.journal import record_event
from tracker.db.models import (
    Appeal,
    Contribution,
    ContributionLine,
    Donor,
    Item,
    JournalEvent,
    NumberSequence,
    Recipient,
    User,
)
from tracker.ledger.checks import LineInput as LineInput  # re-exported: callers build lines from here
from tracker.ledger.checks import (
    RecordedLine,
    check_line,
    check_notes,
    check_reference,
    check_status,
    check_value_date,
    checked_text,
    require,
)
from tracker.ledger.figures import FigureRow
from tracker.ledger.recording import Facts, line_values, recorded_json
from tracker.rates.convert import convert_money
from tracker.totals.aggregates import apply_change, contribution_rows

MAX_LINES = 200
RANK = {status: rank for rank, status in enumerate(STATUSES)}


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
    due_date: date | None = None  # a pledge's or commitment's


def record_contribution(session: Session, data: ContributionInput, user: User | None) -> Contribution:
    """Check and record a new contribution with its lines and journal event, in the caller's transaction."""
    require(session, Donor, data.donor_id, "donor_id")
    require(session, Recipient, data.recipient_id, "recipient_id")
    if data.appeal_id is not None:
        require(session, Appeal, data.appeal_id, "appeal_id")
    status = check_status(data.status)
    check_value_date(data.value_date)
    reference = check_reference(data.reference)
    notes = check_notes(data.notes)
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
    due_date = check_due_date(data.due_date, status, data.value_date)
    pledge_before: list[FigureRow] = []
    converted: dict[int, Money] = {}
    if data.fulfils_id is not None:
        converted = _check_fulfilment(session, data, lines)
        pledge_before = contribution_rows(session, [data.fulfils_id])

    facts = Facts(
        next_number(session, data.value_date.year),
        data.donor_id,
        data.recipient_id,
        data.appeal_id,
        data.value_date,
        status,
        reference,
        notes,
        data.fulfils_id,
    )
    contribution = Contribution(**facts._asdict(), recorded_by_id=user.id if user else None, due_date=due_date)
    session.add(contribution)
    session.flush()
    values = [line_values(line) for line in lines]
    rows = [
        ContributionLine(contribution_id=stored_id(contribution), position=position, **line._asdict())
        for position, line in enumerate(values, start=1)
    ]
    for index, value in converted.items():
        rows[index].fulfils_currency, rows[index].fulfils_minor = value.currency, value.minor
    session.add_all(rows)
    session.flush()
    record_event(
        session,
        action="contribution.recorded",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        after_json=recorded_json(facts, values),
    )
    if due_date is not None or converted:  # beside the recorded facts, so their event stays as it always was
        record_event(
            session,
            action="contribution.terms_recorded",
            object_type="contribution",
            object_id=contribution.id,
            user_id=user.id if user else None,
            after={
                "due_date": due_date.isoformat() if due_date else None,
                "fulfils_values": [
                    {"position": index + 1, "currency": value.currency, "minor": value.minor}
                    for index, value in sorted(converted.items())
                ],
            },
        )
    if data.fulfils_id is None:  # what it adds is known without asking the database again
        apply_change(session, [], _counted(session, contribution, rows))
    else:
        apply_change(session, pledge_before, contribution_rows(session, [stored_id(contribution), data.fulfils_id]))
    return contribution


def _counted(session: Session, contribution: Contribution, lines: list[ContributionLine]) -> list[FigureRow]:
    """What a new contribution (fulfilling nothing) adds to the totals: each line in full, in its status's bucket."""
    return [
        FigureRow(
            contribution.status,
            line.kind,
            line.item_id,
            line.currency,
            line.value_minor or 0,
            line.quantity_milli or 0,
            value_date=contribution.value_date,
            appeal_id=contribution.appeal_id,
            donor_id=contribution.donor_id,
            recipient_id=contribution.recipient_id,
            cluster=_cluster(session, line.item_id),
        )
        for line in lines
    ]


def record_fulfilment(session: Session, pledge_id: int, data: ContributionInput, user: User | None) -> Contribution:
    """Record a paid contribution that fulfils (part of) an earlier pledge or commitment."""
    pledge = _locked(session, pledge_id)
    fulfilment = ContributionInput(
        donor_id=pledge.donor_id,
        recipient_id=data.recipient_id,
        appeal_id=data.appeal_id if data.appeal_id is not None else pledge.appeal_id,
        value_date=data.value_date,
        status=Status.PAID,
        lines=data.lines,
        reference=data.reference,
        notes=data.notes,
        fulfils_id=pledge_id,
    )
    return record_contribution(session, fulfilment, user)


def advance_status(
    session: Session, contribution_id: int, status: str, user: User | None, on: date | None = None
) -> Contribution:
    """Move a contribution forward (pledged → committed → paid, never back), as of the day it took effect.

    `on` defaults to today; it may not be before the value date (or the last move), nor in the
    future. The contribution then counts on that day: in its period, at its rate."""
    contribution = _locked(session, contribution_id)
    if status not in STATUSES:
        raise Invalid("status", "must be one of {allowed}, got {value!r}", allowed=", ".join(STATUSES), value=status)
    if contribution.voided_at is not None:
        raise Conflict("{number} is void; a void contribution never changes", number=contribution.number)
    if contribution.closed_at is not None:
        raise Conflict("{number} is closed; a closed promise never changes", number=contribution.number)
    if RANK[status] <= RANK[contribution.status]:
        # TRANSLATORS: {number} is a contribution number (C-2023-000001); {status} and {new_status} are status names.
        raise Conflict(
            "status only moves forward: {number} is {status}, cannot become {new_status}",
            number=contribution.number,
            status=Term(contribution.status, "status"),
            new_status=Term(status, "status"),
        )
    if status == Status.PAID and live_fulfilments(session, contribution_id):
        raise Conflict(
            "{number} is partly fulfilled by later contributions; record the rest as a fulfilment "
            "instead of marking the whole of it paid",
            number=contribution.number,
        )
    day = check_status_date(on, contribution)
    before = contribution.status
    counted_before = contribution_rows(session, [contribution_id])
    contribution.status = status
    contribution.status_date = day
    session.add(contribution)
    session.flush()
    record_event(
        session,
        action="contribution.status_changed",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        before={"status": before},
        after={"status": status, "date": day.isoformat()},
    )
    # After the journal: every write takes the journal's lock before the totals' rows, never the other way.
    apply_change(session, counted_before, contribution_rows(session, [contribution_id]))
    return contribution


def check_status_date(on: date | None, contribution: Contribution) -> date:
    """When a status move took effect: today unless given; not before the last one, nor in the future."""
    if on is None:
        return date.today()
    if not isinstance(on, date):
        raise Invalid("date", "a date is required")
    if on > date.today() + timedelta(days=1):  # a day of slack, as for a value date
        raise Invalid("date", "{date} is in the future", date=on.isoformat())
    if on < contribution.value_date:
        raise Invalid(
            "date",
            "{date} is before {number}'s value date, {value_date}",
            date=on.isoformat(),
            number=contribution.number,
            value_date=contribution.value_date.isoformat(),
        )
    if contribution.status_date is not None and on < contribution.status_date:
        raise Invalid(
            "date",
            "{date} is before {number} became {status}, on {status_date}",
            date=on.isoformat(),
            number=contribution.number,
            status=Term(contribution.status, "status"),
            status_date=contribution.status_date.isoformat(),
        )
    return on


def check_due_date(due: date | None, status: str, value_date: date) -> date | None:
    """A due date: only a pledge or commitment has one, and it is not before the value date."""
    if due is None:
        return None
    if not isinstance(due, date):
        raise Invalid("due_date", "a date is required")
    if status not in OPEN_STATUSES:
        raise Invalid("due_date", "only a pledge or commitment has a due date")
    if due < value_date:
        raise Invalid("due_date", "{date} is before the value date", date=due.isoformat())
    return due


def close_contribution(session: Session, contribution_id: int, reason: str, user: User | None) -> Contribution:
    """Close a pledge or commitment: what is still outstanding is written off, for good; what was fulfilled stays."""
    contribution = _locked(session, contribution_id)
    reason = checked_text(reason, "reason", 1000).strip()
    if not reason:
        raise Invalid("reason", "say why the promise is closed")
    if contribution.voided_at is not None:
        raise Conflict("{number} is void; a void contribution never changes", number=contribution.number)
    if contribution.closed_at is not None:
        raise Conflict("{number} is already closed", number=contribution.number)
    if contribution.status not in OPEN_STATUSES:
        raise Conflict(
            "{number} is {status}; only a pledge or commitment is closed",
            number=contribution.number,
            status=Term(contribution.status, "status"),
        )
    counted_before = contribution_rows(session, [contribution_id])
    contribution.closed_at = utcnow()
    contribution.closed_by_id = user.id if user else None
    contribution.close_reason = reason
    session.add(contribution)
    session.flush()
    record_event(
        session,
        action="contribution.closed",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        before={"closed": False},
        after={"closed": True, "reason": reason},
    )
    # After the journal: every write takes the journal's lock before the totals' rows, never the other way.
    apply_change(session, counted_before, contribution_rows(session, [contribution_id]))
    return contribution


@dataclass(frozen=True)
class StatusMove:
    """A status a contribution took, and the day it took effect."""

    status: str
    date: date


def status_history(session: Session, contribution: Contribution) -> list[StatusMove]:
    """The statuses a contribution has had, each with the day it took effect, oldest first (from the journal)."""
    statement = (
        select(JournalEvent)
        .where(
            JournalEvent.action == "contribution.status_changed",
            JournalEvent.object_type == "contribution",
            JournalEvent.object_id == str(contribution.id),
        )
        .order_by(col(JournalEvent.id))
    )
    moves: list[StatusMove] = []
    first: str | None = None
    for event in session.exec(statement):
        before = json.loads(event.before or "{}")
        after = json.loads(event.after or "{}")
        first = first or before.get("status")
        day = date.fromisoformat(after["date"]) if after.get("date") else event.at.date()
        moves.append(StatusMove(after["status"], day))
    return [StatusMove(first or contribution.status, contribution.value_date), *moves]


def void_contribution(session: Session, contribution_id: int, reason: str, user: User | None) -> Contribution:
    """Cancel a contribution with a reason: it stays visible, outside every total.

    A fulfilment's promise is locked with it (lower id first): its outstanding figures move too."""
    fulfils_id = get_contribution(session, contribution_id).fulfils_id  # never changes once recorded
    contribution = _lock_all(session, [contribution_id] + ([fulfils_id] if fulfils_id is not None else []))[
        contribution_id
    ]
    reason = checked_text(reason, "reason", 1000).strip()
    if not reason:
        raise Invalid("reason", "say why the contribution is void")
    if contribution.voided_at is not None:
        raise Conflict("{number} is already void", number=contribution.number)
    if contribution.closed_at is not None:
        raise Conflict("{number} is closed; a closed promise is never voided", number=contribution.number)
    touched = [contribution_id] + ([contribution.fulfils_id] if contribution.fulfils_id is not None else [])
    counted_before = contribution_rows(session, touched)
    contribution.voided_at = utcnow()
    contribution.voided_by_id = user.id if user else None
    contribution.void_reason = reason
    session.add(contribution)
    session.flush()
    record_event(
        session,
        action="contribution.voided",
        object_type="contribution",
        object_id=contribution.id,
        user_id=user.id if user else None,
        before={"voided": False},
        after={"voided": True, "reason": reason},
    )
    # After the journal: every write takes the journal's lock before the totals' rows, never the other way.
    apply_change(session, counted_before, contribution_rows(session, touched))
    return contribution


def next_number(session: Session, year: int) -> str:
    """The next human number for the year, C-2023-000001 onwards; never reused, safe under concurrency."""
    return reserve_numbers(session, [year])[0]


def reserve_numbers(session: Session, years: list[int]) -> list[str]:
    """Numbers for contributions of these years, in order: one sequence update per year, not per contribution."""
    table = table_of(NumberSequence)
    insert = conflict_insert(session)
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


def _cluster(session: Session, item_id: int | None) -> str | None:
    """The cluster of a goods or service line's item (checked to exist before it was recorded)."""
    if item_id is None:
        return None
    item = session.get(Item, item_id)
    assert item is not None, "an item the line was checked against"
    return item.cluster


def live_fulfilments(session: Session, contribution_id: int) -> list[Contribution]:
    """The non-void contributions that fulfil this one."""
    statement = select(Contribution).where(
        Contribution.fulfils_id == contribution_id,
        col(Contribution.voided_at).is_(None),
    )
    return list(session.exec(statement).all())


def lines_of(session: Session, contribution_id: int) -> list[ContributionLine]:
    statement = (
        select(ContributionLine)
        .where(ContributionLine.contribution_id == contribution_id)
        .order_by(col(ContributionLine.position))
    )
    return list(session.exec(statement).all())


def get_contribution(session: Session, contribution_id: int) -> Contribution:
    contribution = session.get(Contribution, contribution_id)
    if contribution is None:
        raise NotFound("contribution {id} does not exist", id=contribution_id)
    return contribution


def _check_fulfilment(session: Session, data: ContributionInput, lines: list[RecordedLine]) -> dict[int, Money]:
    """A fulfilment is paid, by the pledge's donor, of what the pledge promised; returns the converted lines.

    A money line in a currency the promise has no money in reduces the promise's one currency by
    its value converted at the fulfilment's date's rate (exact, rounded once); with no rate in
    force it is refused, naming the rate that is missing."""
    pledge = _lock_all(session, [data.fulfils_id]).get(data.fulfils_id) if data.fulfils_id is not None else None
    if pledge is None:
        raise Invalid("fulfils_id", "contribution {id} does not exist", id=data.fulfils_id)
    if pledge.voided_at is not None:
        raise Invalid("fulfils_id", "{number} is void and cannot be fulfilled", number=pledge.number)
    if pledge.closed_at is not None:
        raise Invalid("fulfils_id", "{number} is closed and cannot be fulfilled any more", number=pledge.number)
    if pledge.status not in OPEN_STATUSES:
        raise Invalid(
            "fulfils_id",
            "{number} is {status}; only a pledge or commitment is fulfilled",
            number=pledge.number,
            status=Term(pledge.status, "status"),
        )
    if data.status != Status.PAID:
        raise Invalid("status", "a fulfilment records what was paid or delivered, so its status is paid")
    if pledge.donor_id != data.donor_id:
        raise Invalid("donor_id", "{number} was pledged by another donor", number=pledge.number)
    promised = lines_of(session, pledge.id)  # type: ignore[arg-type]
    money = sorted({line.currency for line in promised if line.kind == LineKind.MONEY and line.currency})
    items = {line.item_id for line in promised if line.kind != LineKind.MONEY}
    converted: dict[int, Money] = {}
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if line.kind == LineKind.MONEY and line.value and line.value.currency not in money:
            if len(money) != 1:
                raise Invalid(
                    where + ".amount",
                    "{number} promised no money in {currency}",
                    number=pledge.number,
                    currency=line.value.currency,
                )
            converted[i] = _converted(session, line.value, data.value_date, money[0], where + ".amount")
        if line.kind != LineKind.MONEY and line.item_id not in items:
            raise Invalid(where + ".item_id", "{number} promised no such item", number=pledge.number)
    return converted


def _converted(session: Session, value: Money, on: date, currency: str, where: str) -> Money:
    """A fulfilment's amount in the promise's currency, at the rate in force on its date, rounded once."""
    found = convert_money(session, value, on, currency)
    if found.unconverted:
        missing = found.unconverted[0]
        raise Invalid(
            where,
            "no exchange rate of {currency} in force on {date}: record it to convert {amount} into {target}",
            currency=missing.missing_rate,
            date=on.isoformat(),
            amount=str(value),
            target=currency,
        )
    return found.total


def _locked(session: Session, contribution_id: int) -> Contribution:
    """The contribution, locked for update (PostgreSQL) so concurrent changes queue up, read afresh under the lock."""
    contribution = _lock_all(session, [contribution_id]).get(contribution_id)
    if contribution is None:
        raise NotFound("contribution {id} does not exist", id=contribution_id)
    return contribution


def _lock_all(session: Session, contribution_ids: list[int]) -> dict[int, Contribution]:
    """The contributions found, locked for update lowest id first (so two writers never wait on each other).

    Every write that reads a promise and then changes it or the totals takes its lock first:
    the one lock a status move, close, void and fulfilment of the same promise all queue on.
    `populate_existing` reads the rows as they are now, not as the session last saw them.
    SQLite ignores FOR UPDATE: its writers lock the whole database at BEGIN."""
    statement = (
        select(Contribution)
        .where(col(Contribution.id).in_(sorted(set(contribution_ids))))
        .order_by(col(Contribution.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {stored_id(found): found for found in session.exec(statement)}


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
        .join(Donor, col(Donor.id) == Contribution.donor_id)
        .join(Recipient, col(Recipient.id) == Contribution.recipient_id)
        .order_by(col(Contribution.id).desc())
        .limit(limit)
    )
    if appeal_id is not None:
        statement = statement.where(Contribution.appeal_id == appeal_id)
    return [ContributionRow(c, donor, recipient) for c, donor, recipient in session.exec(statement)]
