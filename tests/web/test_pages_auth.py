"""Signing in and out: the session cookie, throttled failures, deactivation, first-run setup."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from webkit import PASSWORD, Staff, make_user, page

from tracker.accounts import sign_in as signing
from tracker.accounts.setup import new_setup_code
from tracker.accounts.sign_in import LOCK_EMAIL_AFTER, delay_for, sign_in
from tracker.accounts.users import deactivate_user
from tracker.db.models import SignInFailure, User

# Sign-in and its throttle are about passwords: they hash at the production cost.
pytestmark = pytest.mark.real_password_hashing


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing, "MAX_DELAY_SECONDS", 0.0)


def test_signing_in_sets_an_httponly_lax_cookie_and_goes_where_asked(client: TestClient, session: Session) -> None:
    user = make_user(session, "viewer")
    staff = Staff(client)
    staff.refresh_token("/login?next=/journal")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": staff.token, "next": "/journal"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/journal"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("tracker_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_the_cookie_is_secure_when_served_over_https(client: TestClient, session: Session) -> None:
    user = make_user(session, "viewer")
    https = TestClient(client.app, base_url="https://testserver")
    staff = Staff(https)
    response = staff.sign_in(user)
    assert response.status_code == 303
    assert "; secure" in response.headers["set-cookie"].lower()


def test_sign_in_never_sends_you_to_another_site(client: TestClient, session: Session) -> None:
    user = make_user(session, "viewer")
    staff = Staff(client)
    staff.refresh_token()
    for target in ("https://evil.example/", "//evil.example/x"):
        data = {"email": user.email, "password": PASSWORD, "csrf_token": staff.token, "next": target}
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.headers["location"] == "/"
        client.cookies.clear()
        staff.refresh_token()


def test_a_wrong_password_is_refused_with_one_message(client: TestClient, session: Session) -> None:
    user = make_user(session, "viewer")
    response = Staff(client).sign_in(user, password="not the password")
    assert response.status_code == 401
    assert page(response).find(class_="error").get_text() == (
        "The email or the password is wrong, or the account is deactivated."
    )
    assert page(response).find("input", attrs={"name": "email"})["value"] == user.email


def test_repeated_failures_are_slowed_down_then_refused_even_with_the_right_password(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, "viewer")
    staff = Staff(client)
    for _ in range(LOCK_EMAIL_AFTER):
        assert staff.sign_in(user, password="guess " * 3).status_code == 401
    refused = staff.sign_in(user)
    assert refused.status_code == 429
    message = page(refused).find(class_="error").get_text(strip=True)
    assert message == "Too many failed sign-ins. Try again in 15 minutes."
    assert staff.get("/").status_code == 303


def test_the_delay_grows_with_failures_and_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing, "MAX_DELAY_SECONDS", 8.0)
    assert [delay_for(n) for n in range(1, 9)] == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_failures_live_in_the_database_and_a_success_clears_them(session: Session) -> None:
    user = make_user(session, "viewer")
    for _ in range(3):
        assert sign_in(session, user.email, "wrong", "10.0.0.1").user is None
    assert session.exec(select(func.count()).select_from(SignInFailure)).one() == 3
    assert sign_in(session, user.email.upper(), PASSWORD, "10.0.0.1").user == user
    assert session.exec(select(func.count()).select_from(SignInFailure)).one() == 0


def test_one_address_guessing_many_emails_is_locked_out(session: Session) -> None:
    user = make_user(session, "viewer")
    for i in range(signing.LOCK_ADDRESS_AFTER):
        sign_in(session, f"guess{i}@example.org", "wrong", "10.9.9.9")
    assert sign_in(session, user.email, PASSWORD, "10.9.9.9").locked
    assert sign_in(session, user.email, PASSWORD, "10.1.1.1").user == user


def test_a_deactivated_user_is_signed_out_at_once(client: TestClient, session: Session) -> None:
    admin, clerk = make_user(session, "admin"), make_user(session, "clerk")
    staff = Staff(client)
    staff.sign_in(clerk)
    assert staff.get("/contributions").status_code == 200
    deactivate_user(session, clerk.id, admin)
    assert staff.get("/contributions").status_code == 303
    assert staff.sign_in(clerk).status_code == 401


def test_a_role_change_applies_to_the_next_request(client: TestClient, session: Session) -> None:
    from tracker.accounts.users import change_role

    admin, viewer = make_user(session, "admin"), make_user(session, "viewer")
    staff = Staff(client)
    staff.sign_in(viewer)
    assert staff.get("/contributions/new").status_code == 403
    change_role(session, viewer.id, "clerk", admin)
    assert staff.get("/contributions/new").status_code == 200


def test_signing_out_ends_the_session(client: TestClient, session: Session) -> None:
    staff = Staff(client)
    staff.sign_in(make_user(session, "viewer"))
    assert staff.post("/logout").status_code == 303
    assert staff.get("/").status_code == 303


def test_first_run_setup_creates_the_first_admin_and_then_closes(client: TestClient, session: Session) -> None:
    assert session.exec(select(func.count()).select_from(User)).one() == 0
    assert client.get("/login", follow_redirects=False).headers["location"] == "/setup"
    staff = Staff(client)
    staff.refresh_token("/setup")
    code = new_setup_code(session)  # what `tracker serve` prints on a database with no user
    mismatch = {"setup_code": code, "email": "first@example.org", "password": PASSWORD, "password_again": "other"}
    assert staff.post("/setup", mismatch).status_code == 422
    data = {"email": "First@Example.org", "name": "Leyla", "password": PASSWORD, "password_again": PASSWORD}
    for wrong in ("", "ABCDE-FGHJK"):  # whoever reaches /setup first cannot claim it without the code
        refused = page(staff.post("/setup", {**data, "setup_code": wrong}))
        assert refused.find(id="f-setup_code")["aria-invalid"] == "true"
        assert session.exec(select(func.count()).select_from(User)).one() == 0
    response = staff.post("/setup", {**data, "setup_code": code.lower().replace("-", " ")})
    assert response.status_code == 303
    admin = session.exec(select(User)).one()
    assert (admin.email, admin.role, admin.name) == ("first@example.org", "admin", "Leyla")
    assert staff.get("/users").status_code == 200  # signed in as that admin
    staff.refresh_token("/users")  # signing in began a new session, with a new token
    again = staff.post("/setup", {**data, "setup_code": code, "email": "second@example.org"})
    assert again.status_code == 409
    assert session.exec(select(func.count()).select_from(User)).one() == 1


def test_passwords_are_stored_as_argon2id_at_the_recommended_cost(session: Session) -> None:
    user = make_user(session, "clerk", "cost@example.org")
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
