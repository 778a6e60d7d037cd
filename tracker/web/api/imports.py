"""/api/v1/imports: contributions from a CSV or XLSX file sent as the request body; a dry run previews."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from tracker.db.columns import LOCALES
from tracker.importing.files import template_csv
from tracker.importing.service import import_contributions
from tracker.web.api.common import READ, WRITE, Responses
from tracker.web.api.deps import Clerk, Idempotent, LimitedRoute, Viewer
from tracker.web.deps import SessionDep

CSV_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
)


class ImportRoute(LimitedRoute):
    """Files are bigger than JSON bodies: 100,000 rows of CSV are about 10 MB."""

    max_body = 32 * 1024 * 1024


router = APIRouter(prefix="/imports", tags=["imports"], route_class=ImportRoute)


class ImportResult(BaseModel):
    """What the import did (201) or would do (200, dry run)."""

    import_id: str
    dry_run: bool
    rows: int
    created: int
    skipped: int
    donors_created: list[str]
    recipients_created: list[str]


class CsvResponse(Response):
    media_type = "text/csv"


async def file_body(request: Request) -> bytes:
    return await request.body()


FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file itself: CSV (UTF-8, with or without BOM, comma or semicolon) or XLSX. "
        "The columns are those of GET /api/v1/imports/template; a bad row is answered 422 with "
        "`rows[N].column` fields, N being the row number a spreadsheet shows (the header is row 1).",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in CSV_TYPES},
    }
}


@router.post("", status_code=201, response_model=ImportResult, responses=WRITE, openapi_extra=FILE_BODY)
def import_file(
    session: SessionDep,
    user: Clerk,
    idempotency: Idempotent,
    body: Annotated[bytes, Depends(file_body)],
    dry_run: Annotated[
        bool, Query(description="Check every row and say what would be created; write nothing.")
    ] = False,
    locale: Annotated[
        Literal[LOCALES],  # type: ignore[valid-type]
        Query(
            description="How amounts, quantities and unit values written as text are read, as the entry form "
            "reads them in this language: `1,500` is 1500 in en and ambiguous in az and tr, where `1.500` is "
            "1500. An amount that reads two ways is a row error. XLSX number cells are read exactly."
        ),
    ] = "en",
) -> Response:
    """Import contributions (clerk, admin): every row is checked; a file with any bad row imports nothing."""
    report = import_contributions(
        session, io.BytesIO(body), user, dry_run=dry_run, locale=locale
    )  # a dry run writes nothing
    result = ImportResult(
        import_id=report.import_id,
        dry_run=dry_run,
        rows=report.rows,
        created=report.created,
        skipped=report.skipped,
        donors_created=report.donors_created,
        recipients_created=report.recipients_created,
    )
    return idempotency.answer(200 if dry_run else 201, result)


JSON_ERRORS: Responses = {
    status: {
        "description": answer["description"],
        "content": {"application/json": {"schema": answer["model"].model_json_schema()}},
    }
    for status, answer in READ.items()
}


@router.get(
    "/template",
    response_class=CsvResponse,
    responses={
        **JSON_ERRORS,
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The template."},
    },
)
def import_template(user: Viewer) -> CsvResponse:
    """A CSV template with every column and two example rows."""
    return CsvResponse(
        template_csv().encode("utf-8-sig"),
        headers={"Content-Disposition": 'attachment; filename="contributions-template.csv"'},
    )
