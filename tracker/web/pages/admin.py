"""Admin pages: users (create, change role, deactivate) and the organisation's settings."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tracker.accounts.users import change_role, create_user, deactivate_user, list_users
from tracker.core.errors import Invalid
from tracker.core.fields import IATI_ORGANISATION_TYPES
from tracker.core.i18n import _
from tracker.core.money import CURRENCY_CHOICES
from tracker.core.vocabulary import Role, term
from tracker.db.columns import LOCALES, ROLES
from tracker.settings.current import effective_settings, stored
from tracker.settings.service import SettingsInput, set_logo, update_settings
from tracker.web.auth import Admin, Viewer, page_router
from tracker.web.deps import PathId, SessionDep
from tracker.web.pagekit import field, redirect, render

router = page_router()
SETTINGS_FIELDS = (
    "organisation_name",
    "organisation_address",
    "reporting_currency",
    "default_locale",
    "rate_window_days",
    "iati_org_ref",
    "iati_org_type",
)


def _users_page(request: Request, session: SessionDep, values: dict[str, str], errors: dict[str, str]) -> Response:
    context = {"users": list_users(session), "values": values, "errors": errors, "roles": ROLES, "locales": LOCALES}
    return render(request, "admin/users.html", context, status_code=422 if errors else 200)


@router.get("/users", response_class=HTMLResponse, name="users.list")
def users(request: Request, session: SessionDep, user: Admin) -> Response:
    return _users_page(request, session, {"role": Role.CLERK, "locale": "en"}, {})


@router.post("/users", response_class=HTMLResponse, name="users.create")
async def create(request: Request, session: SessionDep, user: Admin) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in ("email", "name", "role", "locale")}
    password = form.get("password")
    try:
        with session.begin_nested():
            made = create_user(
                session,
                email=values["email"],
                role=values["role"],
                password=password if isinstance(password, str) else "",
                name=values["name"],
                locale=values["locale"] or "en",
                actor=user,
            )
    except Invalid as exc:
        return _users_page(request, session, values, {exc.field: exc.rule})
    return redirect(
        request,
        "users.list",
        _("{email} can now sign in as {role}.").format(email=made.email, role=term(made.role, "role")),
    )


@router.post("/users/{user_id}/role", name="users.role")
async def role(request: Request, user_id: PathId, session: SessionDep, user: Admin) -> Response:
    changed = change_role(session, user_id, field(await request.form(), "role"), user)
    return redirect(
        request, "users.list", _("{email} is now {role}.").format(email=changed.email, role=term(changed.role, "role"))
    )


@router.post("/users/{user_id}/deactivate", name="users.deactivate")
def deactivate(request: Request, user_id: PathId, session: SessionDep, user: Admin) -> Response:
    gone = deactivate_user(session, user_id, user)
    return redirect(
        request, "users.list", _("{email} is deactivated; their sessions have ended.").format(email=gone.email)
    )


def _settings_page(request: Request, session: SessionDep, values: dict[str, str], errors: dict[str, str]) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "effective": effective_settings(session),
        "currencies": CURRENCY_CHOICES,
        "locales": LOCALES,
        "iati_types": IATI_ORGANISATION_TYPES,
    }
    return render(request, "admin/settings.html", context, status_code=422 if errors else 200)


@router.get("/settings", response_class=HTMLResponse, name="settings.edit")
def settings(request: Request, session: SessionDep, user: Admin) -> Response:
    row = stored(session)
    values = {name: "" if getattr(row, name) is None else str(getattr(row, name)) for name in SETTINGS_FIELDS}
    return _settings_page(request, session, values, {})


@router.post("/settings", response_class=HTMLResponse, name="settings.update")
async def save_settings(request: Request, session: SessionDep, user: Admin) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in SETTINGS_FIELDS}
    logo = form.get("logo")
    try:
        with session.begin_nested():
            update_settings(session, SettingsInput(**values), user)
            if form.get("remove_logo") == "1":
                set_logo(session, None, user)
            elif logo is not None and not isinstance(logo, str) and logo.filename:
                set_logo(session, await logo.read(), user)
    except Invalid as exc:
        return _settings_page(request, session, values, {exc.field: exc.rule})
    return redirect(request, "settings.edit", _("The settings were saved."))


@router.get("/settings/logo", name="settings.logo")
def logo(session: SessionDep, user: Viewer) -> Response:
    row = stored(session)
    if row.logo is None:
        return Response(status_code=404)
    return Response(row.logo, media_type=row.logo_type, headers={"Cache-Control": "private, max-age=300"})
