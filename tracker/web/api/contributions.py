"""/api/v1/contributions: record, list with filters, show, move status on (dated), void, close, fulfil a pledge."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from tracker.core.vocabulary import LineKind, Status
from tracker.db.columns import stored_id
from tracker.ledger import service as ledger
from tracker.reporting import lists, promises
from tracker.web.api import paging, present
from tracker.web.api.common import READ, READ_ONE, WRITE, Cursor, Filters, Limit, answered, object_id
from tracker.web.api.deps import Clerk, Idempotent, LimitedRoute, Viewer
from tracker.web.api.errors import fields_as_sent
from tracker.web.api.present_reports import promise_bucket
from tracker.web.api.report_schemas import ContributionShown, StatusMovePublic
from tracker.web.api.schemas import (
    CloseRequest,
    ContributionCreate,
    ContributionList,
    ContributionPublic,
    FulfilmentCreate,
    LineCreate,
    MoneyLineCreate,
    StatusChange,
    VoidRequest,
)
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/contributions", tags=["contributions"], route_class=LimitedRoute)

# The ledger's names for fields the request body names otherwise.
BODY_FIELDS = {"value_date": "date"}
# A fulfilment's pledge is the contribution in its path: the body has no fulfils_id.
FULFILMENT_FIELDS = {**BODY_FIELDS, "fulfils_id": "contribution_id"}


def line_input(line: LineCreate) -> ledger.LineInput:
    if isinstance(line, MoneyLineCreate):
        return ledger.LineInput(LineKind.MONEY, amount=line.amount.to_money())
    return ledger.LineInput(
        line.kind,
        item_id=line.item_id,
        quantity=line.quantity,
        unit_value=line.unit_value.to_money() if line.unit_value else None,
        valuation=line.valuation,
    )


def shown(session: SessionDep, contribution_id: int) -> ContributionShown:
    """One contribution as GET shows it: a promise with its standing, every one with its statuses' days."""
    found = ledger.get_contribution(session, contribution_id)
    public = present.contribution(lists.contribution_with_lines(session, found))
    standing = promises.promise_standing(session, found)
    return ContributionShown(
        **public.model_dump(),  # with `fulfils`, the number of the promise it fulfils
        status_history=[StatusMovePublic(status=m.status, date=m.date) for m in promises.history(session, found)],
        promised=promise_bucket(standing, standing.promised) if standing else None,
        fulfilled=promise_bucket(standing, standing.fulfilled) if standing else None,
        outstanding=promise_bucket(standing, standing.outstanding) if standing else None,
        written_off=promise_bucket(standing, standing.written_off) if standing else None,
    )


@router.post("", status_code=201, response_model=ContributionPublic, responses=WRITE)
def create_contribution(
    body: ContributionCreate, session: SessionDep, user: Clerk, idempotency: Idempotent
) -> Response:
    """Record a contribution with its lines (clerk or admin). Amounts and quantities are decimal strings."""
    data = ledger.ContributionInput(
        donor_id=body.donor_id,
        recipient_id=body.recipient_id,
        appeal_id=body.appeal_id,
        value_date=body.date,
        status=body.status,
        reference=body.reference,
        notes=body.notes,
        fulfils_id=body.fulfils_id,
        due_date=body.due_date,
        lines=[line_input(line) for line in body.lines],
    )
    with fields_as_sent(BODY_FIELDS):
        recorded = ledger.record_contribution(session, data, user)
    # The contribution as recorded, without a promise's standing: the busiest write answers in a few reads.
    return idempotency.answer(201, present.contribution(lists.contribution_with_lines(session, recorded)))


@router.get("", response_model=ContributionList, responses=READ)
def list_contributions(
    session: SessionDep, user: Viewer, filters: Filters, cursor: Cursor = None, limit: Limit = 50
) -> Response:
    """Contributions in the order they were recorded, void ones included unless a status says otherwise."""
    page = lists.list_contributions(session, filters, paging.decode(cursor), limit)
    return answered(
        ContributionList(
            items=[present.contribution(row) for row in page.rows], next_cursor=paging.encode(page.next_after)
        )
    )


@router.get("/{contribution_id}", response_model=ContributionShown, responses=READ_ONE)
def show_contribution(contribution_id: str, session: SessionDep, user: Viewer) -> ContributionShown:
    """One contribution with its lines; a void one says why in `void_reason`; a promise shows what is left."""
    return shown(session, object_id(contribution_id, "contribution"))


@router.post("/{contribution_id}/status", response_model=ContributionShown, responses=WRITE)
def change_contribution_status(
    contribution_id: str, body: StatusChange, session: SessionDep, user: Clerk, idempotency: Idempotent
) -> Response:
    """Move a contribution forward: pledged → committed → paid (clerk or admin), as of `date` (default today)."""
    changed = ledger.advance_status(session, object_id(contribution_id, "contribution"), body.status, user, body.date)
    return idempotency.answer(200, shown(session, stored_id(changed)))


@router.post("/{contribution_id}/close", response_model=ContributionShown, responses=WRITE)
def close_contribution(
    contribution_id: str, body: CloseRequest, session: SessionDep, user: Clerk, idempotency: Idempotent
) -> Response:
    """Close a pledge or commitment (clerk or admin): what is still outstanding is written off, for good."""
    closed = ledger.close_contribution(session, object_id(contribution_id, "contribution"), body.reason, user)
    return idempotency.answer(200, shown(session, stored_id(closed)))


@router.post("/{contribution_id}/void", response_model=ContributionShown, responses=WRITE)
def void_contribution(
    contribution_id: str, body: VoidRequest, session: SessionDep, user: Clerk, idempotency: Idempotent
) -> Response:
    """Void a contribution with a reason (clerk or admin); it stays visible, outside every total."""
    voided = ledger.void_contribution(session, object_id(contribution_id, "contribution"), body.reason, user)
    return idempotency.answer(200, shown(session, stored_id(voided)))


@router.post("/{contribution_id}/fulfilments", status_code=201, response_model=ContributionShown, responses=WRITE)
def fulfil_pledge(
    contribution_id: str, body: FulfilmentCreate, session: SessionDep, user: Clerk, idempotency: Idempotent
) -> Response:
    """Record what arrived against a pledge or commitment: a paid contribution of the same donor that fulfils it."""
    pledge = ledger.get_contribution(session, object_id(contribution_id, "contribution"))
    data = ledger.ContributionInput(
        donor_id=pledge.donor_id,
        recipient_id=body.recipient_id or pledge.recipient_id,
        appeal_id=body.appeal_id,
        value_date=body.date,
        status=Status.PAID,
        reference=body.reference,
        notes=body.notes,
        lines=[line_input(line) for line in body.lines],
    )
    with fields_as_sent(FULFILMENT_FIELDS):
        recorded = ledger.record_fulfilment(session, pledge.id, data, user)  # type: ignore[arg-type]
    return idempotency.answer(201, shown(session, recorded.id))  # type: ignore[arg-type]
