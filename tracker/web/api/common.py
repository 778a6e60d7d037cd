"""Parameters and answers shared by the API's routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, WithJsonSchema

from tracker.core.errors import NotFound
from tracker.core.parsing import parse_id
from tracker.db.columns import LINE_KINDS
from tracker.db.models import User
from tracker.ledger.filters import MAX_TEXT, STATUS_CHOICES, ContributionFilters
from tracker.web.api import paging
from tracker.web.api.deps import current_user
from tracker.web.api.schemas import ErrorMessage, ValidationProblems
from tracker.web.api.types import CURRENCY_SCHEMA, ID_PATTERN, NOT_BLANK_TEXT, STORABLE_TEXT


def answered(body: BaseModel, status_code: int = 200) -> Response:
    """A built answer as JSON, serialised once. Returned as a model, FastAPI would validate it against the
    route's response model again and serialise it, in two more worker-thread hops."""
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json")


Cursor = Annotated[
    str | None,
    Query(
        max_length=100,
        description="The `next_cursor` of the previous page; leave out for the first page.",
        json_schema_extra={"pattern": paging.CURSOR_PATTERN},  # the server's own check stays paging.decode
    ),
]
Limit = Annotated[int, Query(ge=1, le=200, description="How many to return (1 to 200).")]
Search = Annotated[
    str | None,
    Query(max_length=200, description="Part of the name, in any case.", json_schema_extra={"pattern": STORABLE_TEXT}),
]
IncludeArchived = Annotated[bool, Query(description="Also list archived ones.")]


def _error(description: str, model: type[Any] = ErrorMessage) -> dict[str, Any]:
    return {"model": model, "description": description}


UNAUTHORIZED = _error("No token, or a token that is unknown, revoked, or whose user is deactivated.")
FORBIDDEN = _error("The token's role may not do this.")
NOT_FOUND = _error("No such object.")
CONFLICT = _error("The request contradicts the ledger, or reuses an Idempotency-Key for another request.")
TOO_LARGE = _error("The body is over the size limit.")
INVALID = _error("Bad input: each problem names its field.", ValidationProblems)

# FastAPI's `responses=` takes status codes as int or str ("4XX", "default").
Responses = dict[int | str, dict[str, Any]]

READ: Responses = {401: UNAUTHORIZED, 403: FORBIDDEN, 422: INVALID}
READ_ONE: Responses = {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 422: INVALID}
WRITE: Responses = {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT, 413: TOO_LARGE, 422: INVALID}


def object_id(value: str, what: str) -> int:
    """The integer behind an id in a path; anything that cannot be one of ours is simply not found."""
    number = parse_id(value)
    if number is None:
        raise NotFound("{what} {id} does not exist", what=what, id=value[:40])
    return number


# The contributions list's filters, shared by the list and its export. Each is taken as text and read by
# ContributionFilters.read, as the pages and the CLI read them: one rule and one message per field. The
# schemas document what is accepted; validating them here would answer the same mistake in other words.
IdFilter = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
    Query(description="An id, as the API returned it."),
]
StatusFilter = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "enum": list(STATUS_CHOICES)}),
    Query(description="pledged, committed or paid (void ones left out), or void (only void ones)."),
]
KindFilter = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "enum": list(LINE_KINDS)}),
    Query(description="Has at least one line of this kind."),
]
CurrencyFilter = Annotated[
    str | None,
    WithJsonSchema(CURRENCY_SCHEMA),
    Query(description="Has at least one line valued in this currency."),
]
DATE_SCHEMA = WithJsonSchema({"type": "string", "format": "date", "examples": ["2023-02-10"]})
DateFrom = Annotated[str | None, DATE_SCHEMA, Query(alias="from", description="Value date on or after (YYYY-MM-DD).")]
DateTo = Annotated[str | None, DATE_SCHEMA, Query(alias="to", description="Value date on or before (YYYY-MM-DD).")]
TextFilter = Annotated[
    str | None,
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": NOT_BLANK_TEXT}
    ),  # blank: refused
    Query(description="Part of the number, reference, notes, or the donor's or recipient's name, in any case."),
]


async def contribution_filters(
    user: Annotated[User, Depends(current_user)],  # the token is checked first: 401 before 422
    donor_id: IdFilter = None,
    recipient_id: IdFilter = None,
    appeal_id: IdFilter = None,
    status: StatusFilter = None,
    kind: KindFilter = None,
    currency: CurrencyFilter = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    q: TextFilter = None,
) -> ContributionFilters:
    """The filters of a contributions list or export, read as every door reads them (async: no thread hop)."""
    given = {"donor_id": donor_id, "recipient_id": recipient_id, "appeal_id": appeal_id, "status": status}
    given |= {"kind": kind, "currency": currency, "from": date_from, "to": date_to, "q": q}
    return ContributionFilters.read(given)


Filters = Annotated[ContributionFilters, Depends(contribution_filters)]
