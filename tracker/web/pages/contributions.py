"""The contributions list (filters, sort, pages, totals) and one contribution's page with its actions."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from tracker.core.errors import Conflict, Invalid
from tracker.core.i18n import _
from tracker.core.money import CURRENCY_CHOICES, Money, stored_quantity
from tracker.core.vocabulary import term
from tracker.db.columns import STATUSES, stored_id
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Item, Recipient
from tracker.ledger.filters import FILTER_NAMES, ContributionFilters
from tracker.ledger.lookups import active, contribution_history, fulfilments_of, names, users_by_id
from tracker.ledger.queries import SORTS, contribution_totals, find_contributions
from tracker.ledger.service import advance_status, close_contribution, get_contribution, lines_of, void_contribution
from tracker.reporting.journal import tell
from tracker.reporting.promises import next_steps, promise_standing
from tracker.web.auth import Clerk, Viewer, page_router
from tracker.web.deps import PathId, SessionDep
from tracker.web.pagekit import field, iso_period, optional_date, page_number, redirect, render

router = page_router()
LIST_NAMES = (*FILTER_NAMES, "sort")  # what the list's links carry on: its filters and its order


def read_filters(query: QueryParams, locale: str) -> tuple[ContributionFilters | None, dict[str, str]]:
    """The filters from the query string (dates as the page types them), or None and the refusal for its field."""
    try:
        return ContributionFilters.read(iso_period(query, locale), blank_means_all=True), {}
    except Invalid as exc:
        return None, {exc.field: exc.rule}


@router.get("/contributions", response_class=HTMLResponse, name="contributions.list")
def contribution_list(request: Request, session: SessionDep, user: Viewer) -> Response:
    filters, problems = read_filters(request.query_params, request.state.locale)
    sort = request.query_params.get("sort") or "-date"
    if sort.lstrip("-") not in SORTS:
        sort = "-date"
    found = totals = None  # a refused filter lists nothing: everything, shown as if filtered, would pass for it
    if filters is not None:
        found = find_contributions(session, filters, sort, page_number(request.query_params.get("page")))
        totals = contribution_totals(session, filters, found)
    params = {k: v for k, v in request.query_params.items() if k in LIST_NAMES and v}
    return render(
        request,
        "contributions/list.html",
        {
            "found": found,
            "totals": totals,
            "params": params,
            "sort": sort,
            "problems": problems,
            "donors": names(session, Donor, {filters.donor_id} if filters and filters.donor_id else set()),
            "recipients": names(
                session, Recipient, {filters.recipient_id} if filters and filters.recipient_id else set()
            ),
            "appeals": active(session, Appeal),
            "currencies": CURRENCY_CHOICES,
            "statuses": STATUSES,
        },
    )


@router.get("/contributions/{contribution_id}", response_class=HTMLResponse, name="contributions.show")
def show(request: Request, contribution_id: PathId, session: SessionDep, user: Viewer) -> Response:
    contribution = get_contribution(session, contribution_id)
    return _show_page(request, session, contribution, {})


@router.post("/contributions/{contribution_id}/status", name="contributions.status")
async def move_status(request: Request, contribution_id: PathId, session: SessionDep, user: Clerk) -> Response:
    form = await request.form()
    values = {"date": field(form, "date")}
    try:
        with session.begin_nested():
            on = optional_date(values["date"], "date", request.state.locale)
            contribution = advance_status(session, contribution_id, field(form, "status"), user, on)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, contribution_id, exc, values)
    notice = _("{number} is now {status}.").format(
        number=contribution.number, status=term(contribution.status, "status")
    )
    return redirect(request, "contributions.show", notice, contribution_id=contribution_id)


@router.post("/contributions/{contribution_id}/close", name="contributions.close")
async def close(request: Request, contribution_id: int, session: SessionDep, user: Clerk) -> Response:
    form = await request.form()
    values = {"close_reason": field(form, "close_reason")}
    try:
        with session.begin_nested():
            contribution = close_contribution(session, contribution_id, values["close_reason"], user)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, contribution_id, exc, values, {"reason": "close_reason"})
    notice = _("{number} is closed. What was still outstanding is written off.").format(number=contribution.number)
    return redirect(request, "contributions.show", notice, contribution_id=contribution_id)


@router.post("/contributions/{contribution_id}/void", name="contributions.void")
async def void(request: Request, contribution_id: PathId, session: SessionDep, user: Clerk) -> Response:
    form = await request.form()
    values = {"reason": field(form, "reason")}
    try:
        with session.begin_nested():
            contribution = void_contribution(session, contribution_id, values["reason"], user)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, contribution_id, exc, values)
    notice = _("{number} is void. It stays on record, outside every total.").format(number=contribution.number)
    return redirect(request, "contributions.show", notice, contribution_id=contribution_id)


def _refused(
    request: Request,
    session: SessionDep,
    contribution_id: int,
    exc: Invalid | Conflict,
    values: dict[str, str],
    fields: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page again, with the refusal beside its field (a conflict above the actions) and the input kept."""
    contribution = get_contribution(session, contribution_id)
    name = (fields or {}).get(exc.field, exc.field) if isinstance(exc, Invalid) else "actions"
    rule = exc.rule if isinstance(exc, Invalid) else exc.message
    return _show_page(request, session, contribution, {name: rule}, values, status_code=exc.status_code)


def _show_page(
    request: Request,
    session: SessionDep,
    contribution: Contribution,
    errors: dict[str, str],
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lines = lines_of(session, stored_id(contribution))
    history = contribution_history(session, stored_id(contribution))
    fulfilments = fulfilments_of(session, stored_id(contribution))
    user_ids = {event.user_id for event in history} | {contribution.recorded_by_id, contribution.voided_by_id}
    return render(
        request,
        "contributions/show.html",
        {
            "c": contribution,
            "donor": session.get(Donor, contribution.donor_id),
            "recipient": session.get(Recipient, contribution.recipient_id),
            "appeal": session.get(Appeal, contribution.appeal_id) if contribution.appeal_id else None,
            "fulfils": session.get(Contribution, contribution.fulfils_id) if contribution.fulfils_id else None,
            "fulfilments": fulfilments,
            "lines": [_shown_line(line) for line in lines],
            "items": names(session, Item, {line.item_id for line in lines if line.item_id}),
            "history": [(event, _changes(event.before), _changes(event.after)) for event in history],
            "told": tell(session, history),  # the journal table: each event in words, its JSON one click away
            "users": users_by_id(session, user_ids),
            "steps": next_steps(session, contribution),
            "standing": promise_standing(session, contribution),
            "errors": errors,
            "values": values or {},
        },
        status_code=status_code,
    )


def _shown_line(line: ContributionLine) -> dict[str, Any]:
    quantity = stored_quantity(line.quantity_milli) if line.quantity_milli else None
    return {
        "kind": line.kind,
        "item_id": line.item_id,
        "quantity": quantity,
        # A value always has its currency (a check constraint), and a unit value is in the same currency.
        "unit_value": Money.from_minor(line.unit_value_minor, line.currency)
        if line.unit_value_minor and line.currency
        else None,
        "valuation": line.valuation,
        "value": Money.from_minor(line.value_minor, line.currency) if line.value_minor and line.currency else None,
    }


def _changes(text: str | None) -> dict[str, object]:
    """A journal event's before/after, for showing; lines are summarised, not dumped."""
    if not text:
        return {}
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("lines"), list):
        data["lines"] = len(data["lines"])
    return data if isinstance(data, dict) else {"value": data}
