"""The FastAPI application factory: routers and the one handler for expected failures."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp

import tracker
from tracker.core.config import get_settings
from tracker.core.errors import TrackerError
from tracker.web import api, auth, docs, headers, home
from tracker.web.deps import saved_default_language, templates
from tracker.web.locale import LocaleMiddleware
from tracker.web.pages import account, admin, catalogue, contributions, entry, exports, imports, journal, rates, reports
from tracker.web.static import static_files


class TrackerApp(FastAPI):
    """FastAPI, with tracker.web.headers outside even Starlette's own 500 page."""

    def build_middleware_stack(self) -> ASGIApp:
        return headers.wrap(super().build_middleware_stack())


def create_app() -> FastAPI:
    get_settings()  # a bad setting stops the app here, before it serves anything
    app = TrackerApp(
        title="tracker",
        version=tracker.__version__,
        description=api.DESCRIPTION,
        docs_url=None,  # tracker.web.docs serves them, from the app's own files
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(saved_default_language)],  # the language's step 5: tracker.web.locale
    )

    @app.exception_handler(TrackerError)
    async def expected_failure(request: Request, exc: TrackerError) -> JSONResponse | HTMLResponse:
        if request.url.path.startswith("/api/"):
            return api.errors.expected_failure(exc)
        return templates.TemplateResponse(
            request, "error.html", {"message": exc.message, "status": exc.status_code}, status_code=exc.status_code
        )

    app.add_middleware(LocaleMiddleware)
    auth.install(app)
    app.mount("/static", static_files(), name="static")
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
    app.include_router(api.router)
    api.install(app)
    app.include_router(exports.router)
    docs.install(app)
    return app
