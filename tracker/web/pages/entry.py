"""Recording a contribution, or a fulfilment of a pledge: the page clerks live in."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.core.i18n import _
from tracker.core.i18n import locale as current_locale
from tracker.core.money import COMMON_CURRENCIES, CURRENCIES, OTHER_CURRENCIES, Money
from tracker.core.parsing import parse_id
from tracker.core.vocabulary import RECORDED_STATUSES, LineKind, Status, label
from tracker.db.columns import DONOR_KINDS, RECIPIENT_KINDS, stored_id
from tracker.db.models import Appeal, Contribution, Donor, Item, Recipient, User
from tracker.ledger.lookups import active
from tracker.ledger.service import get_contribution, lines_of, record_contribution, record_fulfilment
from tracker.reporting.templating import number
from tracker.web.auth import Clerk, page_router
from tracker.web.contribution_form import Entry, EntryValues, blank_line, check_entry, create_parties, slot_field
from tracker.web.deps import SessionDep
from tracker.web.pagekit import Errors, render
from tracker.web.submissions import claim, earlier, is_token, new_token, settle

router = page_router()


class _Repeated(Exception):
    """This form was submitted before; its first submission recorded the contribution."""


@router.get("/contributions/new", response_class=HTMLResponse, name="contributions.new")
def new_form(request: Request, session: SessionDep, user: Clerk) -> Response:
    currency = last_currency(request)
    values = EntryValues.blank(date.today(), currency, request.state.locale)
    pledge = None
    fulfils = parse_id(request.query_params.get("fulfils", ""))
    if fulfils is not None:
        pledge = get_contribution(session, fulfils)
        values = _fulfilment_values(session, pledge, currency, request.state.locale)
    recorded_id = parse_id(request.query_params.get("recorded", ""))
    recorded = session.get(Contribution, recorded_id) if recorded_id is not None else None
    return _page(request, session, values, {}, recorded=recorded, pledge=pledge)


@router.post("/contributions/new", response_class=HTMLResponse, name="contributions.create")
async def create(request: Request, session: SessionDep, user: Clerk) -> Response:
    form = await request.form()
    values = EntryValues.read(form)
    action = form.get("action", "")
    pledge = _pledge(session, values)
    if action == "add_line":
        values.lines.append(blank_line(values.lines[-1]["amount.currency"] or last_currency(request)))
        return _page(request, session, values, {}, pledge=pledge)
    if isinstance(action, str) and action.startswith("remove:") and action[7:].isdecimal():
        index = int(action[7:])
        if len(values.lines) > 1 and index < len(values.lines):
            del values.lines[index]
        return _page(request, session, values, {}, pledge=pledge)
    if not is_token(values.header["submission"]):
        values.header["submission"] = new_token()
        return _page(request, session, values, {"form": _("The form had expired. Check it and record again.")})

    items = {stored_id(item): item for item in active(session, Item)}
    entry = check_entry(session, values, current_locale.get(), items)
    if entry.data is None:
        return _page(request, session, values, entry.errors, entry=entry, pledge=pledge, status_code=422)
    try:
        contribution = _record(session, entry, values, user)
    except _Repeated:
        first = earlier(session, values.header["submission"])
        if first is None or first.contribution_id is None:
            return _page(request, session, values, {"form": _("This form is being recorded already.")}, status_code=409)
        recorded = session.get(Contribution, first.contribution_id)
        assert recorded is not None, "the submission names the contribution it recorded"
        notice = _("This form was sent twice; {number} was recorded once, the repeat was ignored.").format(
            number=recorded.number
        )
        return _to_contribution(request, first.contribution_id, notice)
    except Invalid as exc:
        where = slot_field(exc.field, entry.slots)
        # A fulfilment's donor and status come from its pledge and have no field of their own on the page.
        hidden = where == "fulfils_id" or (pledge is not None and where in ("donor", "status"))
        errors = {"form" if hidden else where: exc.rule}
        return _page(request, session, values, errors, entry=entry, pledge=pledge, status_code=422)
    amounts = [line.amount for line in entry.data.lines if line.amount is not None]
    if amounts:
        request.session["last_currency"] = amounts[-1].currency
    target = request.app.url_path_for("contributions.new")
    return RedirectResponse(f"{target}?recorded={contribution.id}", status_code=303)


def _record(session: Session, entry: Entry, values: EntryValues, user: User) -> Contribution:
    """Everything the form writes, in one savepoint: all of it, or (on any error) none of it."""
    with session.begin_nested():
        claimed = claim(session, values.header["submission"], user)
        if claimed is None:
            raise _Repeated()
        data = create_parties(session, entry, user)
        if data.fulfils_id is not None:
            contribution = record_fulfilment(session, data.fulfils_id, data, user)
        else:
            contribution = record_contribution(session, data, user)
        settle(session, claimed, stored_id(contribution))
    return contribution


def last_currency(request: Request) -> str:
    remembered = request.session.get("last_currency")
    return remembered if remembered in CURRENCIES else COMMON_CURRENCIES[0]


def _pledge(session: Session, values: EntryValues) -> Contribution | None:
    text = values.header["fulfils_id"]
    return session.get(Contribution, int(text)) if text.isdecimal() and len(text) < 10 else None


def _fulfilment_values(session: Session, pledge: Contribution, currency: str, locale: str) -> EntryValues:
    """A paid contribution of the pledge's lines, to be filled with what actually arrived."""
    values = EntryValues.blank(date.today(), currency, locale, lines=0)
    recipient = session.get(Recipient, pledge.recipient_id)
    values.header.update(
        fulfils_id=str(pledge.id),
        status=Status.PAID,
        recipient=recipient.name if recipient else "",
        recipient_id=str(pledge.recipient_id),
        appeal_id=str(pledge.appeal_id or ""),
    )
    for line in lines_of(session, stored_id(pledge)):
        slot = blank_line(line.currency or currency, line.kind)
        slot.update(item_id=str(line.item_id or ""), valuation=line.valuation if line.kind == LineKind.GOODS else "")
        values.lines.append(slot)
    if not values.lines:
        values.lines.append(blank_line(currency))
    return values


def _to_contribution(request: Request, contribution_id: int, notice: str) -> Response:
    request.session["notices"] = [*request.session.get("notices", []), notice][-5:]
    return RedirectResponse(
        request.app.url_path_for("contributions.show", contribution_id=str(contribution_id)), status_code=303
    )


def _page(
    request: Request,
    session: Session,
    values: EntryValues,
    errors: Errors,
    entry: Entry | None = None,
    recorded: Contribution | None = None,
    pledge: Contribution | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if not values.header["submission"]:
        values.header["submission"] = new_token()
    items = active(session, Item)
    return render(
        request,
        "contributions/new.html",
        {
            "values": values,
            "errors": errors,
            "recorded": recorded,
            "pledge": pledge,
            "pledge_donor": session.get(Donor, pledge.donor_id) if pledge else None,
            "donor_candidates": entry.donor.candidates if entry else [],
            "recipient_candidates": entry.recipient.candidates if entry else [],
            "appeal_choices": [(appeal.id, f"{appeal.code} · {appeal.name}") for appeal in active(session, Appeal)],
            "items": items,
            "item_defaults": {
                item.id: number(Money.from_minor(item.unit_value_minor, item.unit_value_currency).amount)
                for item in items
                if item.unit_value_minor is not None and item.unit_value_currency
            },
            "common_currencies": COMMON_CURRENCIES,
            "other_currencies": OTHER_CURRENCIES,
            "donor_kinds": DONOR_KINDS,
            "status_choices": [(status, label(status)) for status in RECORDED_STATUSES],
            "recipient_kinds": RECIPIENT_KINDS,
        },
        status_code=status_code,
    )
