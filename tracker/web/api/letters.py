"""/api/v1 letters: write a donor's acknowledgement letter, and download any letter as it was issued."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from tracker.core.errors import NotFound
from tracker.db.columns import Locale
from tracker.db.models import Acknowledgement, Donor
from tracker.reporting.reports.formats import MEDIA_TYPES, letter_file
from tracker.reporting.reports.letter import create_letter, find_letter, letter_data
from tracker.reporting.reports.letter_prints import standing
from tracker.reporting.reports.render import saved_heading
from tracker.web.api import present
from tracker.web.api.common import READ_ONE, WRITE, object_id
from tracker.web.api.deps import Clerk, Idempotent, LimitedRoute, Viewer
from tracker.web.api.schemas import Strict
from tracker.web.api.types import PlainDate
from tracker.web.deps import SessionDep

router = APIRouter(tags=["letters"], route_class=LimitedRoute)


class LetterCreate(Strict):
    """A new letter for the donor's contributions of a period (value dates, both ends included)."""

    date_from: PlainDate | None = Field(default=None, alias="from")
    date_to: PlainDate | None = Field(default=None, alias="to")
    lang: Locale | None = None  # default: the donor's own language, then the organisation's
    show_values: bool = False  # show estimated values of goods and services, marked as estimates
    replaces: str | None = Field(default=None, max_length=20)  # the number of a letter this one cancels

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"from": "2023-02-01", "to": "2023-02-28"}]}
    )


class LetterPublic(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)  # also through Idempotency.answer's model_dump_json

    number: str
    digest: str  # SHA-256 of what the letter printed, frozen at issue
    donor_id: str
    date_from: date | None = Field(serialization_alias="from")
    date_to: date | None = Field(serialization_alias="to")
    lang: str
    show_values: bool
    created_at: datetime
    replaces: str | None
    replaced_by: str | None  # the letter that cancels this one
    affected: bool  # a contribution it counted has been voided since


def _public(session: SessionDep, letter: Acknowledgement) -> LetterPublic:
    found = standing(session, letter)
    return LetterPublic(
        number=letter.number,
        digest=letter.digest,
        donor_id=str(letter.donor_id),
        date_from=letter.date_from,
        date_to=letter.date_to,
        lang=letter.language,
        show_values=letter.show_values,
        created_at=present.utc(letter.created_at) or letter.created_at,
        replaces=found.replaces,
        replaced_by=found.replaced_by,
        affected=found.affected,
    )


@router.post("/donors/{donor_id}/letters", status_code=201, response_model=LetterPublic, responses=WRITE)
def write_letter(
    donor_id: str, body: LetterCreate, session: SessionDep, user: Clerk, idempotency: Idempotent
) -> Response:
    """Number and issue a thank-you letter; 422 (`period`) when the period has nothing to thank for."""
    donor = session.get(Donor, object_id(donor_id, "donor"))
    if donor is None:
        raise NotFound("donor {id} does not exist", id=donor_id)
    heading = saved_heading(session)
    letter = create_letter(
        session,
        donor,
        body.date_from,
        body.date_to,
        body.lang,
        body.show_values,
        user,
        heading=(heading.name, heading.address),
        replaces=find_letter(session, body.replaces) if body.replaces else None,
    )
    return idempotency.answer(201, _public(session, letter))


@router.get(
    "/letters/{number}",
    response_class=Response,
    responses=READ_ONE | {200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "The letter."}},
)
def download_letter(
    number: str,
    session: SessionDep,
    user: Viewer,
    fmt: Annotated[Literal["html", "pdf"], Query(alias="format", description="html or pdf.")] = "pdf",
) -> Response:
    """The letter as issued, reprinted and marked COPY: the same bytes every time, whatever changed since."""
    letter = find_letter(session, number[:40])
    body = letter_file(letter_data(session, letter), fmt, saved_heading(session), copy=True)
    headers = {"Content-Disposition": f'attachment; filename="{letter.number}.{fmt}"'}
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
