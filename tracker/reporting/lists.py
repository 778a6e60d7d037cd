"""Read-side lists for the API: contributions and the catalogue, paged by keyset (id order), never by offset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from tracker.db.models import Appeal, Contribution, ContributionLine
from tracker.ledger.service import lines_of

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)
MAX_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows in id order, and the id to continue after when there are more."""

    rows: list[T]
    next_after: int | None


@dataclass(frozen=True)
class ContributionFilters:
    """What a contribution list may be narrowed by; None means no condition.

    `status` is pledged, committed or paid (void ones left out) or void (only void ones);
    `kind` and `currency` keep contributions with at least one such line; dates are inclusive.
    """

    donor_id: int | None = None
    recipient_id: int | None = None
    appeal_id: int | None = None
    status: str | None = None
    kind: str | None = None
    currency: str | None = None
    date_from: date | None = None
    date_to: date | None = None


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
    statement = select(Contribution).order_by(Contribution.id)  # type: ignore[arg-type]
    for condition in _contribution_conditions(filters):
        statement = statement.where(condition)
    contributions, next_after = _page(session, statement, Contribution, after, limit)
    lines: dict[int, list[ContributionLine]] = {c.id: [] for c in contributions}  # type: ignore[misc]
    if lines:
        statement_lines = (
            select(ContributionLine)
            .where(ContributionLine.contribution_id.in_(list(lines)))  # type: ignore[attr-defined]
            .order_by(ContributionLine.contribution_id, ContributionLine.position)  # type: ignore[arg-type]
        )
        for line in session.exec(statement_lines):
            lines[line.contribution_id].append(line)
    rows = [ContributionWithLines(c, lines[c.id]) for c in contributions]  # type: ignore[index]
    return Page(rows, next_after)


def contribution_with_lines(session: Session, contribution: Contribution) -> ContributionWithLines:
    return ContributionWithLines(contribution, lines_of(session, contribution.id))  # type: ignore[arg-type]


def list_catalogue(
    session: Session, model: type[M], filters: CatalogueFilters, after: int | None = None, limit: int = 50
) -> Page[M]:
    """Donors, recipients, appeals or items in id order, searched by name and filtered by exact fields."""
    statement = select(model).order_by(model.id)  # type: ignore[attr-defined]
    if filters.q:
        needle = filters.q.strip().lower()
        condition = func.lower(model.name).contains(needle, autoescape=True)  # type: ignore[attr-defined]
        if model is Appeal:
            condition = sa.or_(condition, func.lower(Appeal.code).contains(needle, autoescape=True))
        statement = statement.where(condition)
    if filters.archived is not None:
        statement = statement.where(model.archived == filters.archived)  # type: ignore[attr-defined]
    for name, value in filters.equals.items():
        if value is not None:
            statement = statement.where(getattr(model, name) == value)
    rows, next_after = _page(session, statement, model, after, limit)
    return Page(rows, next_after)


def _page(
    session: Session, statement: Any, model: type[M], after: int | None, limit: int
) -> tuple[list[M], int | None]:
    limit = max(1, min(limit, MAX_PAGE))
    if after is not None:
        statement = statement.where(model.id > after)  # type: ignore[attr-defined]
    rows = list(session.exec(statement.limit(limit + 1)).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1].id
    return rows, None


def _contribution_conditions(filters: ContributionFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.donor_id is not None:
        conditions.append(col(Contribution.donor_id) == filters.donor_id)
    if filters.recipient_id is not None:
        conditions.append(col(Contribution.recipient_id) == filters.recipient_id)
    if filters.appeal_id is not None:
        conditions.append(col(Contribution.appeal_id) == filters.appeal_id)
    if filters.status == "void":
        conditions.append(col(Contribution.voided_at).is_not(None))
    elif filters.status is not None:
        conditions.append(col(Contribution.status) == filters.status)
        conditions.append(col(Contribution.voided_at).is_(None))
    if filters.date_from is not None:
        conditions.append(col(Contribution.value_date) >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(col(Contribution.value_date) <= filters.date_to)
    if filters.kind is not None or filters.currency is not None:
        line = sa.exists().where(col(ContributionLine.contribution_id) == Contribution.id)
        if filters.kind is not None:
            line = line.where(col(ContributionLine.kind) == filters.kind)
        if filters.currency is not None:
            line = line.where(col(ContributionLine.currency) == filters.currency)
        conditions.append(line)
    return conditions
