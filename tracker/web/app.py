"""The FastAPI application factory: routes, error pages and the home page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from sqlmodel import Session, func, select

import tracker
from tracker.config import get_settings
from tracker.db import get_engine
from tracker.errors import TrackerError
from tracker.figures import ledger_totals
from tracker.ledger import recent_contributions
from tracker.models import Contribution, Donor, Item
from tracker.web.templating import environment


def get_session() -> Iterator[Session]:
    """One session per request: committed on success, rolled back on any exception."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session)]


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="tracker",
        version=tracker.__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    templates = Jinja2Templates(env=environment())
    app.state.templates = templates

    @app.exception_handler(TrackerError)
    async def _expected_failure(request: Request, exc: TrackerError) -> JSONResponse | HTMLResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
        return templates.TemplateResponse(
            request, "error.html", {"message": exc.message, "status": exc.status_code}, status_code=exc.status_code
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz(session: SessionDep) -> JSONResponse:
        session.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "version": tracker.__version__})

    @app.get("/", response_class=HTMLResponse, name="home", include_in_schema=False)
    def home(request: Request, session: SessionDep) -> HTMLResponse:
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
                "reporting_currency": settings.reporting_currency,
            },
        )

    return app
