"""Finding contributions for the list page: sorting, pages, and the filtered set's totals per currency (in SQL).

At a million contributions a filter can match tens of thousands: the count stops at
COUNT_CAP ("more than 1,000 match"), and the list sums its per-currency totals only for a
set no larger than that (the dashboard and the reports give the totals of larger ones).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.money import Money
from tracker.core.vocabulary import Status
from tracker.db.columns import table_of
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Recipient
from tracker.ledger.filters import ContributionFilters, contribution_where

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


def _filtered(session: Session, filters: ContributionFilters) -> sa.Select[tuple[int]]:
    """The ids of the matching contributions."""
    return sa.select(contribution.c.id).where(contribution_where(session, filters))


def _count(session: Session, filters: ContributionFilters) -> int:
    """How many contributions match, counting no further than COUNT_CAP + 1."""
    if filters.kind or filters.currency:
        # From the matching lines (a currency's come from its index), each contribution once:
        # SQLite streams this join and stops at the cap; an IN or EXISTS would read all the lines.
        joined = line.join(contribution, contribution.c.id == line.c.contribution_id)
        statement = sa.select(line.c.contribution_id).distinct().select_from(joined)
        statement = statement.where(contribution_where(session, filters, lines_joined=True))
    else:
        statement = sa.select(sa.literal(1)).select_from(contribution).where(contribution_where(session, filters))
    statement = statement.limit(COUNT_CAP + 1)
    counted: int = session.execute(sa.select(sa.func.count()).select_from(statement.subquery())).scalar_one()
    return counted


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
    if key in ("donor", "recipient"):
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
    if filters.status == Status.VOID:
        return []  # void contributions count in no total
    if found is not None and found.more:
        return None
    # A line matching the line filters is what makes its contribution match them: join, no subquery.
    joined = line.join(contribution, contribution.c.id == line.c.contribution_id)
    statement = (
        sa.select(line.c.currency, contribution.c.status, sa.func.sum(line.c.value_minor))
        .select_from(joined)
        .where(contribution_where(session, filters, lines_joined=True))
        .where(contribution.c.voided_at.is_(None), line.c.currency.is_not(None))
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
