"""Who is asking: the signed session cookie, the signed-in user, roles on every page, CSRF on every form.

Every page router is built with `page_router()`, which checks the CSRF token of
every state-changing request before anything else runs, and every page route
names the role it needs with `Viewer`, `Clerk` or `Admin` (or `Anyone` for the
few pages open without sign-in). The role matrix test holds every route to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from tracker.accounts.sessions import SESSION_HOURS, end_session, open_session, session_user
from tracker.accounts.users import has_role
from tracker.core.config import get_settings
from tracker.core.errors import TrackerError
from tracker.core.vocabulary import Role
from tracker.db.models import User
from tracker.web.deps import SessionDep

SESSION_COOKIE = "tracker_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class Forbidden(TrackerError):
    """Signed in, but the role does not allow this (HTTP 403)."""

    status_code = 403


class SignInRequired(Exception):
    """Nobody is signed in: browsers are sent to the sign-in page."""


class SessionCookies:
    """Starlette's signed-cookie sessions (HttpOnly, SameSite=Lax), marked Secure when the request came over HTTPS."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        options: dict[str, Any] = {
            "secret_key": secret_key,
            "session_cookie": SESSION_COOKIE,
            "max_age": SESSION_HOURS * 3600,
        }
        self.plain = SessionMiddleware(app, same_site="lax", https_only=False, **options)
        self.secure = SessionMiddleware(app, same_site="lax", https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await chosen(scope, receive, send)


def install(app: FastAPI) -> None:
    """Sessions and the sign-in redirect, on the app (security headers: tracker.web.headers)."""
    app.add_middleware(SessionCookies, secret_key=get_settings().secret_key)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = request.app.url_path_for("account.login")
        return RedirectResponse(f"{login}?{urlencode({'next': target})}", status_code=303)


# -- the signed-in user -------------------------------------------------------------------------


def current_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in, active user whose session is still open in the database, or None.

    The cookie names a session, never a user: signing out, deactivation and a new password
    delete the session's row, and every copy of the cookie stops working at once."""
    user = session_user(session, request.session.get("sid")) if "sid" in request.session else None
    if user is None and "sid" in request.session:
        request.session.clear()
    if user is not None:
        # Detached with its fields loaded: a failed request rolls its session back (which would
        # expire the user) before the error page, which shows the signed-in navigation, renders.
        session.expunge(user)
    request.state.user = user
    return user


def sign_in_session(request: Request, session: Session, user: User) -> None:
    """A fresh session for the user, kept in the database: nothing from before sign-in carries over
    (no session fixation)."""
    request.session.clear()
    request.session["sid"] = open_session(session, user)
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.session["locale"] = user.locale  # the language middleware runs before any route knows the user


def sign_out_session(request: Request, session: Session) -> None:
    """End this browser's session in the database, so that no saved copy of its cookie signs in again."""
    end_session(session, request.session.get("sid"))
    request.session.clear()


def require_role(role: str | None) -> Callable[[Request, Session], User | None]:
    def dependency(request: Request, session: SessionDep) -> User | None:
        user = current_user(request, session)
        if role is None:
            return user
        if user is None:
            raise SignInRequired()
        if not has_role(user, role):
            raise Forbidden("your role ({role}) may not do this; it needs {needed}", role=user.role, needed=role)
        return user

    dependency.__name__ = f"require_{role or 'anyone'}"
    return dependency


Anyone = Annotated[User | None, Depends(require_role(None))]
Viewer = Annotated[User, Depends(require_role(Role.VIEWER))]
Clerk = Annotated[User, Depends(require_role(Role.CLERK))]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]


# -- CSRF ---------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


async def check_csrf(request: Request) -> None:
    """A state-changing request must carry this session's token and come from this site."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise Forbidden("this form was sent from another site")
    form = await request.form()  # Starlette keeps the parsed form for the route
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        raise Forbidden("the form's security token is missing or out of date; reload the page and try again")


def safe_next(target: object, default: str = "/") -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def page_router() -> APIRouter:
    """A router for HTML pages: out of the API schema, CSRF checked on every state-changing request."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
