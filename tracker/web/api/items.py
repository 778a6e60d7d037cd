"""/api/v1/items: add catalogue items (admin), list and search them, show one."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tracker.catalogue import service as catalogue
from tracker.core.errors import NotFound
from tracker.core.vocabulary import Cluster, Unit
from tracker.db.columns import stored_id
from tracker.db.models import Item
from tracker.reporting.lists import CatalogueFilters, list_catalogue
from tracker.web.api import paging, present
from tracker.web.api.common import READ, READ_ONE, WRITE, Cursor, IncludeArchived, Limit, Search, object_id
from tracker.web.api.deps import Admin, Idempotent, LimitedRoute, Viewer
from tracker.web.api.schemas import ItemCreate, ItemList, ItemPatch, ItemPublic
from tracker.web.api.types import check_text
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/items", tags=["items"], route_class=LimitedRoute)


@router.post("", status_code=201, response_model=ItemPublic, responses=WRITE)
def create_item(body: ItemCreate, session: SessionDep, user: Admin, idempotency: Idempotent) -> Response:
    """Add an item to the catalogue (admin)."""
    data = catalogue.ItemInput(
        name=body.name,
        unit=body.unit,
        cluster=body.cluster,
        unit_value=body.unit_value.to_money() if body.unit_value else None,
        names=body.names,
    )
    row = catalogue.create_item(session, data, user)
    return idempotency.answer(
        201, present.item(row, catalogue.item_names(session, {stored_id(row)}).get(stored_id(row)))
    )


@router.get("", response_model=ItemList, responses=READ)
def list_items(
    session: SessionDep,
    user: Viewer,
    q: Search = None,
    cluster: Annotated[Cluster | None, Query()] = None,
    unit: Annotated[Unit | None, Query()] = None,
    include_archived: IncludeArchived = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ItemList:
    """Items in the order they were added, searched by name and filtered by cluster and unit."""
    filters = CatalogueFilters(
        q=check_text(q, "q"), archived=None if include_archived else False, equals={"cluster": cluster, "unit": unit}
    )
    page = list_catalogue(session, Item, filters, paging.decode(cursor), limit)
    names = catalogue.item_names(session, {stored_id(row) for row in page.rows})
    return ItemList(
        items=[present.item(row, names.get(stored_id(row))) for row in page.rows],
        next_cursor=paging.encode(page.next_after),
    )


@router.get("/{item_id}", response_model=ItemPublic, responses=READ_ONE)
def show_item(item_id: str, session: SessionDep, user: Viewer) -> ItemPublic:
    """One catalogue item."""
    row = session.get(Item, object_id(item_id, "item"))
    if row is None:
        raise NotFound("item {id} does not exist", id=item_id)
    return present.item(row, catalogue.item_names(session, {stored_id(row)}).get(stored_id(row)))


@router.patch("/{item_id}", response_model=ItemPublic, responses=WRITE)
def update_item(item_id: str, body: ItemPatch, session: SessionDep, user: Admin) -> ItemPublic:
    """Change any of the item's descriptive fields (the rest stay), journalled; recorded facts never change so."""
    number = object_id(item_id, "item")
    row = session.get(Item, number)
    if row is None:
        raise NotFound("item {id} does not exist", id=item_id)
    changes = body.model_dump(exclude_unset=True)
    if "unit_value" in changes:
        changes["unit_value"] = body.unit_value.to_money() if body.unit_value else None
    return present.item(
        catalogue.update_item(session, number, replace(catalogue.item_input(row), **changes), user),
        catalogue.item_names(session, {number}).get(number),
    )
