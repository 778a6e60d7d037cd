"""The home page and the health check."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from sqlmodel import func, select

import tracker
from tracker.app_settings import effective_settings
from tracker.figures import ledger_totals
from tracker.ledger import recent_contributions
from tracker.models import Contribution, Donor, Item
from tracker.web.auth import Viewer, page_router
from tracker.web.deps import SessionDep, templates

router = page_router()


@router.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok", "version": tracker.__version__})


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, user: Viewer) -> HTMLResponse:
    counts = {
        "contributions": session.exec(select(func.count()).select_from(Contribution)).one(),
        "donors": session.exec(select(func.count()).select_from(Donor)).one(),
    }
    items = {item.id: item for item in session.exec(select(Item)).all()}
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "counts": counts,
            "totals": ledger_totals(session),
            "items": items,
            "recent": recent_contributions(session),
            "reporting_currency": effective_settings(session).reporting_currency,
        },
    )
