"""Sessions that end: a saved copy of a cookie opens nothing after sign-out, deactivation or a new password,
and a cookie forged with the secret key names no session."""

from __future__ import annotations

import json
from base64 import b64encode

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlmodel import Session, func, select
from webkit import PASSWORD, Staff, make_user

from tracker.accounts.users import change_password, deactivate_user
from tracker.core.config import DEVELOPMENT_SECRET
from tracker.db.models import UserSession
from tracker.web.auth import SESSION_COOKIE


def saved_cookie(staff: Staff) -> str:
    value = staff.client.cookies.get(SESSION_COOKIE)
    assert value
    return value


def replay(staff: Staff, cookie: str, path: str) -> int:
    staff.client.cookies.clear()
    staff.client.cookies.set(SESSION_COOKIE, cookie)
    return staff.get(path).status_code


def test_signing_out_ends_every_copy_of_the_cookie(client: TestClient, session: Session) -> None:
    staff = Staff(client)
    staff.sign_in(make_user(session, "viewer"))
    copy = saved_cookie(staff)
    assert replay(staff, copy, "/journal") == 200  # the copy works while the session is open
    assert staff.post("/logout").status_code == 303
    assert replay(staff, copy, "/") == 303
    assert replay(staff, copy, "/journal") == 303


def test_deactivation_ends_the_imports_pages_too(client: TestClient, session: Session) -> None:
    admin, clerk = make_user(session, "admin"), make_user(session, "clerk")
    staff = Staff(client)
    staff.sign_in(clerk)
    copy = saved_cookie(staff)
    job = "0" * 32  # no such job: a signed-in owner is told 404, anyone else is sent to sign in
    assert staff.get(f"/imports/{job}/status").status_code == 404
    deactivate_user(session, clerk.id, admin)
    assert replay(staff, copy, f"/imports/{job}") == 303
    assert replay(staff, copy, f"/imports/{job}/status") == 303
    assert session.exec(select(func.count()).select_from(UserSession).where(UserSession.user_id == clerk.id)).one() == 0


def test_a_new_password_ends_every_session_of_the_user(client: TestClient, session: Session) -> None:
    viewer = make_user(session, "viewer")
    first, second = Staff(client), Staff(TestClient(client.app))
    first.sign_in(viewer)
    copy = saved_cookie(first)
    second.sign_in(viewer)
    change_password(session, viewer.id, "a brand new passphrase", None)
    assert replay(first, copy, "/") == 303
    assert second.get("/").status_code == 303
    assert second.sign_in(viewer, PASSWORD).status_code == 401
    assert second.sign_in(viewer, "a brand new passphrase").status_code == 303


def forged(data: dict[str, object], secret: str = DEVELOPMENT_SECRET) -> str:
    """A session cookie as Starlette signs it, made by someone who knows the secret key."""
    payload = b64encode(json.dumps(data).encode())
    return TimestampSigner(secret).sign(payload).decode()


def test_a_cookie_forged_with_the_secret_key_makes_nobody_an_admin(client: TestClient, session: Session) -> None:
    admin, viewer = make_user(session, "admin"), make_user(session, "viewer")
    staff = Staff(client)
    staff.sign_in(viewer)
    assert staff.get("/users").status_code == 403
    for data in ({"user_id": admin.id}, {"sid": "guessed", "user_id": admin.id}):
        staff.client.cookies.clear()
        staff.client.cookies.set(SESSION_COOKIE, forged(data))
        assert staff.get("/users").status_code == 303, data  # sent to sign in: no session is named
