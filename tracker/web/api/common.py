"""Parameters and answers shared by the API's routers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

from tracker.core.errors import NotFound
from tracker.web.api.schemas import ErrorMessage, ValidationProblems
from tracker.web.api.types import PlainDate, parse_id

Cursor = Annotated[
    str | None,
    Query(max_length=100, description="The `next_cursor` of the previous page; leave out for the first page."),
]
Limit = Annotated[int, Query(ge=1, le=200, description="How many to return (1 to 200).")]
Search = Annotated[str | None, Query(max_length=200, description="Part of the name, in any case.")]
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


# The contributions list's filters, shared by the list and its exports.
IdFilter = Annotated[str | None, Query(max_length=20, description="An id, as the API returned it.")]
StatusFilter = Annotated[
    Literal["pledged", "committed", "paid", "void"] | None,
    Query(description="pledged, committed or paid (void ones left out), or void (only void ones)."),
]
KindFilter = Annotated[
    Literal["money", "goods", "service"] | None, Query(description="Has at least one line of this kind.")
]
CurrencyFilter = Annotated[
    str | None, Query(pattern="^[A-Za-z]{3}$", description="Has at least one line valued in this currency.")
]
DateFrom = Annotated[PlainDate | None, Query(alias="from", description="Value date on or after (YYYY-MM-DD).")]
DateTo = Annotated[PlainDate | None, Query(alias="to", description="Value date on or before (YYYY-MM-DD).")]
