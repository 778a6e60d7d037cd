"""The journal page: every change, who made it and when, filterable by user, action and date."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tracker.accounts.users import list_users
from tracker.core.errors import Invalid
from tracker.ledger.lookups import JournalFilters, journal_actions, journal_events, users_by_id
from tracker.web.auth import Viewer, page_router
from tracker.web.deps import SessionDep
from tracker.web.pagekit import optional_date, optional_id, page_number, render

router = page_router()
FILTERS = ("user_id", "action", "from", "to")


@router.get("/journal", response_class=HTMLResponse, name="journal.list")
def journal(request: Request, session: SessionDep, user: Viewer) -> Response:
    raw = {name: (request.query_params.get(name) or "").strip()[:100] for name in FILTERS}
    problems: dict[str, str] = {}
    try:
        filters = JournalFilters(
            user_id=optional_id(raw, "user_id"),
            action=raw["action"] or None,
            date_from=optional_date(raw["from"], "from"),
            date_to=optional_date(raw["to"], "to"),
        )
    except Invalid as exc:
        problems[exc.field] = exc.rule
        filters = JournalFilters()
    found = journal_events(session, filters, page_number(request.query_params.get("page")))
    shown = [(event, _pretty(event.before), _pretty(event.after)) for event in found.rows]
    return render(
        request,
        "admin/journal.html",
        {
            "found": found,
            "events": shown,
            "people": users_by_id(session, {event.user_id for event in found.rows}),
            "all_users": list_users(session),
            "actions": journal_actions(session),
            "params": {k: v for k, v in raw.items() if v},
            "problems": problems,
        },
    )


def _pretty(text: str | None) -> list[tuple[str, str]]:
    """A journal value as key/value pairs; nested values stay compact JSON."""
    if not text:
        return []
    data = json.loads(text)
    if not isinstance(data, dict):
        return [("", json.dumps(data, ensure_ascii=False))]
    return [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) for k, v in sorted(data.items())]
