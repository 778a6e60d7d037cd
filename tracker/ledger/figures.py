"""Ledger totals by status, counting each pledge only for what is still outstanding.

The rule (DESIGN.md, "Fulfilment"): a paid contribution counts in full as paid;
a pledged or committed one counts only for its outstanding remainder, its value
minus the live (non-void) paid contributions that fulfil it; a void one counts
nowhere. The remainder is worked out per line key:

- money, per currency: outstanding = max(0, promised − fulfilled);
- goods and services, per item: outstanding quantity = max(0, promised − delivered),
  and the promised value is reduced in the same proportion, rounded half up once.

Sums are integer minor units summed in SQL; only pledges that have fulfilments are
finished in Python, one row per (pledge, line key).

A contribution counts on the date its current status took effect (`counted_on`: the status
date, else the value date): a commitment of 20 February paid on 10 March is paid in March,
at March's rate. A closed promise's remainder is counted apart, as written off.

A fulfilment's money line in another currency than the promise reduces it by the value
converted when it was recorded (`fulfils_currency`, `fulfils_minor`).

A scope may be taken "as of" a past moment (an acknowledgement letter's cutoff): only
contributions recorded by then count, a void counts only if it happened by then, and
each contribution counts under the status it had then (read back from the journal's
status changes, since statuses only move forward).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.money import Money, stored_quantity
from tracker.core.vocabulary import OPEN_STATUSES, Bucket, LineKind, Status
from tracker.db.columns import counted_on, table_of
from tracker.db.journal import canonical_json
from tracker.db.models import Contribution, ContributionLine, Item, JournalEvent

contribution = table_of(Contribution)
line = table_of(ContributionLine)
item = table_of(Item)
journal = table_of(JournalEvent)


@dataclass
class ItemTotal:
    """A quantity of one item in its unit, with the valued part of it per currency."""

    item_id: int
    quantity_milli: int = 0
    value: dict[str, Money] = field(default_factory=dict)

    @property
    def quantity(self) -> Decimal:
        """The quantity as an exact decimal, without trailing zeros: 10, 2.5, 0.125."""
        return stored_quantity(self.quantity_milli)


@dataclass
class Figures:
    """What one status bucket holds: money per currency, in-kind value per currency, items."""

    money: dict[str, Money] = field(default_factory=dict)
    in_kind: dict[str, Money] = field(default_factory=dict)
    items: dict[int, ItemTotal] = field(default_factory=dict)

    def add(self, kind: str, item_id: int | None, currency: str | None, minor: int, milli: int) -> None:
        value = Money.from_minor(minor, currency) if currency else None
        if kind == LineKind.MONEY:
            assert value is not None
            self.money[value.currency] = self.money.get(value.currency, Money.zero(value.currency)) + value
            return
        assert item_id is not None
        total = self.items.setdefault(item_id, ItemTotal(item_id))
        total.quantity_milli += milli
        if value is not None:
            total.value[value.currency] = total.value.get(value.currency, Money.zero(value.currency)) + value
            self.in_kind[value.currency] = self.in_kind.get(value.currency, Money.zero(value.currency)) + value

    def is_empty(self) -> bool:
        return not (self.money or self.items)


@dataclass
class LedgerTotals:
    """Paid in full; committed and pledged as outstanding remainders; a closed promise's remainder written off."""

    paid: Figures = field(default_factory=Figures)
    committed: Figures = field(default_factory=Figures)
    pledged: Figures = field(default_factory=Figures)
    written_off: Figures = field(default_factory=Figures)

    def bucket(self, status: str) -> Figures:
        figures: dict[str, Figures] = {
            Bucket.PAID: self.paid,
            Bucket.COMMITTED: self.committed,
            Bucket.PLEDGED: self.pledged,
            Bucket.WRITTEN_OFF: self.written_off,
        }
        return figures[status]


@dataclass(frozen=True)
class Scope:
    """Which contributions a total covers."""

    donor_id: int | None = None
    recipient_id: int | None = None
    appeal_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    contribution_ids: tuple[int, ...] = ()
    as_of: datetime | None = None  # count the ledger as it stood at this moment

    def conditions(self, table: sa.Table = contribution, include_void: bool = False) -> list[sa.ColumnElement[bool]]:
        c = table.c
        found: list[sa.ColumnElement[bool]] = [] if include_void else [live(table, self.as_of)]
        if self.as_of is not None:
            found.append(c.recorded_at <= self.as_of)
        if self.donor_id is not None:
            found.append(c.donor_id == self.donor_id)
        if self.recipient_id is not None:
            found.append(c.recipient_id == self.recipient_id)
        if self.appeal_id is not None:
            found.append(c.appeal_id == self.appeal_id)
        day = counted_on(table) if self.as_of is None else day_as_of(table, self.as_of)
        if self.date_from is not None:
            found.append(day >= self.date_from)
        if self.date_to is not None:
            found.append(day <= self.date_to)
        if self.contribution_ids:
            found.append(c.id.in_(self.contribution_ids))
        return found


def day_as_of(table: sa.FromClause[Any], as_of: datetime) -> sa.ColumnElement[Any]:
    """The day a contribution counted on as of a moment: its value date if its status moved on since (exact for a
    contribution moved on once; an earlier second move's date is not read back), else the day it counts on now."""
    moved_since = sa.exists().where(
        journal.c.action == "contribution.status_changed",
        journal.c.object_type == "contribution",
        journal.c.object_id == sa.cast(table.c.id, sa.String),
        journal.c.at > as_of,
    )
    return sa.case((moved_since, table.c.value_date), else_=counted_on(table))


def closed(table: sa.FromClause[Any], as_of: datetime | None = None) -> sa.ColumnElement[bool]:
    """Closed (its remainder written off): now, or as of a moment."""
    closed_at: sa.ColumnElement[datetime | None] = table.c.closed_at
    if as_of is None:
        return closed_at.is_not(None)
    return closed_at <= as_of


def bucket_of(
    status: sa.ColumnElement[str], table: sa.FromClause[Any], as_of: datetime | None
) -> sa.ColumnElement[str]:
    """The figure a contribution counts in: its status, or written off for a closed promise."""
    return sa.case((sa.and_(status != Status.PAID, closed(table, as_of)), Bucket.WRITTEN_OFF.value), else_=status)


def live(table: sa.FromClause[Any], as_of: datetime | None = None) -> sa.ColumnElement[bool]:
    """Not void: now, or as of a moment (a void recorded later did not exist yet)."""
    voided_at: sa.ColumnElement[datetime | None] = table.c.voided_at
    if as_of is None:
        return voided_at.is_(None)
    return sa.or_(voided_at.is_(None), voided_at > as_of)


def status_then(as_of: datetime) -> sa.Subquery:
    """Each contribution's id, its status as of a moment (`status`) and the day it counted on then (`counted_on`).

    Statuses only move forward, so the status then is the `before` of the first status
    change journalled after the moment; with no such change it is the status now. A
    subquery, so a plain column can be grouped by on both databases.
    """
    first = (
        sa.select(journal.c.object_id, sa.func.min(journal.c.id).label("first_id"))
        .where(
            journal.c.action == "contribution.status_changed",
            journal.c.object_type == "contribution",
            journal.c.at > as_of,
        )
        .group_by(journal.c.object_id)
        .subquery("first_change")
    )
    later = (
        sa.select(first.c.object_id, journal.c.before)
        .join(journal, journal.c.id == first.c.first_id)
        .subquery("later_change")
    )
    whens = [(later.c.before == canonical_json({"status": name}), name) for name in OPEN_STATUSES]
    # A status that moved on later was dated... at least not by today's status date: the value date is
    # taken then (exact for a contribution moved on once; a second earlier move's date is not read back).
    day = sa.case((later.c.before.is_not(None), contribution.c.value_date), else_=counted_on(contribution))
    return (
        sa.select(
            contribution.c.id.label("id"),
            sa.case(*whens, else_=contribution.c.status).label("status"),
            day.label("counted_on"),
        )
        .select_from(contribution.outerjoin(later, later.c.object_id == sa.cast(contribution.c.id, sa.String)))
        .subquery("status_then")
    )


# What a breakdown may be grouped by: header columns of the contribution, and the
# item's IASC cluster (money lines have none).
GROUPS = ("value_date", "appeal_id", "donor_id", "recipient_id", "cluster")


class FigureRow(NamedTuple):
    """One summed piece of a bucket: a line key, its value and quantity, and the groups it was summed by.

    A group not asked for is None (as a group can be: no appeal, a money line's cluster). Every
    producer builds this one type: the SQL below, a new contribution's lines, an import's rows."""

    bucket: str
    kind: str
    item_id: int | None
    currency: str | None
    value_minor: int
    quantity_milli: int
    value_date: date | None = None
    appeal_id: int | None = None
    donor_id: int | None = None
    recipient_id: int | None = None
    cluster: str | None = None

    def group(self, name: str) -> Any:
        """The value of one of `GROUPS` this row was summed by."""
        return getattr(self, name)


# A FigureRow from a tuple of its fields, in order (the NamedTuple's own constructor, taking them one by
# one as arguments, costs 0.1 µs more a row: an import builds one a line, a rebuild one a summed row).
figure_row: Callable[[tuple[Any, ...]], FigureRow] = partial(tuple.__new__, FigureRow)


def ledger_totals(session: Session, scope: Scope | None = None) -> LedgerTotals:
    """Totals for the contributions in scope, pledges net of their fulfilments."""
    return fold(figure_rows(session, scope))


def breakdown(session: Session, scope: Scope | None, by: str) -> dict[object, LedgerTotals]:
    """Totals per value of one group (an appeal, a donor, a cluster…), each net of fulfilments."""
    found: dict[object, LedgerTotals] = {}
    for row in figure_rows(session, scope, (by,)):
        found.setdefault(row.group(by), LedgerTotals()).bucket(row.bucket).add(
            row.kind, row.item_id, row.currency, row.value_minor, row.quantity_milli
        )
    return found


def fold(rows: list[FigureRow]) -> LedgerTotals:
    totals = LedgerTotals()
    for row in rows:
        totals.bucket(row.bucket).add(row.kind, row.item_id, row.currency, row.value_minor, row.quantity_milli)
    return totals


def figure_rows(session: Session, scope: Scope | None = None, by: tuple[str, ...] = ()) -> list[FigureRow]:
    """The ledger in scope summed in SQL per bucket, line key and the `by` groups; remainders for pledges."""
    scope = scope or Scope()
    unknown = set(by) - set(GROUPS)
    if unknown:
        raise ValueError(f"cannot group figures by {sorted(unknown)}")
    groups = [_group_column(name) for name in by]
    fulfiller = contribution.alias("fulfiller")
    has_live_fulfilment = sa.exists().where(fulfiller.c.fulfils_id == contribution.c.id, *_counted(fulfiller, scope))
    status: sa.ColumnElement[str] = contribution.c.status
    key = (line.c.kind, line.c.item_id, line.c.currency)
    sums = (
        sa.func.coalesce(sa.func.sum(line.c.value_minor), 0),
        sa.func.coalesce(sa.func.sum(line.c.quantity_milli), 0),
    )
    joined = line.join(contribution, line.c.contribution_id == contribution.c.id)
    if scope.as_of is not None:
        then = status_then(scope.as_of)
        joined, status = joined.join(then, then.c.id == contribution.c.id), then.c.status
        if "value_date" in by:
            groups[by.index("value_date")] = then.c.counted_on
    if "cluster" in by:
        joined = joined.outerjoin(item, line.c.item_id == item.c.id)
    bucket = bucket_of(status, contribution, scope.as_of)

    # Paid contributions, and open ones that nothing fulfils yet: plain sums.
    plain = sa.or_(status == Status.PAID, ~has_live_fulfilment)
    statement = (
        sa.select(bucket, *key, *sums, *groups)
        .select_from(joined)
        .where(*scope.conditions(), plain)
        .group_by(bucket, *key, *groups)
    )
    grouped = _grouping(by)
    rows = [
        FigureRow(bucket, kind, item_id, currency, int(minor), int(milli), *grouped(keys))
        for bucket, kind, item_id, currency, minor, milli, *keys in session.execute(statement)
    ]

    # Open contributions with fulfilments: the remainder, per pledge and line key.
    statement = (
        sa.select(contribution.c.id, bucket, *key, *sums, *groups)
        .select_from(joined)
        .where(*scope.conditions(), status != Status.PAID, has_live_fulfilment)
        .group_by(contribution.c.id, bucket, *key, *groups)
    )
    promised = session.execute(statement).all()
    if promised:
        rows.extend(_remainders(session, promised, scope, grouped))
    return rows


def _group_column(name: str) -> sa.ColumnElement[Any]:
    """The column a figure group reads: the item's cluster, the day counted on, or the contribution's own."""
    if name == "cluster":
        return item.c.cluster
    if name == "value_date":
        return counted_on(contribution)
    return contribution.c[name]


def _grouping(by: tuple[str, ...]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """How the `by` columns of a result row become FigureRow's group fields (in `GROUPS` order, None if not asked)."""
    if by == GROUPS[: len(by)]:
        return lambda keys: keys  # the totals' case: every group, in order

    def placed(keys: Sequence[Any]) -> list[Any]:
        found: list[Any] = [None] * len(GROUPS)
        for name, value in zip(by, keys, strict=True):
            found[GROUPS.index(name)] = value
        return found

    return placed


def _counted(fulfiller: sa.FromClause[Any], scope: Scope) -> list[sa.ColumnElement[bool]]:
    """A fulfilment counts when it is live (and, as of a moment, was recorded by then)."""
    found = [live(fulfiller, scope.as_of)]
    if scope.as_of is not None:
        found.append(fulfiller.c.recorded_at <= scope.as_of)
    return found


class Delivered(NamedTuple):
    """What live paid fulfilments delivered against pledges: money per (pledge, currency), items per (pledge, item)."""

    money: dict[tuple[int, str], int]
    items: dict[tuple[int, int], int]


def delivered_against(session: Session, pledge_ids: Sequence[int], scope: Scope | None = None) -> Delivered:
    """The sums the live paid contributions fulfilling these pledges delivered (as of the scope's moment, if any)."""
    scope = scope or Scope()
    found = Delivered(defaultdict(int), defaultdict(int))
    for chunk in _chunks(sorted(set(pledge_ids)), 500):
        statement = (
            sa.select(
                contribution.c.fulfils_id,
                line.c.kind,
                line.c.item_id,
                sa.func.coalesce(line.c.fulfils_currency, line.c.currency),
                sa.func.coalesce(line.c.fulfils_minor, line.c.value_minor),
                line.c.quantity_milli,
            )
            .select_from(line.join(contribution, line.c.contribution_id == contribution.c.id))
            .where(
                contribution.c.fulfils_id.in_(chunk),
                *_counted(contribution, scope),
                contribution.c.status == Status.PAID,
            )
        )
        for pledge_id, kind, item_id, currency, minor, milli in session.execute(statement):
            if kind == LineKind.MONEY:
                found.money[(pledge_id, currency)] += int(minor)
            else:
                found.items[(pledge_id, item_id)] += int(milli)
    return found


def money_outstanding(promised_minor: int, delivered_minor: int) -> int:
    """A pledge's money in one currency still to come: never below zero."""
    return max(0, promised_minor - delivered_minor)


def item_outstanding(promised_milli: int, delivered_milli: int) -> int:
    """A pledge's quantity of one item still to come: never below zero."""
    return max(0, promised_milli - delivered_milli)


def _remainders(
    session: Session,
    promised: Sequence[sa.Row[*tuple[Any, ...]]],
    scope: Scope,
    grouped: Callable[[Sequence[Any]], Sequence[Any]],
) -> list[FigureRow]:
    delivered = delivered_against(session, [row[0] for row in promised], scope)

    # An item may be promised in several lines (and currencies): its quantity is
    # netted once per pledge, and each valued part shrinks in the same proportion.
    promised_items: dict[tuple[int, int], int] = defaultdict(int)
    for pledge_id, _status, kind, item_id, _currency, _minor, milli, *_keys in promised:
        if kind != LineKind.MONEY:
            promised_items[(pledge_id, item_id)] += int(milli)

    rows: list[FigureRow] = []
    counted: set[tuple[int, int]] = set()
    for pledge_id, status, kind, item_id, currency, minor, _milli, *keys in promised:
        if kind == LineKind.MONEY:
            outstanding = money_outstanding(int(minor), delivered.money[(pledge_id, currency)])
            if outstanding:
                rows.append(FigureRow(status, kind, None, currency, outstanding, 0, *grouped(keys)))
            continue
        whole = promised_items[(pledge_id, item_id)]
        left = item_outstanding(whole, delivered.items[(pledge_id, item_id)])
        if left:
            share = proportion(int(minor), left, whole) if currency else 0
            quantity = 0 if (pledge_id, item_id) in counted else left
            counted.add((pledge_id, item_id))
            rows.append(FigureRow(status, kind, item_id, currency if share else None, share, quantity, *grouped(keys)))
    return rows


def proportion(amount: int, left: int, whole: int) -> int:
    """amount × left / whole, rounded half up once, in integer units."""
    return int((Decimal(amount) * left / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
