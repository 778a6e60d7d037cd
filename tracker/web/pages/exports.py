"""Downloads: the contributions list as CSV, XLSX or HXL with its filters, and an appeal as IATI XML."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import IO

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from tracker.db.models import Appeal
from tracker.ledger.filters import ContributionFilters
from tracker.reporting.exports.contributions import export_contributions, export_filename, export_format
from tracker.reporting.exports.iati import appeal_iati_xml
from tracker.web.auth import Viewer, page_router
from tracker.web.deps import PathId, SessionDep
from tracker.web.pagekit import iso_period

router = page_router()
IN_MEMORY = 8 * 1024 * 1024  # a larger export is spooled to a temporary file, not held in memory
CHUNK = 64 * 1024


@router.get("/exports/contributions/{fmt}", name="exports.contributions")
def contributions(request: Request, fmt: str, session: SessionDep, user: Viewer) -> Response:
    """The filtered contributions, one row per line; `include_void=1` adds void ones, marked."""
    chosen = export_format(fmt)
    filters = ContributionFilters.read(iso_period(request.query_params, request.state.locale), blank_means_all=True)
    include_void = request.query_params.get("include_void") == "1"
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - closed when the body has been sent
    try:
        export_contributions(session, filters, fmt, spool, include_void)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return StreamingResponse(
        _chunks(spool),
        media_type=chosen.media_type,
        headers=_download_headers(export_filename(fmt, date.today())),
    )


@router.get("/exports/iati/{appeal_id}", name="exports.iati")
def iati(appeal_id: PathId, session: SessionDep, user: Viewer) -> Response:
    """The appeal as an IATI 2.03 activity; refused until the organisation's IATI identifier is set."""
    body = appeal_iati_xml(session, appeal_id)
    appeal = session.get(Appeal, appeal_id)
    assert appeal is not None  # appeal_iati_xml refuses an unknown appeal
    return Response(
        body, media_type="application/xml", headers=_download_headers("iati-" + _safe_name(appeal.code) + ".xml")
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()


def _download_headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


def _safe_name(text: str) -> str:
    """A file-name part made of ASCII letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "appeal"
