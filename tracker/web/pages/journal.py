"""The journal page: every change told in words, who made it and when, filterable and a page at a time."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tracker.accounts.users import list_users
from tracker.core.errors import Invalid
from tracker.core.fields import optional_text
from tracker.ledger.lookups import Found, JournalFilters, journal_actions
from tracker.reporting.journal import (
    PER_PAGE,
    JournalPage,
    action_choices,
    for_number,
    known_object_types,
    read_journal,
)
from tracker.web.auth import Viewer, page_router
from tracker.web.deps import SessionDep
from tracker.web.pagekit import optional_date, optional_id, page_number, render

router = page_router()
FILTERS = ("number", "object_type", "object_id", "user_id", "action", "from", "to")


@router.get("/journal", response_class=HTMLResponse, name="journal.list")
def journal(request: Request, session: SessionDep, user: Viewer) -> Response:
    raw = {name: (request.query_params.get(name) or "").strip()[:100] for name in FILTERS}
    problems: dict[str, str] = {}
    page = page_number(request.query_params.get("page"))
    try:
        filters = JournalFilters(
            user_id=optional_id(raw, "user_id"),
            action=optional_text(raw["action"], "action", 40),
            date_from=optional_date(raw["from"], "from", request.state.locale),
            date_to=optional_date(raw["to"], "to", request.state.locale),
            object_type=optional_text(raw["object_type"], "object_type", 40),
            object_id=optional_text(raw["object_id"], "object_id", 40),
        )
        number = optional_text(raw["number"], "number", 40)
        if number:
            filters = for_number(session, filters, number)
        shown = read_journal(session, filters, page)
    except Invalid as exc:
        problems[exc.field] = exc.rule
        # A filter that names nothing shows nothing: the whole journal would pass for that contribution's.
        shown = JournalPage(Found([], 0, 1, PER_PAGE), [])
    return render(
        request,
        "admin/journal.html",
        {
            "found": shown.found,
            "entries": shown.entries,
            "all_users": list_users(session),
            "actions": action_choices(journal_actions(session)),
            "object_types": known_object_types(),
            "params": {k: v for k, v in raw.items() if v},
            "problems": problems,
        },
    )
