"""The import page (clerk, admin): upload a contributions file, watch its preview, commit it, watch the commit.

The upload is checked and imported by background jobs (`tracker.importing.jobs`). The result
page and the progress poll read the job's state file, and the database only to check that the
session is still open (one indexed read, which on SQLite never waits for the import's writes),
so a signed-out or deactivated user's saved cookie opens neither.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from tracker.core.config import get_settings
from tracker.core.errors import TrackerError
from tracker.core.i18n import N_
from tracker.core.i18n import gettext as _
from tracker.importing.files import COLUMNS, template_csv
from tracker.importing.jobs import (
    IMPORTED,
    IMPORTING,
    READY,
    claim_commit,
    import_folder,
    keep_upload,
    load,
    start_commit,
    start_preview,
)
from tracker.web.auth import Clerk, SignInRequired, current_user, page_router
from tracker.web.bodies import BodyTooLarge, read_bounded, replaying
from tracker.web.deps import SessionDep, engine_of
from tracker.web.pagekit import redirect, render

# What each column holds, in the page's language (the file's column names stay as they are).
COLUMN_HELP = {
    "key": N_("your own id for the row; a key already imported is skipped (without it, the row's content is its key)"),
    "date": N_("value date, YYYY-MM-DD (or a date cell in XLSX)"),
    "status": N_("pledged, committed or paid"),
    "donor": N_("the donor's email, or exact name"),
    "donor_kind": N_("when no donor matches, create one of this kind (individual, organisation, ...)"),
    "donor_country": N_("ISO country code of a donor created by the import"),
    "recipient": N_("the recipient's exact name"),
    "recipient_kind": N_("when no recipient matches, create one of this kind (organisation, community, ...)"),
    "appeal": N_("appeal code"),
    "kind": N_("money, goods or service"),
    "amount": N_("money lines: the amount, e.g. 500000.00"),
    "item": N_("goods and service lines: the catalogue item's exact name"),
    "quantity": N_("goods and service lines: how many, in the item's unit"),
    "unit_value": N_("goods and service lines: value of one unit (optional)"),
    "currency": N_("ISO 4217 code of the amount or unit value"),
    "valuation": N_("donor_declared, invoice, market_price, standard_cost or not_valued"),
    "reference": N_("bank or waybill reference"),
    "notes": N_("free text"),
}
FORM_SLACK = 64 * 1024  # the multipart form's own bytes around the file


class TooLarge(TrackerError):
    """The upload is over TRACKER_IMPORT_MAX_MB (HTTP 413)."""

    status_code = 413


class UploadRoute(APIRoute):
    """Refuses a body over the upload limit before the form (and its file) is read into a temporary file."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if request.method == "POST":
                limit = get_settings().import_max_mb * 1024 * 1024 + FORM_SLACK
                length = request.headers.get("content-length")
                if length is not None and (not length.isdecimal() or int(length) > limit):
                    raise _too_large()
                try:
                    body = await read_bounded(request, limit)
                except BodyTooLarge:
                    raise _too_large() from None
                request = replaying(request, body)  # the form is parsed from the replayed body
            return await handler(request)

        return limited


router = page_router()
router.route_class = UploadRoute


def owner_id(request: Request, session: SessionDep) -> int:
    """The signed-in user's id, while their session is open (see the module's docstring). Both routes
    that ask are GETs, whose session reads a snapshot: on SQLite it never queues behind the import."""
    user = current_user(request, session)
    if user is None or user.id is None:
        raise SignInRequired()
    return user.id


Owner = Annotated[int, Depends(owner_id)]


@router.get("/imports", response_class=HTMLResponse, name="imports.new")
def new(request: Request, user: Clerk) -> Response:
    return _form(request, {})


@router.get("/imports/template", name="imports.template")
def template(user: Clerk) -> Response:
    return Response(
        template_csv().encode("utf-8-sig"),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="contributions-template.csv"'},
    )


@router.post("/imports", response_class=HTMLResponse, name="imports.upload")
async def upload(request: Request, session: SessionDep, user: Clerk) -> Response:
    form = await request.form()
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return _form(request, {"file": _("choose a CSV or XLSX file to import")})
    limit = get_settings().import_max_mb
    if file.size is not None and file.size > limit * 1024 * 1024:
        return _form(request, {"file": _("the file is larger than {limit} MiB").format(limit=limit)})
    if not file.size:
        return _form(request, {"file": _("the file is empty")})
    folder = import_folder()
    job = await run_in_threadpool(keep_upload, folder, file.file, file.filename, user, request.state.locale)
    start_preview(engine_of(session), folder, job)
    return redirect(request, "imports.show", job_id=job.id)


@router.get("/imports/{job_id}", response_class=HTMLResponse, name="imports.show")
def show(request: Request, job_id: str, user_id: Owner) -> Response:
    job = load(import_folder(), job_id, user_id)
    context = {
        "job": job,
        "fraction": Decimal(job.percent) / 100 if job.percent is not None else None,
        "can_commit": job.state == READY and bool(job.result and job.result["created"]),
    }
    return render(request, "imports/show.html", context)


@router.get("/imports/{job_id}/status", name="imports.status")
def status(job_id: str, user_id: Owner) -> JSONResponse:
    """The job's progress, for the page's script: rows done and total, percent, and whether it still runs."""
    return JSONResponse(load(import_folder(), job_id, user_id).status(), headers={"Cache-Control": "no-store"})


@router.post("/imports/{job_id}/commit", response_class=HTMLResponse, name="imports.commit")
def commit(request: Request, job_id: str, session: SessionDep, user: Clerk) -> Response:
    folder = import_folder()
    job = load(folder, job_id, user.id)
    if claim_commit(folder, job):
        start_commit(engine_of(session), folder, job)
        return redirect(request, "imports.show", job_id=job.id)
    notice = _("This file is being imported or was imported already; it is imported once.")
    if job.state not in (IMPORTING, IMPORTED):
        notice = _("Only a file whose preview found no problems can be imported.")
    return redirect(request, "imports.show", notice, job_id=job.id)


def _form(request: Request, errors: dict[str, str]) -> Response:
    columns = [(name, needed, _(COLUMN_HELP[name]) if name in COLUMN_HELP else text) for name, needed, text in COLUMNS]
    context = {"columns": columns, "errors": errors, "max_mb": get_settings().import_max_mb}
    return render(request, "imports/new.html", context, status_code=422 if errors else 200)


def _too_large() -> TooLarge:
    return TooLarge("the file is larger than {limit} MiB", limit=get_settings().import_max_mb)
