"""Finding catalogue entries and journal events: searches, name lookups, a contribution's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.db.columns import stored_id
from tracker.db.models import ApiToken, Appeal, Contribution, Donor, Item, JournalEvent, Recipient, User
from tracker.db.text import folded, matches

Row = TypeVar("Row")
T = TypeVar("T", Donor, Recipient, Appeal, Item)  # the catalogue: each has an id, a name and the archived flag
Named = TypeVar("Named", Donor, Recipient, Appeal, Item, User, Contribution, ApiToken)
SEARCHED = {Donor: ("name", "email"), Recipient: ("name", "region"), Appeal: ("code", "name"), Item: ("name",)}
ORDER = {Donor: "name", Recipient: "name", Appeal: "code", Item: "name"}


@dataclass(frozen=True)
class Found(Generic[Row]):
    rows: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_catalogue(
    session: Session, model: type[T], text: str = "", archived: bool = False, page: int = 1, per_page: int = 50
) -> Found[T]:
    """Donors, recipients, appeals or items whose searched fields contain `text`, a page at a time."""
    conditions: list[Any] = [col(model.archived) == archived]
    if text.strip():
        conditions.append(sa.or_(*(matches(session, getattr(model, name), text) for name in SEARCHED[model])))
    total = session.exec(select(func.count()).select_from(model).where(*conditions)).one()
    page = max(1, page)
    statement = (
        select(model)
        .where(*conditions)
        .order_by(getattr(model, ORDER[model]), col(model.id))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Found(list(session.exec(statement).all()), int(total), page, per_page)


def match_parties(session: Session, model: type[T], text: str, limit: int = 10) -> list[T]:
    """Active donors or recipients whose name contains `text`; an exact name first, then the shortest names."""
    needle = (text or "").strip()
    if not needle:
        return []
    statement = (
        select(model)
        .where(col(model.archived).is_(False), matches(session, col(model.name), needle))
        .order_by(func.length(model.name), col(model.name))
        .limit(limit)
    )
    found = list(session.exec(statement).all())
    exact = [row for row in found if folded(row.name) == folded(needle)]
    return exact + [row for row in found if row not in exact]


def active(session: Session, model: type[T]) -> list[T]:
    """Every active appeal or item, for a form's choices."""
    statement = select(model).where(col(model.archived).is_(False)).order_by(getattr(model, ORDER[model]))
    return list(session.exec(statement).all())


def names(session: Session, model: type[Named], ids: set[int]) -> dict[int, Named]:
    """Rows by id, for showing names next to ids."""
    if not ids:
        return {}
    return {stored_id(row): row for row in session.exec(select(model).where(col(model.id).in_(ids))).all()}


@dataclass(frozen=True)
class JournalFilters:
    user_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    object_type: str | None = None
    object_id: str | None = None


def journal_events(
    session: Session, filters: JournalFilters, page: int = 1, per_page: int = 100
) -> Found[JournalEvent]:
    """Journal events, newest first, narrowed by who, what and when."""
    conditions: list[Any] = []
    if filters.user_id is not None:
        conditions.append(JournalEvent.user_id == filters.user_id)
    if filters.action:
        conditions.append(JournalEvent.action == filters.action)
    if filters.object_type:
        conditions.append(JournalEvent.object_type == filters.object_type)
    if filters.object_id:
        conditions.append(JournalEvent.object_id == filters.object_id)
    if filters.date_from:
        conditions.append(JournalEvent.at >= datetime.combine(filters.date_from, time.min, tzinfo=UTC))
    if filters.date_to:
        conditions.append(JournalEvent.at < datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC))
    total = session.exec(select(func.count()).select_from(JournalEvent).where(*conditions)).one()
    page = max(1, page)
    statement = (
        select(JournalEvent)
        .where(*conditions)
        .order_by(col(JournalEvent.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Found(list(session.exec(statement).all()), int(total), page, per_page)


def journal_actions(session: Session) -> list[str]:
    """Every action the journal has recorded so far, for the filter's choices."""
    return list(session.exec(select(JournalEvent.action).distinct().order_by(JournalEvent.action)).all())


def contribution_history(session: Session, contribution_id: int) -> list[JournalEvent]:
    """The journal of one contribution, oldest first."""
    statement = (
        select(JournalEvent)
        .where(JournalEvent.object_type == "contribution", JournalEvent.object_id == str(contribution_id))
        .order_by(col(JournalEvent.id))
    )
    return list(session.exec(statement).all())


def fulfilments_of(session: Session, contribution_id: int) -> list[Contribution]:
    """The contributions that fulfil this one, void ones included, oldest first."""
    statement = select(Contribution).where(Contribution.fulfils_id == contribution_id).order_by(col(Contribution.id))
    return list(session.exec(statement).all())


def users_by_id(session: Session, ids: set[int | None]) -> dict[int, User]:
    return names(session, User, {i for i in ids if i is not None})
