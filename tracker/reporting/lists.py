"""Read-side lists for the API: contributions and the catalogue, paged by keyset (id order), never by offset."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.core.vocabulary import OPEN_STATUSES
from tracker.db.columns import stored_id
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Item, Recipient
from tracker.ledger.filters import ContributionFilters, contribution_where
from tracker.ledger.outstanding import LineRemainder, line_remainders
from tracker.ledger.service import lines_of

T = TypeVar("T")
M = TypeVar("M", Donor, Recipient, Appeal, Item)  # the catalogue: each has an id, a name and the archived flag
Paged = TypeVar("Paged", Donor, Recipient, Appeal, Item, Contribution)
MAX_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows in id order, and the id to continue after when there are more."""

    rows: list[T]
    next_after: int | None


@dataclass(frozen=True)
class CatalogueFilters:
    """Search and filters shared by the catalogue lists; `q` matches names (and appeal codes), any case."""

    q: str | None = None
    archived: bool | None = False
    equals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContributionWithLines:
    """A contribution, its lines, and how they count: an open promise's remainders by line position; the number
    of the promise it fulfils."""

    contribution: Contribution
    lines: list[ContributionLine]
    remainders: dict[int, LineRemainder] = field(default_factory=dict)
    fulfils: str | None = None


def list_contributions(
    session: Session, filters: ContributionFilters, after: int | None = None, limit: int = 50
) -> Page[ContributionWithLines]:
    """Contributions in the order they were recorded, with their lines, one page at a time."""
    statement = select(Contribution).where(contribution_where(session, filters))
    statement = statement.order_by(Contribution.id)  # type: ignore[arg-type]
    contributions, next_after = _page(session, statement, Contribution, after, limit)
    lines: dict[int, list[ContributionLine]] = {stored_id(c): [] for c in contributions}
    if lines:
        statement_lines = (
            select(ContributionLine)
            .where(col(ContributionLine.contribution_id).in_(list(lines)))
            .order_by(col(ContributionLine.contribution_id), col(ContributionLine.position))
        )
        for line in session.exec(statement_lines):
            lines[line.contribution_id].append(line)
    return Page(_counted(session, contributions, lines), next_after)


def contribution_with_lines(session: Session, contribution: Contribution) -> ContributionWithLines:
    (found,) = _counted(session, [contribution], {stored_id(contribution): lines_of(session, stored_id(contribution))})
    return found


def _counted(
    session: Session, contributions: list[Contribution], lines: dict[int, list[ContributionLine]]
) -> list[ContributionWithLines]:
    """The contributions with how their lines count (`tracker.ledger.outstanding`) and the numbers they fulfil."""
    open_ids = [stored_id(c) for c in contributions if c.status in OPEN_STATUSES and c.voided_at is None]
    remainders: dict[int, dict[int, LineRemainder]] = defaultdict(dict)
    for (owner, position), left in (line_remainders(session, open_ids) if open_ids else {}).items():
        remainders[owner][position] = left
    promise_ids = {c.fulfils_id for c in contributions if c.fulfils_id is not None}
    numbers: dict[int, str] = {}
    if promise_ids:
        statement = select(Contribution.id, Contribution.number).where(col(Contribution.id).in_(promise_ids))
        numbers = {int(found_id): number for found_id, number in session.exec(statement) if found_id is not None}
    return [
        ContributionWithLines(
            c,
            lines[stored_id(c)],
            remainders.get(stored_id(c), {}),
            numbers.get(c.fulfils_id) if c.fulfils_id is not None else None,
        )
        for c in contributions
    ]


def list_catalogue(
    session: Session, model: type[M], filters: CatalogueFilters, after: int | None = None, limit: int = 50
) -> Page[M]:
    """Donors, recipients, appeals or items in id order, searched by name and filtered by exact fields."""
    statement = select(model).order_by(col(model.id))
    if filters.q:
        needle = filters.q.strip().lower()
        condition = func.lower(model.name).contains(needle, autoescape=True)
        if model is Appeal:
            condition = sa.or_(condition, func.lower(Appeal.code).contains(needle, autoescape=True))
        statement = statement.where(condition)
    if filters.archived is not None:
        statement = statement.where(col(model.archived) == filters.archived)
    for name, value in filters.equals.items():
        if value is not None:
            statement = statement.where(getattr(model, name) == value)
    rows, next_after = _page(session, statement, model, after, limit)
    return Page(rows, next_after)


def _page(
    session: Session, statement: Any, model: type[Paged], after: int | None, limit: int
) -> tuple[list[Paged], int | None]:
    limit = max(1, min(limit, MAX_PAGE))
    if after is not None:
        statement = statement.where(col(model.id) > after)
    rows = list(session.exec(statement.limit(limit + 1)).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1].id
    return rows, None
