"""Catalogue pages for donors, recipients, appeals and items: list, search, create, correct, archive."""

# No `from __future__ import annotations` here: the routes are made in a loop, and FastAPI must see
# each route's role dependency (a local Annotated alias) when the route is declared.

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tracker.catalogue.service import archive
from tracker.core.errors import Invalid, NotFound
from tracker.core.i18n import _
from tracker.core.i18n import locale as current_locale
from tracker.core.vocabulary import BUCKETS, Role
from tracker.db.models import User
from tracker.ledger.figures import Scope
from tracker.ledger.filters import ContributionFilters
from tracker.ledger.lookups import match_parties, search_catalogue
from tracker.ledger.queries import find_contributions
from tracker.reporting.promises import party_totals
from tracker.reporting.reports.letter_prints import donor_letters
from tracker.web.auth import page_router, require_role
from tracker.web.catalogue_specs import SPECS, EntitySpec
from tracker.web.deps import PathId, SessionDep
from tracker.web.pagekit import field, page_number, redirect, render

router = page_router()


def _form_values(spec: EntitySpec, form: Any) -> dict[str, str]:
    values = {}
    for item in spec.fields:
        values[item.name] = field(form, item.name)
        if item.kind == "amount":
            values[f"{item.name}_currency"] = field(form, f"{item.name}_currency")
    return values


def _get(session: SessionDep, spec: EntitySpec, object_id: int) -> Any:
    row = session.get(spec.model, object_id)
    if row is None:
        raise NotFound("{catalogue}: nothing has the id {id}", catalogue=spec.title(), id=object_id)
    return row


def _form_page(
    request: Request, spec: EntitySpec, values: dict[str, str], errors: dict[str, str], row: Any = None
) -> Response:
    return render(
        request,
        "catalogue/form.html",
        {"spec": spec, "values": values, "errors": errors, "row": row},
        status_code=422 if errors else 200,
    )


def add_routes(spec: EntitySpec) -> None:
    """The pages of one catalogue; route names are "<key>.list", "<key>.new", and so on."""
    key = spec.key
    viewer = Annotated[User, Depends(require_role(Role.VIEWER))]
    editor = Annotated[User, Depends(require_role(spec.edit_role))]
    admin = Annotated[User, Depends(require_role(Role.ADMIN))]

    @router.get(f"/{key}", response_class=HTMLResponse, name=f"{key}.list")
    def listing(request: Request, session: SessionDep, user: viewer) -> Response:
        text = (request.query_params.get("q") or "")[:200]
        archived = request.query_params.get("archived") == "1"
        found = search_catalogue(session, spec.model, text, archived, page_number(request.query_params.get("page")))
        params = {k: v for k, v in (("q", text), ("archived", "1" if archived else "")) if v}
        context = {"spec": spec, "found": found, "q": text, "archived": archived, "params": params}
        return render(request, "catalogue/list.html", context)

    @router.get(f"/{key}/new", response_class=HTMLResponse, name=f"{key}.new")
    def new(request: Request, user: editor) -> Response:
        return _form_page(request, spec, dict(spec.defaults), {})

    @router.post(f"/{key}/new", response_class=HTMLResponse, name=f"{key}.create")
    async def create(request: Request, session: SessionDep, user: editor) -> Response:
        values = _form_values(spec, await request.form())
        try:
            with session.begin_nested():
                row = spec.create(session, spec.to_input(values, current_locale.get()), user)
        except Invalid as exc:
            return _form_page(request, spec, values, {spec.form_field(exc.field): exc.rule})
        notice = _("{name} was added.").format(name=getattr(row, "name", ""))
        if spec.has_page:
            return redirect(request, f"{key}.show", notice, object_id=str(row.id))
        return redirect(request, f"{key}.list", notice)

    if spec.has_page:

        @router.get(f"/{key}/lookup", name=f"{key}.lookup")
        def lookup(request: Request, session: SessionDep, user: viewer) -> JSONResponse:
            """Names for the typeahead of the contribution form (progressive enhancement only)."""
            found = match_parties(session, spec.model, (request.query_params.get("q") or "")[:200])
            return JSONResponse(
                [
                    {"id": row.id, "name": row.name, "detail": " · ".join(filter(None, (row.kind, row.country)))}
                    for row in found
                ]
            )

        @router.get(f"/{key}/{{object_id}}", response_class=HTMLResponse, name=f"{key}.show")
        def show(request: Request, object_id: PathId, session: SessionDep, user: viewer) -> Response:
            row = _get(session, spec, object_id)
            filters = (
                ContributionFilters(donor_id=object_id)
                if key == "donors"
                else ContributionFilters(recipient_id=object_id)
            )
            scope = Scope(donor_id=object_id) if key == "donors" else Scope(recipient_id=object_id)
            found = find_contributions(session, filters, "-date", page_number(request.query_params.get("page")))
            context = {
                "spec": spec,
                "row": row,
                "found": found,
                "totals": party_totals(session, scope),  # promises for what is left, not gross
                "filter_key": "donor_id" if key == "donors" else "recipient_id",
                "statuses": BUCKETS,
                "letters": donor_letters(session, object_id) if key == "donors" else [],
            }
            return render(request, "catalogue/party.html", context)

    @router.get(f"/{key}/{{object_id}}/edit", response_class=HTMLResponse, name=f"{key}.edit")
    def edit(request: Request, object_id: PathId, session: SessionDep, user: editor) -> Response:
        row = _get(session, spec, object_id)
        return _form_page(request, spec, spec.form_values(session, row), {}, row)

    @router.post(f"/{key}/{{object_id}}/edit", response_class=HTMLResponse, name=f"{key}.update")
    async def update(request: Request, object_id: PathId, session: SessionDep, user: editor) -> Response:
        row = _get(session, spec, object_id)
        values = _form_values(spec, await request.form())
        try:
            with session.begin_nested():
                spec.update(session, object_id, spec.to_input(values, current_locale.get()), user)
        except Invalid as exc:
            session.refresh(row)
            return _form_page(request, spec, values, {spec.form_field(exc.field): exc.rule}, row)
        notice = _("The changes were saved.")
        if spec.has_page:
            return redirect(request, f"{key}.show", notice, object_id=str(object_id))
        return redirect(request, f"{key}.list", notice)

    @router.post(f"/{key}/{{object_id}}/archive", name=f"{key}.archive")
    def archive_row(request: Request, object_id: PathId, session: SessionDep, user: admin) -> Response:
        row = archive(session, spec.model, object_id, user)
        notice = _("{name} was archived: it stays in history, but is no longer offered in forms.").format(
            name=getattr(row, "name", "")
        )
        return redirect(request, f"{key}.list", notice)


for _spec in SPECS:
    add_routes(_spec)
