"""Bearer tokens: none or bad is 401, a role that may not is 403, deactivation and revocation bite at once."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tracker.accounts.tokens import create_token, list_tokens, revoke_token
from tracker.db.models import ApiToken, JournalEvent, User

Headers = dict[str, dict[str, str]]
DONOR = {"name": "Caspian Energy LLC", "kind": "company"}


def test_no_token_is_401_with_a_bearer_challenge(api: TestClient) -> None:
    for response in (api.get("/api/v1/donors"), api.post("/api/v1/donors", json=DONOR)):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json() == {"detail": "send a token: Authorization: Bearer <token>"}


def test_a_bad_token_is_401(api: TestClient, auth: Headers) -> None:
    for header in ("Bearer trk_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "trk_abc"):
        response = api.get("/api/v1/donors", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_viewer_reads_but_may_not_write(api: TestClient, auth: Headers, session: Session) -> None:
    assert api.get("/api/v1/donors", headers=auth["viewer"]).status_code == 200
    refused = api.post("/api/v1/donors", json=DONOR, headers=auth["viewer"])
    assert refused.status_code == 403
    assert refused.json() == {"detail": "the viewer role may not do this; it needs clerk or above"}
    assert api.get("/api/v1/donors", headers=auth["viewer"]).json()["items"] == []
    assert api.post("/api/v1/donors", json=DONOR, headers=auth["clerk"]).status_code == 201


def test_a_deactivated_users_token_stops_at_once(api: TestClient, auth: Headers, users: dict[str, User]) -> None:
    assert api.get("/api/v1/donors", headers=auth["clerk"]).status_code == 200
    users["clerk"].active = False
    response = api.get("/api/v1/donors", headers=auth["clerk"])
    assert response.status_code == 401
    assert response.json() == {"detail": "the token is not valid: unknown, revoked, or its user is deactivated"}


def test_a_revoked_token_stops_at_once(api: TestClient, session: Session, users: dict[str, User]) -> None:
    made = create_token(session, "clerk@example.org", "warehouse system")
    headers = {"Authorization": f"Bearer {made.secret}"}
    assert api.get("/api/v1/donors", headers=headers).status_code == 200
    revoke_token(session, made.token.id)  # type: ignore[arg-type]
    assert api.get("/api/v1/donors", headers=headers).status_code == 401


def test_a_token_is_stored_only_as_its_hash(session: Session, users: dict[str, User]) -> None:
    made = create_token(session, "Admin@Example.org", "integration")
    assert made.secret.startswith("trk_") and len(made.secret) >= 40
    stored = session.exec(select(ApiToken).where(ApiToken.id == made.token.id)).one()
    assert stored.token_hash == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in repr(stored.model_dump())
    events = session.exec(select(JournalEvent).where(JournalEvent.object_type == "api_token")).all()
    assert [event.action for event in events] == ["api_token.created"]
    assert made.secret not in (events[0].after or "") and stored.token_hash not in (events[0].after or "")
    rows = list_tokens(session, "admin@example.org")
    assert [(row.email, row.token.name) for row in rows] == [("admin@example.org", "integration")]


def test_last_used_is_noted(api: TestClient, session: Session, users: dict[str, User]) -> None:
    made = create_token(session, "viewer@example.org")
    assert made.token.last_used_at is None
    api.get("/api/v1/donors", headers={"Authorization": f"Bearer {made.secret}"})
    session.refresh(made.token)
    assert made.token.last_used_at is not None
