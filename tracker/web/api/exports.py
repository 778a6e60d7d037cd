"""/api/v1/exports: the contributions as CSV, XLSX or HXL with the list's filters, and an appeal as IATI XML."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tracker.db.models import Appeal
from tracker.reporting.exports.contributions import FORMATS, contributions_file, export_filename, export_format
from tracker.reporting.exports.iati import appeal_iati_xml
from tracker.web.api.common import (
    READ,
    READ_ONE,
    Filters,
    Responses,
    object_id,
)
from tracker.web.api.deps import LimitedRoute, Viewer
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/exports", tags=["exports"], route_class=LimitedRoute)


def _documented(errors: Responses, media_types: set[str], description: str) -> dict[int | str, Any]:
    """A file answer's OpenAPI: the file's media types for 200, JSON for the refusals."""
    answers: dict[int | str, Any] = {
        status: {
            "description": answer["description"],
            "content": {"application/json": {"schema": answer["model"].model_json_schema()}},
        }
        for status, answer in errors.items()
    }
    answers[200] = {
        "description": description,
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in sorted(media_types)},
    }
    return answers


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@router.get(
    "/contributions",
    response_class=Response,
    responses=_documented(
        READ, {kind.media_type.split(";")[0] for kind in FORMATS.values()}, "The file, one row per line."
    ),
)
def export_contributions_file(
    session: SessionDep,
    user: Viewer,
    filters: Filters,
    fmt: Annotated[
        Literal["csv", "xlsx", "hxl"], Query(alias="format", description="csv, xlsx, or hxl (CSV with HXL tags).")
    ] = "csv",
    include_void: Annotated[bool, Query(description="Also export void contributions, marked with the reason.")] = False,
) -> Response:
    """The filtered contributions, one row per line (void ones left out unless asked for)."""
    body = contributions_file(session, filters, fmt, include_void)
    return Response(
        body, media_type=export_format(fmt).media_type, headers=_attachment(export_filename(fmt, date.today()))
    )


@router.get(
    "/iati/{appeal_id}",
    response_class=Response,
    responses=_documented(READ_ONE, {"application/xml"}, "The appeal as an IATI 2.03 activity."),
)
def export_appeal_iati(appeal_id: str, session: SessionDep, user: Viewer) -> Response:
    """The appeal as an IATI 2.03 activity (its contributions as transactions); needs the IATI identifier."""
    number = object_id(appeal_id, "appeal")
    body = appeal_iati_xml(session, number)
    appeal = session.get(Appeal, number)
    assert appeal is not None  # appeal_iati_xml refuses an unknown appeal
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", appeal.code).strip("._") or "appeal"
    return Response(body, media_type="application/xml", headers=_attachment("iati-" + name + ".xml"))
