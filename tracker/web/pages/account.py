"""Signing in and out, and the first-run setup page that creates the first admin."""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker.accounts.sign_in import sign_in
from tracker.accounts.users import create_first_admin, has_users
from tracker.core.errors import Conflict, Invalid
from tracker.core.i18n import _
from tracker.web.auth import Anyone, page_router, safe_next, sign_in_session, sign_out_session
from tracker.web.deps import SessionDep
from tracker.web.pagekit import error_of, field, redirect, render

router = page_router()


@router.get("/login", response_class=HTMLResponse, name="account.login")
def login_form(request: Request, session: SessionDep, user: Anyone) -> Response:
    if not has_users(session):
        return RedirectResponse(request.app.url_path_for("account.setup"), status_code=303)
    if user is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return render(request, "account/login.html", {"email": "", "next": safe_next(request.query_params.get("next"))})


@router.post("/login", response_class=HTMLResponse, name="account.login_submit")
async def login_submit(request: Request, session: SessionDep, user: Anyone) -> Response:
    form = await request.form()
    email, password, target = field(form, "email"), form.get("password"), safe_next(field(form, "next"))
    address = request.client.host if request.client else "unknown"
    result = await run_in_threadpool(sign_in, session, email, password if isinstance(password, str) else "", address)
    if result.user is not None:
        sign_in_session(request, session, result.user)
        return RedirectResponse(target, status_code=303)
    await run_in_threadpool(session.commit)  # the failure counts for attempts in parallel before the answer waits
    if result.delay_seconds:
        # The failure is committed first: on SQLite an open write transaction holds the database's one
        # write lock, and every other writer (sign-ins, API writes) would wait out this sleep with it.
        await run_in_threadpool(session.commit)
        await asyncio.sleep(result.delay_seconds)  # the attempt is already recorded; hold the answer
    if result.locked:
        message = _("Too many failed sign-ins. Try again in {minutes} minutes.").format(minutes=result.locked_minutes)
        status = 429
    else:
        message = _("The email or the password is wrong, or the account is deactivated.")
        status = 401
    return render(
        request, "account/login.html", {"email": email, "next": target, "message": message}, status_code=status
    )


@router.post("/logout", name="account.logout")
def logout(request: Request, session: SessionDep, user: Anyone) -> Response:
    sign_out_session(request, session)
    return RedirectResponse(request.app.url_path_for("account.login"), status_code=303)


@router.get("/setup", response_class=HTMLResponse, name="account.setup")
def setup_form(request: Request, session: SessionDep, user: Anyone) -> Response:
    if has_users(session):
        raise Conflict("setup is finished: a user exists already; sign in instead")
    return render(request, "account/setup.html", {"values": {}, "errors": {}})


@router.post("/setup", response_class=HTMLResponse, name="account.setup_submit")
async def setup_submit(request: Request, session: SessionDep, user: Anyone) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in ("setup_code", "email", "name")}
    password, repeated = form.get("password"), form.get("password_again")
    errors = {}
    if password != repeated:
        errors["password_again"] = _("the two passwords differ")
    else:
        try:
            admin = await run_in_threadpool(
                create_first_admin,
                session,
                setup_code=values["setup_code"],
                email=values["email"],
                password=password if isinstance(password, str) else "",
                name=values["name"],
            )
        except Invalid as exc:
            errors = error_of(exc)
        else:
            sign_in_session(request, session, admin)
            return redirect(request, "home", _("Welcome. You are the first admin; add your colleagues under Users."))
    return render(request, "account/setup.html", {"values": values, "errors": errors}, status_code=422)
