"""The API's documentation: /openapi.json and Swagger UI at /docs, from the app's own files.

Swagger UI's files come from the `fastapi-offline` package (installed with the app, so the page
works offline and loads nothing from a CDN); the few lines that start it are in
tracker/static/docs.js, so the page lives under the same Content-Security-Policy as every other
page (no inline script). ReDoc is not offered: it styles itself with inline styles, which that
policy (style-src 'self') blocks, and loosening it for one page is not worth a second viewer.
In production both are for signed-in staff only: the schema lists every operation and field,
which is no business of an anonymous visitor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import escape
from starlette.staticfiles import StaticFiles

from tracker.core.config import get_settings
from tracker.core.vocabulary import Role
from tracker.web.auth import require_role
from tracker.web.deps import SessionDep

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"
STAFF_ONLY = require_role(Role.VIEWER)


def signed_in_in_production(request: Request, session: SessionDep) -> None:
    """Anyone may read the docs while developing; in production only a signed-in user."""
    if get_settings().env == "production":
        STAFF_ONLY(request, session)


router = APIRouter(include_in_schema=False, dependencies=[Depends(signed_in_in_production)])


@router.get("/openapi.json", name="docs.openapi")
def openapi(request: Request) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs", name="docs.swagger", response_class=HTMLResponse)
def swagger(request: Request) -> HTMLResponse:
    return HTMLResponse(
        _page(
            request,
            "Swagger UI",
            head=f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">',
            body=f'<div id="swagger-ui" data-openapi="{_openapi_url(request)}"></div>'
            f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>'
            f'<script src="{request.url_for("static", path="docs.js").path}"></script>',
        )
    )


def _openapi_url(request: Request) -> str:
    return str(escape(request.url_for("docs.openapi").path))


def _page(request: Request, what: str, *, head: str, body: str) -> str:
    title = escape(f"{request.app.title} – {what}")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><link rel="icon" href="{ASSETS_URL}/favicon.png">{head}</head>'
        f"<body>{body}</body></html>"
    )


def install(app: FastAPI) -> None:
    """The docs' routes and their files, on an app made with docs_url, redoc_url and openapi_url None."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    app.include_router(router)
