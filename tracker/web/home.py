"""The home page (the dashboard of totals) and the health check."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from sqlmodel import func, select

import tracker
from tracker.dashboard import dashboard
from tracker.errors import NotFound
from tracker.models import Appeal, Contribution, Donor
from tracker.web.auth import Viewer, page_router
from tracker.web.deps import SessionDep, templates

router = page_router()


@router.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok", "version": tracker.__version__})


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, user: Viewer, appeal: str = "") -> HTMLResponse:
    """The dashboard: read from the maintained totals, for all appeals or one (by its code)."""
    appeals = list(session.exec(select(Appeal).where(Appeal.archived == False).order_by(Appeal.code)).all())  # noqa: E712
    chosen = next((a for a in appeals if a.code == appeal.strip().upper()), None) if appeal else None
    if appeal and chosen is None:
        raise NotFound("no appeal with code {code}", code=appeal)
    counts = {
        "contributions": session.exec(select(func.count()).select_from(Contribution)).one(),
        "donors": session.exec(select(func.count()).select_from(Donor)).one(),
    }
    return templates.TemplateResponse(
        request, "home.html", {"counts": counts, "board": dashboard(session, chosen), "appeals": appeals}
    )
