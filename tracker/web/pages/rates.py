"""The exchange-rates page: rates in force (and their earlier versions), hand entry and file import by an admin."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tracker.core.errors import Invalid
from tracker.core.i18n import gettext as _
from tracker.core.money import CURRENCY_CHOICES
from tracker.core.parsing import parse_date
from tracker.rates.publications import MAX_FILE_BYTES
from tracker.rates.reads import list_rates
from tracker.rates.service import SOURCE_MANUAL, import_rates, record_rate
from tracker.settings.current import effective_settings
from tracker.web.auth import Admin, Viewer, page_router
from tracker.web.deps import SessionDep
from tracker.web.pagekit import field, optional_date, redirect, render

router = page_router()
PAGE = 200
FILTERS = ("currency", "from", "to", "all")
ENTRY = ("date", "currency", "rate", "source")


def _page(request: Request, session: SessionDep, entry: dict[str, str], errors: dict[str, str]) -> Response:
    raw = {name: (request.query_params.get(name) or "").strip()[:20] for name in FILTERS}
    reporting = effective_settings(session).reporting_currency
    problems: dict[str, str] = {}
    try:
        rates = list_rates(
            session,
            currency=raw["currency"] or None,
            quote_currency=reporting,
            date_from=optional_date(raw["from"], "from", request.state.locale),
            date_to=optional_date(raw["to"], "to", request.state.locale),
            all_versions=raw["all"] == "1",
            limit=PAGE,
        )
    except Invalid as exc:
        problems[exc.field] = exc.rule
        rates = []
    context = {
        "rates": rates,
        "reporting": reporting,
        "params": {k: v for k, v in raw.items() if v},
        "problems": problems,
        "entry": entry,
        "errors": errors,
        "currencies": [code for code in CURRENCY_CHOICES if code != reporting],
        "limit": PAGE,
    }
    return render(request, "admin/rates.html", context, status_code=422 if errors else 200)


@router.get("/rates", response_class=HTMLResponse, name="rates.list")
def rates(request: Request, session: SessionDep, user: Viewer) -> Response:
    return _page(request, session, {"date": date.today().isoformat(), "source": SOURCE_MANUAL}, {})


@router.post("/rates", response_class=HTMLResponse, name="rates.record")
async def record(request: Request, session: SessionDep, user: Admin) -> Response:
    form = await request.form()
    entry = {name: field(form, name) for name in ENTRY}
    reporting = effective_settings(session).reporting_currency
    try:
        with session.begin_nested():
            day = parse_date(entry["date"], request.state.locale, "date")
            row = record_rate(
                session, day, entry["currency"], entry["rate"], entry["source"] or SOURCE_MANUAL, reporting, user
            )
    except Invalid as exc:
        return _page(request, session, entry, {exc.field: exc.rule})
    notice = _("{currency} on {date}: {rate} {reporting} is in force.").format(
        currency=row.currency, date=row.rate_date.isoformat(), rate=row.rate, reporting=reporting
    )
    return redirect(request, "rates.list", notice)


@router.post("/rates/import", response_class=HTMLResponse, name="rates.import")
async def import_file(request: Request, session: SessionDep, user: Admin) -> Response:
    form = await request.form()
    upload = form.get("file")
    source = field(form, "source") or None
    skip_unknown = field(form, "skip_unknown") == "1"
    entry = {"date": date.today().isoformat(), "source": SOURCE_MANUAL, "skip_unknown": "1" if skip_unknown else ""}
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _page(request, session, entry, {"file": _("choose a rates file to import")})
    try:
        data = await upload.read(MAX_FILE_BYTES + 1)  # a larger file is refused by its size, unread
        with session.begin_nested():
            reporting = effective_settings(session).reporting_currency
            result = import_rates(session, data, source, reporting, user, skip_unknown=skip_unknown)
    except Invalid as exc:
        return _page(request, session, entry, {"file": exc.message})
    notice = _("{file}: {added} rates added, {unchanged} already in force, {skipped} skipped.").format(
        file=upload.filename, added=result.added, unchanged=result.unchanged, skipped=result.skipped
    )
    return redirect(request, "rates.list", notice)
