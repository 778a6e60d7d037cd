"""The rows every contributions export is made of: one per contribution line, read in chunks, converted one by one.

A row counts as the reports do (DESIGN.md, "Exports"): a paid line at its value; an open
pledge's or commitment's line at its outstanding remainder (`tracker.ledger.outstanding`,
the reports' own rule apportioned per line), with what it promised beside it; a fulfilment
names the promise it fulfils. A closed promise's rows carry what it left unfulfilled under the
status `written_off`. Summing `value` by status gives the summary's figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.money import Money, round_half_up, stored_quantity
from tracker.core.vocabulary import OPEN_STATUSES, Bucket, LineKind, Status
from tracker.db.columns import counted_on, table_of
from tracker.db.models import Appeal, ContributionLine, Donor, Item, Recipient
from tracker.ledger.filters import ContributionFilters, contribution, contribution_where
from tracker.ledger.outstanding import LineRemainder, fulfilled_promises, line_remainders
from tracker.rates.convert import RateBook, load_rates
from tracker.settings.current import effective_settings

line = table_of(ContributionLine)
donor = table_of(Donor)
recipient = table_of(Recipient)
appeal = table_of(Appeal)
item = table_of(Item)
promise = contribution.alias("promise")

CHUNK = 1000  # rows fetched from the database at a time


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One contribution line with everything an export shows of it, as plain values."""

    contribution_id: int
    number: str
    position: int
    value_date: date
    donor: str
    donor_kind: str
    recipient: str
    recipient_kind: str
    recipient_country: str | None  # ISO 3166-1 alpha-2
    appeal_code: str | None
    appeal_name: str | None
    glide: str | None
    status: str  # the figure the row counts in: its status, or written_off for a closed promise
    void_reason: str | None
    kind: str
    item: str | None
    unit: str | None
    cluster: str | None
    quantity: Decimal | None  # what counts: the outstanding quantity of an open promise's line
    unit_value: Money | None
    value: Money | None  # what counts: the outstanding remainder of an open promise's line; None if not valued
    valuation: str
    converted: Money | None  # `value` in the reporting currency; None when not valued or no rate was usable
    rate: Decimal | None  # reporting-currency units per 1 unit of the line's currency
    rate_date: date | None
    promised: Money | None  # the line's recorded value (what a pledge or commitment promised)
    promised_quantity: Decimal | None  # the line's recorded quantity
    fulfils: str | None  # the number of the pledge or commitment this contribution fulfils
    decision_date: date  # when the donor decided: the fulfilled promise's value date, else the line's own
    recorded_status: str = ""  # the contribution's own status (pledged, committed, paid), closed or not
    counted_on: date | None = None  # the day its status took effect (the value date until it moved on)

    @property
    def line_id(self) -> str:
        """The line's stable name: its contribution's number and its position, C-2023-000001/1."""
        return f"{self.number}/{self.position}"

    @property
    def is_void(self) -> bool:
        return self.void_reason is not None

    @property
    def in_kind(self) -> bool:
        return self.kind != LineKind.MONEY


@dataclass(frozen=True)
class ExportSet:
    """What an export holds: the reporting currency its converted values are in, and its rows (read lazily)."""

    reporting_currency: str
    window_days: int
    rows: Iterator[ExportRow]


def export_rows(session: Session, filters: ContributionFilters, include_void: bool = False) -> ExportSet:
    """The lines of the contributions the filters select, by value date, number and position.

    The same filters as the contributions list; a line filter (kind, currency) also narrows
    the lines themselves. Void contributions are left out unless `include_void` is set or the
    filter asks for void ones. Each valued line is converted on its own at its own value date,
    rounded once; a line without a usable rate has no converted value (never 0).
    """
    settings = effective_settings(session)
    reporting = settings.reporting_currency
    conditions = _conditions(session, filters, include_void or filters.status == Status.VOID)
    book = _rates(session, conditions, reporting, settings.rate_window_days)
    remainders = line_remainders(session, fulfilled_promises(session, conditions, _joined()))
    return ExportSet(reporting, settings.rate_window_days, _read(session, conditions, book, reporting, remainders))


def count_rows(session: Session, filters: ContributionFilters, include_void: bool = False) -> int:
    """How many rows `export_rows` would give, counted in SQL."""
    conditions = _conditions(session, filters, include_void or filters.status == Status.VOID)
    statement = sa.select(sa.func.count()).select_from(_joined()).where(*conditions)
    return int(session.execute(statement).scalar_one())


def _conditions(session: Session, filters: ContributionFilters, include_void: bool) -> list[sa.ColumnElement[bool]]:
    found = [contribution_where(session, filters, lines_joined=True)]
    if not include_void:
        found.append(contribution.c.voided_at.is_(None))
    return found


def _joined() -> sa.FromClause:
    return (
        line.join(contribution, contribution.c.id == line.c.contribution_id)
        .join(donor, donor.c.id == contribution.c.donor_id)
        .join(recipient, recipient.c.id == contribution.c.recipient_id)
        .outerjoin(appeal, appeal.c.id == contribution.c.appeal_id)
        .outerjoin(item, item.c.id == line.c.item_id)
        .outerjoin(promise, promise.c.id == contribution.c.fulfils_id)
    )


def _rates(session: Session, conditions: list[sa.ColumnElement[bool]], reporting: str, window: int) -> RateBook:
    """Every rate the rows may need, loaded once from the distinct (currency, value date) pairs."""
    pairs = sa.select(line.c.currency, counted_on(contribution)).select_from(_joined()).where(*conditions)
    pairs = pairs.where(line.c.currency.is_not(None)).distinct()
    needed = [(currency, value_date) for currency, value_date in session.execute(pairs)]
    return load_rates(session, needed, reporting, window)


def _read(
    session: Session,
    conditions: list[sa.ColumnElement[bool]],
    book: RateBook,
    reporting: str,
    remainders: dict[tuple[int, int], LineRemainder],
) -> Iterator[ExportRow]:
    c = contribution.c
    statement = (
        sa.select(
            c.id,
            c.number,
            line.c.position,
            c.value_date,
            counted_on(contribution),  # a line converts at the rate of the day its status took effect
            donor.c.name,
            donor.c.kind,
            recipient.c.name,
            recipient.c.kind,
            recipient.c.country,
            appeal.c.code,
            appeal.c.name,
            appeal.c.glide,
            c.status,
            c.closed_at,
            c.void_reason,
            line.c.kind,
            item.c.name,
            item.c.unit,
            item.c.cluster,
            line.c.quantity_milli,
            line.c.unit_value_minor,
            line.c.value_minor,
            line.c.currency,
            line.c.valuation,
            promise.c.number,
            promise.c.value_date,
        )
        .select_from(_joined())
        .where(*conditions)
        .order_by(c.value_date, c.number, line.c.position)
    )
    result = session.execute(statement, execution_options={"yield_per": CHUNK})
    for (
        contribution_id,
        number,
        position,
        value_date,
        counted_day,
        donor_name,
        donor_kind,
        recipient_name,
        recipient_kind,
        recipient_country,
        appeal_code,
        appeal_name,
        glide,
        status,
        closed_at,
        void_reason,
        kind,
        item_name,
        unit,
        cluster,
        quantity_milli,
        unit_value_minor,
        value_minor,
        currency,
        valuation,
        promise_number,
        promise_date,
    ) in result:
        promised = Money.from_minor(value_minor, currency) if value_minor is not None else None
        value, quantity = promised, quantity_of(quantity_milli)
        if void_reason is None and status in OPEN_STATUSES:
            left = remainders.get((contribution_id, position))
            if left is not None:
                value = Money.from_minor(left.value_minor, currency) if left.value_minor is not None else None
                quantity = quantity_of(left.quantity_milli)
        recorded_status = status
        if void_reason is None and closed_at is not None and status in OPEN_STATUSES:
            status = Bucket.WRITTEN_OFF  # a closed promise's remainder: written off, never outstanding or funding
        converted, rate, rate_date = _converted(book, value, counted_day, reporting)
        yield ExportRow(
            contribution_id=contribution_id,
            number=number,
            position=position,
            value_date=value_date,
            donor=donor_name,
            donor_kind=donor_kind,
            recipient=recipient_name,
            recipient_kind=recipient_kind,
            recipient_country=recipient_country,
            appeal_code=appeal_code,
            appeal_name=appeal_name,
            glide=glide,
            status=status,
            recorded_status=recorded_status,
            counted_on=counted_day,
            void_reason=void_reason,
            kind=kind,
            item=item_name,
            unit=unit,
            cluster=cluster,
            quantity=quantity,
            unit_value=Money.from_minor(unit_value_minor, currency) if unit_value_minor is not None else None,
            value=value,
            valuation=valuation,
            converted=converted,
            rate=rate,
            rate_date=rate_date,
            promised=promised,
            promised_quantity=quantity_of(quantity_milli),
            fulfils=promise_number,
            decision_date=promise_date or value_date,
        )


def _converted(
    book: RateBook, value: Money | None, value_date: date, reporting: str
) -> tuple[Money | None, Decimal | None, date | None]:
    """The line's value in the reporting currency, with the rate and the rate's own date; all None without a rate."""
    if value is None:
        return None, None, None
    found = book.in_force(value.currency, value_date, reporting)
    if found is None:
        return None, None, None
    return Money(round_half_up(found.times(value.amount), reporting), reporting), found.rate, found.rate_date


def quantity_of(milli: int | None) -> Decimal | None:
    """A stored quantity as an exact decimal without trailing zeros: 10, 2.5, 0.125."""
    if milli is None:
        return None
    return stored_quantity(milli)
