"""/api/v1/recipients: add recipients, list and search them, show one."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tracker.catalogue import service as catalogue
from tracker.core.errors import NotFound
from tracker.core.vocabulary import RecipientKind
from tracker.db.models import Recipient
from tracker.reporting.lists import CatalogueFilters, list_catalogue
from tracker.web.api import paging, present
from tracker.web.api.common import READ, READ_ONE, WRITE, Cursor, IncludeArchived, Limit, Search, object_id
from tracker.web.api.deps import Clerk, Idempotent, LimitedRoute, Viewer
from tracker.web.api.schemas import RecipientCreate, RecipientList, RecipientPatch, RecipientPublic
from tracker.web.api.types import COUNTRY_SCHEMA, check_text
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/recipients", tags=["recipients"], route_class=LimitedRoute)


@router.post("", status_code=201, response_model=RecipientPublic, responses=WRITE)
def create_recipient(body: RecipientCreate, session: SessionDep, user: Clerk, idempotency: Idempotent) -> Response:
    """Add a recipient (clerk or admin)."""
    data = catalogue.RecipientInput(
        name=body.name, kind=body.kind, country=body.country, region=body.region, notes=body.notes
    )
    return idempotency.answer(201, present.recipient(catalogue.create_recipient(session, data, user)))


@router.get("", response_model=RecipientList, responses=READ)
def list_recipients(
    session: SessionDep,
    user: Viewer,
    q: Search = None,
    kind: Annotated[RecipientKind | None, Query()] = None,
    country: Annotated[
        str | None, Query(pattern="^[A-Za-z]{2}$", json_schema_extra={"enum": COUNTRY_SCHEMA["enum"]})
    ] = None,
    include_archived: IncludeArchived = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RecipientList:
    """Recipients in the order they were added, searched by name and filtered by kind and country."""
    filters = CatalogueFilters(
        q=check_text(q, "q"),
        archived=None if include_archived else False,
        equals={"kind": kind, "country": country.upper() if country else None},
    )
    page = list_catalogue(session, Recipient, filters, paging.decode(cursor), limit)
    return RecipientList(
        items=[present.recipient(row) for row in page.rows], next_cursor=paging.encode(page.next_after)
    )


@router.get("/{recipient_id}", response_model=RecipientPublic, responses=READ_ONE)
def show_recipient(recipient_id: str, session: SessionDep, user: Viewer) -> RecipientPublic:
    """One recipient."""
    row = session.get(Recipient, object_id(recipient_id, "recipient"))
    if row is None:
        raise NotFound("recipient {id} does not exist", id=recipient_id)
    return present.recipient(row)


@router.patch("/{recipient_id}", response_model=RecipientPublic, responses=WRITE)
def update_recipient(recipient_id: str, body: RecipientPatch, session: SessionDep, user: Clerk) -> RecipientPublic:
    """Change any of the recipient's descriptive fields (the rest stay), journalled; recorded facts never change so."""
    number = object_id(recipient_id, "recipient")
    row = session.get(Recipient, number)
    if row is None:
        raise NotFound("recipient {id} does not exist", id=recipient_id)
    changes = body.model_dump(exclude_unset=True)
    return present.recipient(
        catalogue.update_recipient(session, number, replace(catalogue.recipient_input(row), **changes), user)
    )
