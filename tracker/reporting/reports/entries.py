"""Contributions with their lines, loaded for a report in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.money import Money, stored_quantity
from tracker.db.columns import table_of
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Item, Recipient
from tracker.ledger.figures import Scope

contribution = table_of(Contribution)
line = table_of(ContributionLine)
Window = tuple[int, int]  # entries to skip, entries to show


@dataclass(frozen=True, slots=True)
class LineView:
    """One line as a report shows it: money, or an item in its unit with its value and basis."""

    kind: str
    item_id: int | None
    item_name: str | None
    unit: str | None
    quantity: Decimal | None
    unit_value: Money | None
    value: Money | None
    valuation: str


@dataclass(frozen=True, slots=True)
class EntryView:
    """One contribution as a report shows it."""

    id: int
    number: str
    value_date: date
    donor: str
    recipient: str
    appeal: str | None
    status: str
    reference: str
    fulfils: str | None
    void_reason: str | None
    lines: tuple[LineView, ...]

    @property
    def is_void(self) -> bool:
        return self.void_reason is not None


def load_entries(
    session: Session, scope: Scope, include_void: bool = True, only_void: bool = False, page: Window | None = None
) -> list[EntryView]:
    """The contributions in scope (by value date, then number), each with its lines; only the void ones, or one
    window of them (`page`: how many to skip, and how many to show), if asked."""
    conditions = scope.conditions(include_void=include_void or only_void)
    if only_void:
        conditions.append(contribution.c.voided_at.is_not(None))
    pledge = contribution.alias("pledge")
    donor, recipient, appeal = table_of(Donor), table_of(Recipient), table_of(Appeal)
    statement = (
        sa.select(
            contribution.c.id,
            contribution.c.number,
            contribution.c.value_date,
            donor.c.name,
            recipient.c.name,
            appeal.c.code,
            contribution.c.status,
            contribution.c.reference,
            pledge.c.number,
            contribution.c.void_reason,
        )
        .select_from(
            contribution.join(donor, donor.c.id == contribution.c.donor_id)
            .join(recipient, recipient.c.id == contribution.c.recipient_id)
            .outerjoin(appeal, appeal.c.id == contribution.c.appeal_id)
            .outerjoin(pledge, pledge.c.id == contribution.c.fulfils_id)
        )
        .where(*conditions)
        .order_by(contribution.c.value_date, contribution.c.number)
    )
    if page is not None:
        statement = statement.offset(page[0]).limit(page[1])
    headers = session.execute(statement).all()
    if not headers:
        return []
    ids = sa.select(contribution.c.id).where(*conditions)
    if page is not None:  # the window's own ids (a few hundred at most)
        ids = sa.select(contribution.c.id).where(contribution.c.id.in_([header[0] for header in headers]))
    lines = _lines(session, ids)
    empty: list[LineView] = []
    # sqlmodel's Session.execute types a row as Row[Any, ...], so mypy cannot count its ten columns.
    return [EntryView(*header, tuple(lines.get(header[0], empty))) for header in headers]  # type: ignore[call-arg]


def count_entries(session: Session, scope: Scope) -> int:
    """How many live contributions are in scope."""
    statement = sa.select(sa.func.count()).select_from(contribution).where(*scope.conditions())
    return int(session.execute(statement).scalar_one())


def _lines(session: Session, ids: sa.Select) -> dict[int, list[LineView]]:
    item = table_of(Item)
    statement = (
        sa.select(
            line.c.contribution_id,
            line.c.kind,
            line.c.item_id,
            item.c.name,
            item.c.unit,
            line.c.quantity_milli,
            line.c.unit_value_minor,
            line.c.currency,
            line.c.value_minor,
            line.c.valuation,
        )
        .select_from(line.outerjoin(item, item.c.id == line.c.item_id))
        .where(line.c.contribution_id.in_(ids))
        .order_by(line.c.contribution_id, line.c.position)
    )
    found: dict[int, list[LineView]] = {}
    # Ten thousand lines repeat a few quantities and amounts: Money and Decimal are immutable, so equal
    # values are built once and shared (the per-row objects were most of the cost of a large statement).
    amounts: dict[tuple[int, str], Money] = {}
    quantities: dict[int, Decimal] = {}
    new_line = LineView
    for owner, kind, item_id, name, unit, milli, unit_minor, currency, value_minor, valuation in session.execute(
        statement
    ):
        quantity = None
        if milli is not None:
            quantity = quantities.get(milli)
            if quantity is None:
                quantity = quantities[milli] = stored_quantity(milli)
        unit_value = value = None
        if currency:
            if unit_minor is not None:
                unit_value = amounts.get((unit_minor, currency))
                if unit_value is None:
                    unit_value = amounts[(unit_minor, currency)] = Money.from_minor(unit_minor, currency)
            if value_minor is not None:
                value = amounts.get((value_minor, currency))
                if value is None:
                    value = amounts[(value_minor, currency)] = Money.from_minor(value_minor, currency)
        entry_lines = found.get(owner)
        if entry_lines is None:
            entry_lines = found[owner] = []
        entry_lines.append(new_line(kind, item_id, name, unit, quantity, unit_value, value, valuation))
    return found
