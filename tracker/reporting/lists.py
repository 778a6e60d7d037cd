"""Read-side lists for the API: contributions and the catalogue, paged by keyset (id order), never by offset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.db.columns import stored_id
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Item, Recipient
from tracker.ledger.filters import ContributionFilters, contribution_where
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
    contribution: Contribution
    lines: list[ContributionLine]


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
    rows = [ContributionWithLines(c, lines[stored_id(c)]) for c in contributions]
    return Page(rows, next_after)


def contribution_with_lines(session: Session, contribution: Contribution) -> ContributionWithLines:
    return ContributionWithLines(contribution, lines_of(session, stored_id(contribution)))


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
