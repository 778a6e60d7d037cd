"""Every route has a row in the role matrix, every row holds, and a forged or missing CSRF token changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import make_appeal, make_contribution, make_donor, make_item, make_recipient, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from webkit import Staff, make_user

from tracker.accounts import sign_in
from tracker.accounts.tokens import create_token
from tracker.core import config
from tracker.db.models import Contribution, JournalEvent

ROLES = ("anonymous", "viewer", "clerk", "admin")
SEEN, NO, OK = 303, 403, 200

# (method, path) -> expected status for (anonymous, viewer, clerk, admin). POSTs send an empty form with a
# valid CSRF token, so an allowed role gets past the guards and meets the form's own checks (422 or 409).
MATRIX: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("GET", "/static"): (200, 200, 200, 200),
    ("GET", "/docs-assets"): (200, 200, 200, 200),  # Swagger UI's own files: public code
    ("GET", "/healthz"): (200, 200, 200, 200),
    ("GET", "/"): (SEEN, OK, OK, OK),
    ("GET", "/login"): (OK, SEEN, SEEN, SEEN),
    ("POST", "/login"): (401, 401, 401, 401),
    ("POST", "/logout"): (SEEN, SEEN, SEEN, SEEN),
    ("GET", "/setup"): (409, 409, 409, 409),
    ("POST", "/setup"): (409, 409, 409, 409),
    ("GET", "/contributions/new"): (SEEN, NO, OK, OK),
    ("POST", "/contributions/new"): (SEEN, NO, OK, OK),
    ("GET", "/contributions"): (SEEN, OK, OK, OK),
    ("GET", "/contributions/{contribution_id}"): (SEEN, OK, OK, OK),
    ("POST", "/contributions/{contribution_id}/status"): (SEEN, NO, 422, 422),
    ("POST", "/contributions/{contribution_id}/void"): (SEEN, NO, 422, 422),
    ("POST", "/contributions/{contribution_id}/close"): (SEEN, NO, 422, 422),
    ("GET", "/donors"): (SEEN, OK, OK, OK),
    ("GET", "/donors/new"): (SEEN, NO, OK, OK),
    ("POST", "/donors/new"): (SEEN, NO, 422, 422),
    ("GET", "/donors/lookup"): (SEEN, OK, OK, OK),
    ("GET", "/donors/{object_id}"): (SEEN, OK, OK, OK),
    ("GET", "/donors/{object_id}/edit"): (SEEN, NO, OK, OK),
    ("POST", "/donors/{object_id}/edit"): (SEEN, NO, 422, 422),
    ("POST", "/donors/{object_id}/archive"): (SEEN, NO, NO, SEEN),
    ("GET", "/recipients"): (SEEN, OK, OK, OK),
    ("GET", "/recipients/new"): (SEEN, NO, OK, OK),
    ("POST", "/recipients/new"): (SEEN, NO, 422, 422),
    ("GET", "/recipients/lookup"): (SEEN, OK, OK, OK),
    ("GET", "/recipients/{object_id}"): (SEEN, OK, OK, OK),
    ("GET", "/recipients/{object_id}/edit"): (SEEN, NO, OK, OK),
    ("POST", "/recipients/{object_id}/edit"): (SEEN, NO, 422, 422),
    ("POST", "/recipients/{object_id}/archive"): (SEEN, NO, NO, SEEN),
    ("GET", "/appeals"): (SEEN, OK, OK, OK),
    ("GET", "/appeals/new"): (SEEN, NO, NO, OK),
    ("POST", "/appeals/new"): (SEEN, NO, NO, 422),
    ("GET", "/appeals/{object_id}/edit"): (SEEN, NO, NO, OK),
    ("POST", "/appeals/{object_id}/edit"): (SEEN, NO, NO, 422),
    ("POST", "/appeals/{object_id}/archive"): (SEEN, NO, NO, SEEN),
    ("GET", "/items"): (SEEN, OK, OK, OK),
    ("GET", "/items/new"): (SEEN, NO, NO, OK),
    ("POST", "/items/new"): (SEEN, NO, NO, 422),
    ("GET", "/items/{object_id}/edit"): (SEEN, NO, NO, OK),
    ("POST", "/items/{object_id}/edit"): (SEEN, NO, NO, 422),
    ("POST", "/items/{object_id}/archive"): (SEEN, NO, NO, SEEN),
    ("GET", "/users"): (SEEN, NO, NO, OK),
    ("POST", "/users"): (SEEN, NO, NO, 422),
    ("POST", "/users/{user_id}/role"): (SEEN, NO, NO, 422),
    ("POST", "/users/{user_id}/deactivate"): (SEEN, NO, NO, SEEN),
    ("GET", "/settings"): (SEEN, NO, NO, OK),
    ("POST", "/settings"): (SEEN, NO, NO, SEEN),
    ("GET", "/settings/logo"): (SEEN, 404, 404, 404),
    ("GET", "/journal"): (SEEN, OK, OK, OK),
    ("GET", "/rates"): (SEEN, OK, OK, OK),
    ("POST", "/rates"): (SEEN, NO, NO, 422),
    ("POST", "/rates/import"): (SEEN, NO, NO, 422),
    ("GET", "/imports"): (SEEN, NO, OK, OK),
    ("POST", "/imports"): (SEEN, NO, 422, 422),
    ("GET", "/imports/template"): (SEEN, NO, OK, OK),
    # An upload is its uploader's alone: anyone else (a made-up id here) finds nothing.
    ("GET", "/imports/{job_id}"): (SEEN, 404, 404, 404),
    ("GET", "/imports/{job_id}/status"): (SEEN, 404, 404, 404),
    ("POST", "/imports/{job_id}/commit"): (SEEN, NO, 404, 404),
    # The JSON API: signed in by Bearer token (never by the session cookie), so anonymous is 401, not a redirect;
    # POSTs send an empty JSON object, which an allowed role gets past the guards with, to meet a 422.
    ("GET", "/docs"): (200, 200, 200, 200),  # open while developing; signed-in only in production (test_headers)
    ("GET", "/openapi.json"): (200, 200, 200, 200),
    ("GET", "/api/v1/donors"): (401, OK, OK, OK),
    ("POST", "/api/v1/donors"): (401, NO, 422, 422),
    ("GET", "/api/v1/donors/{donor_id}"): (401, OK, OK, OK),
    ("PATCH", "/api/v1/donors/{donor_id}"): (401, NO, OK, OK),
    ("POST", "/api/v1/donors/{donor_id}/letters"): (401, NO, 201, 201),
    ("GET", "/api/v1/letters/{number}"): (401, 404, 404, 404),
    ("GET", "/api/v1/recipients"): (401, OK, OK, OK),
    ("POST", "/api/v1/recipients"): (401, NO, 422, 422),
    ("GET", "/api/v1/recipients/{recipient_id}"): (401, OK, OK, OK),
    ("PATCH", "/api/v1/recipients/{recipient_id}"): (401, NO, OK, OK),
    ("GET", "/api/v1/appeals"): (401, OK, OK, OK),
    ("POST", "/api/v1/appeals"): (401, NO, NO, 422),
    ("GET", "/api/v1/appeals/{appeal_id}"): (401, OK, OK, OK),
    ("PATCH", "/api/v1/appeals/{appeal_id}"): (401, NO, NO, OK),
    ("GET", "/api/v1/items"): (401, OK, OK, OK),
    ("POST", "/api/v1/items"): (401, NO, NO, 422),
    ("GET", "/api/v1/items/{item_id}"): (401, OK, OK, OK),
    ("PATCH", "/api/v1/items/{item_id}"): (401, NO, NO, OK),
    ("GET", "/api/v1/contributions"): (401, OK, OK, OK),
    ("POST", "/api/v1/contributions"): (401, NO, 422, 422),
    ("GET", "/api/v1/contributions/{contribution_id}"): (401, OK, OK, OK),
    ("POST", "/api/v1/contributions/{contribution_id}/status"): (401, NO, 422, 422),
    ("POST", "/api/v1/contributions/{contribution_id}/void"): (401, NO, 422, 422),
    ("POST", "/api/v1/contributions/{contribution_id}/close"): (401, NO, 422, 422),
    ("POST", "/api/v1/contributions/{contribution_id}/fulfilments"): (401, NO, 422, 422),
    ("GET", "/api/v1/imports/template"): (401, OK, OK, OK),
    ("POST", "/api/v1/imports"): (401, NO, 422, 422),
    ("GET", "/api/v1/rates"): (401, OK, OK, OK),
    ("POST", "/api/v1/rates"): (401, NO, NO, 422),
    ("GET", "/api/v1/reports/donors/{donor_id}"): (401, OK, OK, OK),
    ("GET", "/api/v1/reports/summary"): (401, OK, OK, OK),
    ("GET", "/api/v1/exports/contributions"): (401, OK, OK, OK),
    ("GET", "/api/v1/exports/iati/{appeal_id}"): (401, OK, OK, OK),
    ("GET", "/exports/contributions/{fmt}"): (SEEN, OK, OK, OK),
    ("GET", "/reports/donors/{donor_id}"): (SEEN, OK, OK, OK),
    ("GET", "/reports/summary"): (SEEN, OK, OK, OK),
    ("POST", "/reports/letters"): (SEEN, NO, 422, 422),
    ("GET", "/reports/letters/{number}"): (SEEN, 404, 404, 404),
    ("GET", "/exports/iati/{appeal_id}"): (SEEN, OK, OK, OK),
}


def app_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, read from app.routes (routers included)."""
    from tracker.web.app import create_app

    app = create_app()
    try:
        from fastapi.routing import iter_route_contexts

        routes = list(iter_route_contexts(app.routes))
    except ImportError:  # FastAPI before included-router contexts: app.routes is flat
        routes = list(app.routes)
    found = set()
    for route in routes:
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_every_route_has_a_row_in_the_role_matrix(settings: object) -> None:
    routes = app_routes()
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"routes without a row in MATRIX: {missing}"
    assert not sorted(MATRIX.keys() - routes), "rows for routes that no longer exist"


@pytest.fixture
def world(session: Session, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(sign_in, "MAX_DELAY_SECONDS", 0.0)
    monkeypatch.setenv("TRACKER_IATI_ORG_REF", "XM-TEST-1")  # the IATI export needs it
    config.get_settings.cache_clear()
    donor, recipient = make_donor(session), make_recipient(session)
    contribution = make_contribution(session, money_line("10.00 USD"), donor=donor, recipient=recipient)
    target = make_user(session, "viewer", email="target@example.org")
    ids = {
        "contribution_id": contribution.id,
        "object_id": donor.id,
        "user_id": target.id,
        "donor_id": donor.id,
        "number": "L-2023-000001",
        "recipient_id": recipient.id,
        "job_id": "0" * 32,
    }
    appeal, item = make_appeal(session).id, make_item(session).id
    ids |= {"appeal_id": appeal, "item_id": item}
    return {"ids": ids, "recipient": recipient.id, "appeal": appeal, "item": item}  # type: ignore[dict-item]


def concrete(path: str, world: dict) -> str:  # type: ignore[type-arg]
    ids = dict(world["ids"])
    if path.startswith("/recipients/"):
        ids["object_id"] = world["recipient"]
    elif path.startswith("/appeals/"):
        ids["object_id"] = world["appeal"]
    elif path.startswith("/items/"):
        ids["object_id"] = world["item"]
    ids.update(fmt="csv", appeal_id=world["appeal"])
    if path == "/static":
        return "/static/app.css"
    if path == "/docs-assets":
        return "/docs-assets/swagger-ui.css"
    return path.format(**ids)


@pytest.fixture
def staff_by_role(client: TestClient, session: Session, world: dict) -> Iterator[dict[str, Staff]]:  # type: ignore[type-arg]
    users = {role: make_user(session, role) for role in ROLES[1:]}
    staff = {}
    for role in ROLES:
        one = Staff(TestClient(client.app))
        if role == "anonymous":
            one.refresh_token("/login")
        else:
            assert one.sign_in(users[role]).status_code == 303
            one.bearer = {"Authorization": f"Bearer {create_token(session, users[role].email, 'matrix').secret}"}
        staff[role] = one
    yield staff


@pytest.mark.parametrize("role", ROLES)
def test_the_role_matrix_holds(role: str, staff_by_role: dict[str, Staff], world: dict) -> None:  # type: ignore[type-arg]
    staff = staff_by_role[role]
    wrong = []

    # Archiving, deactivating and signing out change what later rows see, so they go last.
    def last(kv: tuple[tuple[str, str], object]) -> tuple[int, str]:
        path = kv[0][1]
        return (2 if path == "/logout" else 1 if path.endswith(("/archive", "/deactivate")) else 0, path)

    for (method, path), expected in sorted(MATRIX.items(), key=last):
        url = concrete(path, world)
        if path.startswith("/api/"):
            headers = getattr(staff, "bearer", {})
            response = staff.client.request(method, url, headers=headers, json=None if method == "GET" else {})
        else:
            response = staff.get(url) if method == "GET" else staff.post(url, {})
        want = expected[ROLES.index(role)]
        if response.status_code != want:
            wrong.append(f"{method} {path}: {response.status_code}, expected {want}")
        if response.status_code == SEEN and want == SEEN and role == "anonymous":
            assert response.headers["location"].startswith(("/login", "/")), url
    assert not wrong, "\n".join(wrong)


def _counts(session: Session) -> tuple[int, int]:
    journal = session.exec(select(func.count()).select_from(JournalEvent)).one()
    contributions = session.exec(select(func.count()).select_from(Contribution)).one()
    return journal, contributions


@pytest.mark.parametrize("token", ["", "forged-token-0123456789abcdef"])
def test_a_missing_or_forged_csrf_token_changes_nothing(
    token: str, staff_by_role: dict[str, Staff], world: dict, session: Session
) -> None:  # type: ignore[type-arg]
    admin = staff_by_role["admin"]
    before = _counts(session)
    for method, path in sorted(MATRIX):
        if method != "POST" or path.startswith("/api/"):  # the API takes Bearer tokens, never cookies: no CSRF
            continue
        data = {"csrf_token": token, "reason": "typo", "status": "committed", "name": "Changed", "role": "admin"}
        if not token:
            del data["csrf_token"]
        response = admin.client.post(concrete(path, world), data=data, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)
    assert _counts(session) == before
    assert admin.get("/contributions").status_code == 200  # still signed in: the session was not disturbed


def test_a_form_from_another_site_is_refused(staff_by_role: dict[str, Staff], world: dict, session: Session) -> None:  # type: ignore[type-arg]
    clerk = staff_by_role["clerk"]
    before = _counts(session)
    url = concrete("/contributions/{contribution_id}/void", world)
    response = clerk.client.post(
        url, data={"csrf_token": clerk.token, "reason": "typo"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert _counts(session) == before
