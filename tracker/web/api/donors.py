"""/api/v1/donors: add donors, list and search them, show one."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tracker.catalogue import service as catalogue
from tracker.core.errors import NotFound
from tracker.core.vocabulary import DonorKind
from tracker.db.models import Donor
from tracker.reporting.lists import CatalogueFilters, list_catalogue
from tracker.web.api import paging, present
from tracker.web.api.common import READ, READ_ONE, WRITE, Cursor, IncludeArchived, Limit, Search, object_id
from tracker.web.api.deps import Clerk, Idempotent, LimitedRoute, Viewer
from tracker.web.api.schemas import DonorCreate, DonorList, DonorPatch, DonorPublic
from tracker.web.api.types import COUNTRY_SCHEMA, check_text
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/donors", tags=["donors"], route_class=LimitedRoute)


@router.post("", status_code=201, response_model=DonorPublic, responses=WRITE)
def create_donor(body: DonorCreate, session: SessionDep, user: Clerk, idempotency: Idempotent) -> Response:
    """Add a donor (clerk or admin)."""
    data = catalogue.DonorInput(
        name=body.name,
        kind=body.kind,
        country=body.country,
        email=body.email,
        phone=body.phone,
        locale=body.locale,
        notes=body.notes,
    )
    return idempotency.answer(201, present.donor(catalogue.create_donor(session, data, user)))


@router.get("", response_model=DonorList, responses=READ)
def list_donors(
    session: SessionDep,
    user: Viewer,
    q: Search = None,
    kind: Annotated[DonorKind | None, Query()] = None,
    country: Annotated[
        str | None, Query(pattern="^[A-Za-z]{2}$", json_schema_extra={"enum": COUNTRY_SCHEMA["enum"]})
    ] = None,
    include_archived: IncludeArchived = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> DonorList:
    """Donors in the order they were added, searched by name and filtered by kind and country."""
    filters = CatalogueFilters(
        q=check_text(q, "q"),
        archived=None if include_archived else False,
        equals={"kind": kind, "country": country.upper() if country else None},
    )
    page = list_catalogue(session, Donor, filters, paging.decode(cursor), limit)
    return DonorList(items=[present.donor(row) for row in page.rows], next_cursor=paging.encode(page.next_after))


@router.get("/{donor_id}", response_model=DonorPublic, responses=READ_ONE)
def show_donor(donor_id: str, session: SessionDep, user: Viewer) -> DonorPublic:
    """One donor."""
    row = session.get(Donor, object_id(donor_id, "donor"))
    if row is None:
        raise NotFound("donor {id} does not exist", id=donor_id)
    return present.donor(row)


@router.patch("/{donor_id}", response_model=DonorPublic, responses=WRITE)
def update_donor(donor_id: str, body: DonorPatch, session: SessionDep, user: Clerk) -> DonorPublic:
    """Change any of the donor's descriptive fields (the rest stay), journalled; recorded facts never change so."""
    number = object_id(donor_id, "donor")
    row = session.get(Donor, number)
    if row is None:
        raise NotFound("donor {id} does not exist", id=donor_id)
    changes = body.model_dump(exclude_unset=True)
    return present.donor(catalogue.update_donor(session, number, replace(catalogue.donor_input(row), **changes), user))
