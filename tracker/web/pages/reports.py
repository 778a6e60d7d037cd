"""Report pages: a donor's statement, the summary, acknowledgement letters; as pages or as files."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from tracker.catalogue.service import find_appeal
from tracker.core.errors import Invalid, NotFound
from tracker.core.i18n import supported
from tracker.core.parsing import parse_id
from tracker.db.models import Donor
from tracker.reporting.reports.donor import donor_statement
from tracker.reporting.reports.formats import MEDIA_TYPES, check_format, donor_file, letter_file, summary_file
from tracker.reporting.reports.letter import create_letter, find_letter, letter_data
from tracker.reporting.reports.render import donor_html, letter_html, saved_heading, summary_html
from tracker.reporting.reports.summary_totals import summary_report
from tracker.reporting.reports.translated import statement_in, summary_in
from tracker.settings.current import effective_settings
from tracker.web.auth import Clerk, Viewer, page_router
from tracker.web.deps import PathId, SessionDep
from tracker.web.pagekit import field, optional_date, page_number

router = page_router()
PERIOD = ("from", "to")


def _period(request: Request) -> tuple[date | None, date | None]:
    raw = {name: (request.query_params.get(name) or "").strip()[:20] for name in PERIOD}
    language = request.state.locale
    return optional_date(raw["from"], "from", language), optional_date(raw["to"], "to", language)


def _language(request: Request, fallback: str | None) -> str:
    """The report's own language: ?report_lang=, else the fallback (the donor's), else the page's."""
    asked = request.query_params.get("report_lang")
    if asked and supported(asked) is None:
        raise Invalid("report_lang", "must be one of en, az, tr, ru, got {value!r}", value=asked)
    return supported(asked) or supported(fallback) or request.state.locale


def _downloads(request: Request, route: str, formats: tuple[str, ...], **params: object) -> dict[str, str]:
    query = {k: v for k, v in request.query_params.items() if k != "format"}
    links = {}
    for fmt in formats:
        url = request.url_for(route, **params).include_query_params(**query, format=fmt)
        links[fmt] = str(url)
    return links


def _file(content: bytes, fmt: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(content, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/reports/donors/{donor_id}", response_class=HTMLResponse, name="reports.donor")
def donor_report(request: Request, donor_id: PathId, session: SessionDep, user: Viewer) -> Response:
    donor = session.get(Donor, donor_id)
    if donor is None:
        raise NotFound("no donor with id or name {ref!r}", ref=str(donor_id))
    fmt = check_format(request.query_params.get("format") or "html")
    date_from, date_to = _period(request)
    settings = effective_settings(session)
    currency = (request.query_params.get("currency") or "").strip() or None
    page = page_number(request.query_params.get("page")) if fmt == "html" else None  # files list every entry
    statement = donor_statement(
        session, donor, date_from, date_to, currency, settings.reporting_currency, settings.rate_window_days, page
    )
    lang = _language(request, donor.locale)
    statement = statement_in(session, statement, lang)
    if fmt != "html":
        return _file(donor_file(statement, fmt, lang, saved_heading(session)), fmt, f"statement-{donor.id}")
    links = _downloads(request, "reports.donor", ("pdf", "csv", "xlsx"), donor_id=donor_id)
    paging = {
        rel: str(request.url.include_query_params(page=number))
        for rel, number in (("prev", statement.page - 1), ("next", statement.page + 1))
        if 1 <= number <= statement.pages
    }
    return HTMLResponse(donor_html(statement, lang, saved_heading(session), links, paging=paging))


@router.get("/reports/summary", response_class=HTMLResponse, name="reports.summary")
def summary(request: Request, session: SessionDep, user: Viewer) -> Response:
    fmt = check_format(request.query_params.get("format") or "html")
    date_from, date_to = _period(request)
    code = (request.query_params.get("appeal") or "").strip()
    appeal = find_appeal(session, code) if code else None
    top = request.query_params.get("top") or "10"
    if not (top.isdecimal() and 1 <= int(top) <= 100):
        raise Invalid("top", "a whole number from 1 to 100, got {value!r}", value=top)
    settings = effective_settings(session)
    report = summary_report(
        session,
        date_from,
        date_to,
        appeal,
        (request.query_params.get("currency") or "").strip() or None,
        settings.reporting_currency,
        settings.rate_window_days,
        top=int(top),
    )
    lang = _language(request, None)
    report = summary_in(session, report, lang)
    if fmt != "html":
        return _file(summary_file(report, fmt, lang, saved_heading(session)), fmt, "summary")
    links = _downloads(request, "reports.summary", ("pdf", "csv", "xlsx"))
    return HTMLResponse(summary_html(report, lang, saved_heading(session), links))


@router.post("/reports/letters", name="reports.letter_new")
async def new_letter(request: Request, session: SessionDep, user: Clerk) -> Response:
    form = await request.form()
    donor_id = field(form, "donor_id")
    number = parse_id(donor_id)
    donor = session.get(Donor, number) if number is not None else None
    if donor is None:
        raise Invalid("donor_id", "no donor with id or name {ref!r}", ref=donor_id)
    replaces = field(form, "replaces")
    letter = create_letter(
        session,
        donor,
        optional_date(field(form, "from"), "from", request.state.locale),
        optional_date(field(form, "to"), "to", request.state.locale),
        field(form, "language") or None,
        show_values=field(form, "show_values") == "1",
        user=user,
        heading=_issued_heading(session),
        replaces=find_letter(session, replaces) if replaces else None,
    )
    return RedirectResponse(str(request.url_for("reports.letter", number=letter.number)), status_code=303)


@router.get("/reports/letters/{number}", response_class=HTMLResponse, name="reports.letter")
def letter(request: Request, number: str, session: SessionDep, user: Viewer) -> Response:
    fmt = check_format(request.query_params.get("format") or "html", ("html", "pdf"))
    data = letter_data(session, find_letter(session, number))
    # Every showing after issue is a reprint: marked COPY, the same bytes each time.
    if fmt != "html":
        return _file(letter_file(data, fmt, saved_heading(session), copy=True), fmt, number)
    links = _downloads(request, "reports.letter", ("pdf",), number=number)
    return HTMLResponse(letter_html(data, saved_heading(session), links, copy=True))


def _issued_heading(session: Session) -> tuple[str, str]:
    """The organisation's name and address a new letter is issued under: what the settings page saved."""
    heading = saved_heading(session)
    return heading.name, heading.address
