"""The home page (the dashboard of totals) and the health check."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from sqlmodel import col, func, select

import tracker
from tracker.core.errors import Invalid, NotFound
from tracker.db.models import Appeal, Contribution, Donor, NumberSequence
from tracker.reporting.dashboard import dashboard
from tracker.web.auth import Viewer, page_router
from tracker.web.deps import SessionDep, templates
from tracker.web.pagekit import optional_date

router = page_router()


@router.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok", "version": tracker.__version__})


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, user: Viewer, appeal: str = "") -> HTMLResponse:
    """The dashboard: read from the maintained totals, for all appeals or one (by its code), optionally a period."""
    appeals = list(session.exec(select(Appeal).where(Appeal.archived == False).order_by(Appeal.code)).all())  # noqa: E712
    chosen = next((a for a in appeals if a.code == appeal.strip().upper()), None) if appeal else None
    if appeal and chosen is None:
        raise NotFound("no appeal with code {code}", code=appeal)
    raw = {name: (request.query_params.get(name) or "").strip()[:20] for name in ("from", "to")}
    problems: dict[str, str] = {}
    try:
        language = request.state.locale
        period = (optional_date(raw["from"], "from", language), optional_date(raw["to"], "to", language))
        if period[0] and period[1] and period[1] < period[0]:
            raise Invalid("to", "the period ends before it starts")
    except Invalid as exc:
        problems[exc.field], period = exc.rule, (None, None)
    # Every contribution takes the next number of its year in its own transaction (ledger.next_number and
    # the import alike), and contributions are never deleted: the numbers handed out are the count, read
    # from a few rows instead of an index of the whole ledger. Voided ones (few, and indexed apart) are
    # left out of the count, and the page says how many.
    recorded = session.exec(select(func.coalesce(func.sum(NumberSequence.last), 0))).one()
    voided = session.exec(
        select(func.count()).select_from(Contribution).where(col(Contribution.voided_at).is_not(None))
    ).one()
    counts = {
        "contributions": recorded - voided,
        "voided": voided,
        "donors": session.exec(select(func.count()).select_from(Donor)).one(),
    }
    board = dashboard(session, chosen, period=period)
    context = {"counts": counts, "board": board, "appeals": appeals, "period": raw, "problems": problems}
    return templates.TemplateResponse(request, "home.html", context, status_code=422 if problems else 200)
