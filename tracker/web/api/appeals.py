"""/api/v1/appeals: add appeals (admin), list and search them, show one."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter
from fastapi.responses import Response

from tracker.catalogue import service as catalogue
from tracker.core.errors import NotFound
from tracker.db.models import Appeal
from tracker.reporting.lists import CatalogueFilters, list_catalogue
from tracker.web.api import paging, present
from tracker.web.api.common import READ, READ_ONE, WRITE, Cursor, IncludeArchived, Limit, Search, object_id
from tracker.web.api.deps import Admin, Idempotent, LimitedRoute, Viewer
from tracker.web.api.schemas import AppealCreate, AppealList, AppealPatch, AppealPublic
from tracker.web.api.types import check_text
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/appeals", tags=["appeals"], route_class=LimitedRoute)


@router.post("", status_code=201, response_model=AppealPublic, responses=WRITE)
def create_appeal(body: AppealCreate, session: SessionDep, user: Admin, idempotency: Idempotent) -> Response:
    """Add an appeal (admin: appeals are part of the catalogue)."""
    data = catalogue.AppealInput(
        code=body.code,
        name=body.name,
        start_date=body.start_date,
        end_date=body.end_date,
        target=body.target.to_money() if body.target else None,
        glide=body.glide,
    )
    return idempotency.answer(201, present.appeal(catalogue.create_appeal(session, data, user)))


@router.get("", response_model=AppealList, responses=READ)
def list_appeals(
    session: SessionDep,
    user: Viewer,
    q: Search = None,
    include_archived: IncludeArchived = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AppealList:
    """Appeals in the order they were added, searched by code or name."""
    filters = CatalogueFilters(q=check_text(q, "q"), archived=None if include_archived else False)
    page = list_catalogue(session, Appeal, filters, paging.decode(cursor), limit)
    return AppealList(items=[present.appeal(row) for row in page.rows], next_cursor=paging.encode(page.next_after))


@router.get("/{appeal_id}", response_model=AppealPublic, responses=READ_ONE)
def show_appeal(appeal_id: str, session: SessionDep, user: Viewer) -> AppealPublic:
    """One appeal."""
    row = session.get(Appeal, object_id(appeal_id, "appeal"))
    if row is None:
        raise NotFound("appeal {id} does not exist", id=appeal_id)
    return present.appeal(row)


@router.patch("/{appeal_id}", response_model=AppealPublic, responses=WRITE)
def update_appeal(appeal_id: str, body: AppealPatch, session: SessionDep, user: Admin) -> AppealPublic:
    """Change any of the appeal's descriptive fields (the rest stay), journalled; recorded facts never change so."""
    number = object_id(appeal_id, "appeal")
    row = session.get(Appeal, number)
    if row is None:
        raise NotFound("appeal {id} does not exist", id=appeal_id)
    changes = body.model_dump(exclude_unset=True)
    if "target" in changes:
        changes["target"] = body.target.to_money() if body.target else None
    return present.appeal(
        catalogue.update_appeal(session, number, replace(catalogue.appeal_input(row), **changes), user)
    )
