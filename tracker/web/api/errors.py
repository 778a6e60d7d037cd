"""One error shape for the API: `{"detail": [{"field", "message"}]}` for bad input, `{"detail": "..."}` else."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from tracker.core.errors import Invalid, TrackerError
from tracker.core.i18n import gettext
from tracker.core.vocabulary import LineKind, codes
from tracker.importing.report import ImportRefused

API_PREFIX = "/api/"

# The union tags of a contribution line appear in pydantic's error locations; a client never wrote them.
LINE_TAGS = frozenset(codes(LineKind))
# Locations FastAPI gives that are not fields of the body.
SOURCES = frozenset({"body", "query", "path", "header", "cookie"})


def clean(text: str) -> str:
    """Text that can always be encoded: a lone surrogate echoed back from the input becomes '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def problems_response(problems: Sequence[tuple[str, str]], status_code: int = 422) -> JSONResponse:
    detail = [{"field": clean(field), "message": clean(message)} for field, message in problems]
    return JSONResponse({"detail": detail}, status_code=status_code)


def message_response(message: str, status_code: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": clean(message)}, status_code=status_code, headers=headers)


def expected_failure(exc: TrackerError) -> JSONResponse:
    """A service's Invalid, NotFound or Conflict, in the API's shape."""
    if isinstance(exc, Invalid):
        return problems_response([(exc.field, exc.rule)])
    if isinstance(exc, ImportRefused):
        report = exc.report
        problems = [(f"rows[{p.row}]" + (f".{p.column}" if p.column else ""), p.message) for p in report.problems]
        if report.problem_count > len(report.problems):
            problems.append(
                (
                    "rows",
                    gettext("{count} more problems not listed").format(
                        count=report.problem_count - len(report.problems)
                    ),
                )
            )
        return problems_response(problems)
    return message_response(exc.message, exc.status_code)


@contextmanager
def fields_as_sent(names: Mapping[str, str]) -> Iterator[None]:
    """A service's `Invalid` under the name the request gave the field (the ledger's `value_date` is `date`)."""
    try:
        yield
    except Invalid as exc:
        if exc.field not in names:
            raise
        raise Invalid(names[exc.field], exc.template, **exc.params) from None


def field_path(location: Sequence[Any]) -> str:
    """("body", "lines", 0, "money", "amount", "amount") → "lines[0].amount.amount"."""
    parts: list[str] = []
    previous: Any = None
    for position, part in enumerate(location):
        if position == 0 and part in SOURCES and len(location) > 1:
            previous = part
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part in LINE_TAGS and isinstance(previous, int):
            pass
        else:
            parts.append(("." if parts else "") + str(part))
        previous = part
    return "".join(parts) or "body"


def describe(error: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error as (field, message), with plainer words for the common cases."""
    field = field_path(error.get("loc", ()))
    kind = error.get("type", "")
    if kind == "missing":
        return field, gettext("is required")
    if kind == "extra_forbidden":
        return field, gettext("is not a field of this request")
    if kind == "json_invalid":
        return "body", gettext("is not valid JSON")
    if kind == "model_attributes_type" or (kind == "dict_type" and field == "body"):
        return field, gettext("must be a JSON object")
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return f"{field}.kind", gettext("must be one of money, goods, service")
    return field, str(error.get("msg", kind))


async def validation_failure(request: Request, exc: RequestValidationError) -> Response:
    """Pydantic's errors, for the API in the same shape as a service's `Invalid`; pages keep FastAPI's,
    but a page path whose id cannot be a record's (past the database's integer range) is not found."""
    if not request.url.path.startswith(API_PREFIX):
        if exc.errors() and all(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
            return await http_exception_handler(request, HTTPException(404))
        return await request_validation_exception_handler(request, exc)
    return problems_response([describe(error) for error in exc.errors()])


def methods_of(app: FastAPI, path: str) -> list[str]:
    """The methods the API documents for a path, read from its own OpenAPI description."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


async def http_failure(request: Request, exc: HTTPException) -> Response:
    """Routing's own refusals; a 405 lists every method of the path in `Allow`, not only the first route's."""
    if exc.status_code == 400 and request.url.path.startswith(API_PREFIX):
        # FastAPI's answer to a body it cannot decode (not UTF-8, nested too deep): bad input, named like any other.
        return problems_response([("body", gettext("is not valid JSON"))])
    if exc.status_code == 405 and request.url.path.startswith(API_PREFIX):
        allowed = methods_of(request.app, request.url.path)
        return message_response(str(exc.detail), 405, {"Allow": ", ".join(allowed)})
    return await http_exception_handler(request, exc)


def install(app: FastAPI) -> None:
    """Register the API's handlers for malformed requests and routing refusals."""
    # Starlette types a handler as taking any Exception, so one for a subclass needs the ignores.
    app.add_exception_handler(RequestValidationError, validation_failure)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_failure)  # type: ignore[arg-type]
