"""The FastAPI application factory: routers and the one handler for expected failures."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp

import tracker
from tracker.core.config import get_settings
from tracker.core.errors import Busy, TrackerError
from tracker.db.engine import is_busy
from tracker.web import api, auth, docs, headers, home
from tracker.web.deps import refuse_nul, saved_default_language, templates
from tracker.web.locale import LocaleMiddleware
from tracker.web.pages import account, admin, catalogue, contributions, entry, exports, imports, journal, rates, reports
from tracker.web.static import static_files


class TrackerApp(FastAPI):
    """FastAPI, with tracker.web.headers outside even Starlette's own 500 page."""

    def build_middleware_stack(self) -> ASGIApp:
        return headers.wrap(super().build_middleware_stack())


def create_app() -> FastAPI:
    settings = get_settings()  # a bad setting stops the app here, before it serves anything
    if warning := settings.secret_warning():
        logging.getLogger("tracker").warning(warning)
    app = TrackerApp(
        title="tracker",
        version=tracker.__version__,
        description=api.DESCRIPTION,
        docs_url=None,  # tracker.web.docs serves them, from the app's own files
        redoc_url=None,
        openapi_url=None,
        # NUL characters first, before any of the request reaches the database; then the language's step 5.
        dependencies=[Depends(refuse_nul), Depends(saved_default_language)],
    )

    @app.exception_handler(TrackerError)
    async def expected_failure(request: Request, exc: TrackerError) -> JSONResponse | HTMLResponse:
        if request.url.path.startswith("/api/"):
            return api.errors.expected_failure(exc)
        return templates.TemplateResponse(
            request, "error.html", {"message": exc.message, "status": exc.status_code}, status_code=exc.status_code
        )

    @app.exception_handler(sa.exc.OperationalError)
    async def busy_database(request: Request, exc: sa.exc.OperationalError) -> JSONResponse | HTMLResponse:
        """SQLite's busy lock: the change waited TRACKER_SQLITE_BUSY_SECONDS for another writer; 503, not 500."""
        if not is_busy(exc):
            raise exc
        busy = Busy("the database is busy with another change; nothing was saved, try again in a few seconds")
        answer = await expected_failure(request, busy)
        answer.headers["Retry-After"] = str(busy.retry_after_seconds)
        return answer

    app.add_middleware(LocaleMiddleware)
    auth.install(app)
    app.mount("/static", static_files(), name="static")
    app.include_router(api.router)  # first: FastAPI tries routes in order, and the API is the busiest door
    app.include_router(home.router)
    app.include_router(account.router)
    app.include_router(entry.router)  # before contributions: /contributions/new is not an id
    app.include_router(contributions.router)
    app.include_router(catalogue.router)
    app.include_router(admin.router)
    app.include_router(journal.router)
    app.include_router(rates.router)
    app.include_router(imports.router)
    app.include_router(reports.router)
    api.install(app)
    app.include_router(exports.router)
    docs.install(app)
    return app
