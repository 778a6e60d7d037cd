"""Finding contributions: filters, sorting, pages, and the filtered set's totals per currency (in SQL).

At a million contributions a filter can match tens of thousands: the count stops at
COUNT_CAP ("more than 1,000 match"), and the list sums its per-currency totals only for a
set no larger than that (the dashboard and the reports give the totals of larger ones).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.money import Money
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Recipient, table_of
from tracker.db.text import matches

contribution = table_of(Contribution)
line = table_of(ContributionLine)
donor = table_of(Donor)
recipient = table_of(Recipient)
appeal = table_of(Appeal)

PER_PAGE = 50
COUNT_CAP = 1_000
SORTS = {
    "date": (contribution.c.value_date, contribution.c.id),
    "number": (contribution.c.number,),
    "donor": (donor.c.name, contribution.c.id),
    "recipient": (recipient.c.name, contribution.c.id),
    "status": (contribution.c.status, contribution.c.id),
    "recorded": (contribution.c.id,),
}
DEFAULT_SORT = "-date"


@dataclass(frozen=True)
class ContributionFilters:
    """What the list is narrowed to; every field optional. `status` may also be "void"."""

    donor_id: int | None = None
    recipient_id: int | None = None
    appeal_id: int | None = None
    status: str | None = None
    kind: str | None = None
    currency: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None

    def header_conditions(self, session: Session) -> list[sa.ColumnElement[bool]]:
        c = contribution.c
        found: list[sa.ColumnElement[bool]] = []
        for column, value in ((c.donor_id, self.donor_id), (c.recipient_id, self.recipient_id)):
            if value is not None:
                found.append(column == value)
        if self.appeal_id is not None:
            found.append(c.appeal_id == self.appeal_id)
        if self.status == "void":
            found.append(c.voided_at.is_not(None))
        elif self.status:
            found.extend([c.status == self.status, c.voided_at.is_(None)])
        if self.date_from is not None:
            found.append(c.value_date >= self.date_from)
        if self.date_to is not None:
            found.append(c.value_date <= self.date_to)
        if self.text and self.text.strip():
            needle = self.text.strip()
            columns = (c.number, c.reference, c.notes, donor.c.name, recipient.c.name)
            found.append(sa.or_(*(matches(session, column, needle) for column in columns)))
        return found

    def line_conditions(self) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        if self.kind:
            found.append(line.c.kind == self.kind)
        if self.currency:
            found.append(line.c.currency == self.currency)
        return found


@dataclass(frozen=True)
class ListedContribution:
    """A row of the list: the contribution, its parties' names, and its value per currency."""

    contribution: Contribution
    donor_name: str
    recipient_name: str
    appeal_code: str | None
    kinds: tuple[str, ...]
    values: tuple[Money, ...]


@dataclass(frozen=True)
class ContributionPage:
    rows: list[ListedContribution]
    total: int  # COUNT_CAP when more match: counting stopped there
    page: int
    per_page: int
    more: bool = False  # more than `total` match

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class CurrencyTotal:
    """One currency's recorded value in the filtered set, per status (void contributions left out)."""

    currency: str
    by_status: dict[str, Money] = field(default_factory=dict)


def _parties(joined: sa.FromClause, filters: ContributionFilters) -> sa.FromClause:
    """The parties are joined only for a text search, the only filter that reads their names."""
    if not (filters.text and filters.text.strip()):
        return joined
    return joined.join(donor, donor.c.id == contribution.c.donor_id).join(
        recipient, recipient.c.id == contribution.c.recipient_id
    )


def _filtered(session: Session, filters: ContributionFilters, *columns: Any) -> sa.Select[*tuple[Any, ...]]:
    """The matching contributions."""
    statement = sa.select(*(columns or (contribution.c.id,))).select_from(_parties(contribution, filters))
    statement = statement.where(*filters.header_conditions(session))
    line_filter = filters.line_conditions()
    if line_filter:
        statement = statement.where(sa.exists().where(line.c.contribution_id == contribution.c.id, *line_filter))
    return statement


def _count(session: Session, filters: ContributionFilters, *extra: sa.ColumnElement[bool]) -> int:
    """How many contributions match, counting no further than COUNT_CAP + 1."""
    line_filter = filters.line_conditions()
    if line_filter:
        # From the matching lines (a currency's come from its index), each contribution once:
        # SQLite streams this join and stops at the cap; an IN or EXISTS would read all the lines.
        joined = _parties(line.join(contribution, contribution.c.id == line.c.contribution_id), filters)
        statement = sa.select(line.c.contribution_id).distinct().select_from(joined).where(*line_filter)
    else:
        statement = sa.select(sa.literal(1)).select_from(_parties(contribution, filters))
    statement = statement.where(*filters.header_conditions(session), *extra).limit(COUNT_CAP + 1)
    count: int = session.execute(sa.select(sa.func.count()).select_from(statement.subquery())).scalar_one()
    return count


def find_contributions(
    session: Session, filters: ContributionFilters, sort: str = DEFAULT_SORT, page: int = 1, per_page: int = PER_PAGE
) -> ContributionPage:
    """One page of the contributions that match, sorted; voided ones included (and marked)."""
    total = _count(session, filters)
    key = sort.lstrip("-")
    columns = SORTS.get(key, SORTS["date"])
    order = [col.desc() if sort.startswith("-") else col.asc() for col in columns]
    page = max(1, page)
    ids = _filtered(session, filters).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    if key in ("donor", "recipient") and not (filters.text and filters.text.strip()):
        ids = ids.join(donor, donor.c.id == contribution.c.donor_id).join(
            recipient, recipient.c.id == contribution.c.recipient_id
        )  # sorted by a party's name
    wanted = [row[0] for row in session.execute(ids)]
    statement = (
        sa.select(Contribution, donor.c.name, recipient.c.name, appeal.c.code)
        .join(donor, donor.c.id == contribution.c.donor_id)
        .join(recipient, recipient.c.id == contribution.c.recipient_id)
        .outerjoin(appeal, appeal.c.id == contribution.c.appeal_id)
        .where(contribution.c.id.in_(wanted))
    )
    found = {row[0].id: row for row in session.execute(statement).all()}
    values = _values(session, wanted)
    rows = [
        ListedContribution(c, donor_name, recipient_name, code, *values.get(c.id, ((), ())))
        for c, donor_name, recipient_name, code in (found[cid] for cid in wanted if cid in found)
    ]
    return ContributionPage(rows, min(int(total), COUNT_CAP), page, per_page, more=total > COUNT_CAP)


def contribution_totals(
    session: Session, filters: ContributionFilters, found: ContributionPage | None = None
) -> list[CurrencyTotal] | None:
    """Per currency and status, the recorded value of the matching lines; summed in SQL, voids left out.

    None when `found` (the list's page, already counted) says more than COUNT_CAP match: their sum
    would cost a pass over much of the ledger. Without `found` (one donor's or recipient's page,
    read through its index) the totals are always summed.
    """
    if filters.status == "void":
        return []  # void contributions count in no total
    if found is not None and found.more:
        return None
    live = [contribution.c.voided_at.is_(None)]
    # A line matching the line filters is what makes its contribution match them: join, no subquery.
    joined = _parties(line.join(contribution, contribution.c.id == line.c.contribution_id), filters)
    statement = (
        sa.select(line.c.currency, contribution.c.status, sa.func.sum(line.c.value_minor))
        .select_from(joined)
        .where(*filters.header_conditions(session), *live, line.c.currency.is_not(None), *filters.line_conditions())
        .group_by(line.c.currency, contribution.c.status)
        .order_by(line.c.currency)
    )
    totals: dict[str, CurrencyTotal] = {}
    for currency, status, minor in session.execute(statement):
        totals.setdefault(currency, CurrencyTotal(currency)).by_status[status] = Money.from_minor(int(minor), currency)
    return list(totals.values())


def _values(session: Session, ids: list[int]) -> dict[int, tuple[tuple[str, ...], tuple[Money, ...]]]:
    if not ids:
        return {}
    statement = (
        sa.select(line.c.contribution_id, line.c.kind, line.c.currency, sa.func.sum(line.c.value_minor))
        .where(line.c.contribution_id.in_(ids))
        .group_by(line.c.contribution_id, line.c.kind, line.c.currency)
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for contribution_id, kind, currency, minor in session.execute(statement):
        kinds[contribution_id].add(kind)
        if currency:
            sums[contribution_id][currency] += int(minor)
    return {
        cid: (
            tuple(sorted(kinds[cid])),
            tuple(Money.from_minor(minor, cur) for cur, minor in sorted(sums[cid].items())),
        )
        for cid in kinds
    }
