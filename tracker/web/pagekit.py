"""What every page shares: rendering with the signed-in user, one-time notices, reading form fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import pass_context
from starlette.datastructures import FormData

from tracker.accounts.users import has_role
from tracker.core.errors import Invalid
from tracker.core.i18n import locale
from tracker.core.parsing import date_example, date_pattern, parse_date, parse_id
from tracker.db.models import User
from tracker.web.auth import csrf_input
from tracker.web.deps import templates

Errors = dict[str, str]


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)


def redirect(request: Request, route: str, notice: str | None = None, **params: Any) -> RedirectResponse:
    """POST, then redirect, then GET: a reload never repeats the change."""
    if notice:
        notices = request.session.get("notices", [])
        request.session["notices"] = [*notices, notice][-5:]
    return RedirectResponse(str(request.app.url_path_for(route, **params)), status_code=303)


def user_of(request: Request) -> User | None:
    return getattr(request.state, "user", None)


@pass_context
def _csrf_input(context: Any) -> Any:
    return csrf_input(context["request"])


@pass_context
def _signed_in(context: Any) -> User | None:
    return user_of(context["request"])


@pass_context
def _may(context: Any, role: str) -> bool:
    return has_role(user_of(context["request"]), role)


@pass_context
def _notices(context: Any) -> list[str]:
    """Notices left by the previous request (a redirect), shown once."""
    request = context["request"]
    if "notices" not in request.session:
        return []
    return list(request.session.pop("notices") or [])


@pass_context
def _section(context: Any) -> str:
    """The first part of the path, which the navigation marks as where you are."""
    return context["request"].url.path.strip("/").split("/", 1)[0]


def date_time(value: datetime | None) -> str:
    """A moment in the request's locale, in UTC (the journal's clock), to the minute."""
    if value is None:
        return ""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return format_datetime(value, format="short", tzinfo=UTC, locale=locale.get()) + " UTC"


def _date_pattern() -> str:
    """The page's typed date pattern, shown in its date fields: en `mm/dd/yyyy`, az `dd.mm.yyyy`."""
    return date_pattern(locale.get())


def _date_example() -> str:
    """The page's typed date, as an example: en `12/31/2025`, az `31.12.2025`."""
    return date_example(locale.get())


templates.env.filters.setdefault("datetime", date_time)
templates.env.globals.update(csrf_input=_csrf_input, signed_in=_signed_in, may=_may, notices=_notices, section=_section)
templates.env.globals.update(date_pattern=_date_pattern, date_example=_date_example)


# -- reading forms ----------------------------------------------------------------------------


def field(form: FormData, name: str) -> str:
    """A text field as typed (stripped); missing or a file upload reads as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional_id(form: FormData | dict[str, str], name: str) -> int | None:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    found = parse_id(text)
    if found is None:
        raise Invalid(name, "{value} is not an id", value=text[:40])
    return found


def optional_date(text: str, name: str, locale: str) -> date | None:
    """A date typed in a page's date field, read in the page's locale (`parse_date`: ISO too), or None if blank."""
    return parse_date(text, locale, name) if text and text.strip() else None


def iso_period(params: Mapping[str, str], locale: str) -> dict[str, str]:
    """Query parameters with `from` and `to` typed in the page's locale rewritten as ISO, for the filters' reader."""
    given = dict(params)
    for name in ("from", "to"):
        if day := optional_date(given.get(name) or "", name, locale):
            given[name] = day.isoformat()
    return given


def error_of(exc: Invalid) -> Errors:
    return {exc.field: exc.rule}


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdecimal() and len(value) < 7 else 1
