"""Idempotency-Key: a retry replays the first answer and creates nothing; another body under the key is 409."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tracker.accounts.tokens import create_token
from tracker.db.models import Donor, IdempotencyKey, User

Headers = dict[str, dict[str, str]]
DONOR = {"name": "Deutsche Nothilfe e.V.", "kind": "organisation", "country": "DE"}


def count_donors(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Donor)).one()


def test_a_retry_replays_the_first_answer_and_creates_nothing(api: TestClient, auth: Headers, session: Session) -> None:
    headers = {**auth["clerk"], "Idempotency-Key": "7f0c1a52-donor"}
    first = api.post("/api/v1/donors", json=DONOR, headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    # The same body spelled differently (key order, spacing) is the same request.
    again = api.post(
        "/api/v1/donors",
        content=b'{"country": "DE",  "kind": "organisation", "name": "Deutsche Nothilfe e.V."}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert count_donors(session) == 1


def test_the_same_key_with_another_body_is_a_conflict(api: TestClient, auth: Headers, session: Session) -> None:
    headers = {**auth["clerk"], "Idempotency-Key": "key-1"}
    assert api.post("/api/v1/donors", json=DONOR, headers=headers).status_code == 201
    changed = api.post("/api/v1/donors", json={**DONOR, "name": "Deutsche Nothilfe"}, headers=headers)
    assert changed.status_code == 409
    assert changed.json() == {
        "detail": "Idempotency-Key key-1 was already used with a different body; use a new key for a new request"
    }
    elsewhere = api.post("/api/v1/recipients", json={"name": "AFAD"}, headers=headers)
    assert elsewhere.status_code == 409
    assert elsewhere.json() == {
        "detail": "Idempotency-Key key-1 was already used for POST /api/v1/donors; use a new key for a new request"
    }
    assert count_donors(session) == 1


def test_a_refused_request_keeps_no_key_so_the_fixed_retry_goes_through(
    api: TestClient, auth: Headers, session: Session
) -> None:
    headers = {**auth["clerk"], "Idempotency-Key": "fix-and-retry"}
    refused = api.post("/api/v1/donors", json={**DONOR, "country": "XX"}, headers=headers)
    assert refused.status_code == 422
    assert session.exec(select(IdempotencyKey)).all() == []
    fixed = api.post("/api/v1/donors", json=DONOR, headers=headers)
    assert fixed.status_code == 201
    assert count_donors(session) == 1


def test_keys_belong_to_their_user(api: TestClient, auth: Headers, session: Session, users: dict[str, User]) -> None:
    assert api.post("/api/v1/donors", json=DONOR, headers={**auth["clerk"], "Idempotency-Key": "k"}).status_code == 201
    assert api.post("/api/v1/donors", json=DONOR, headers={**auth["admin"], "Idempotency-Key": "k"}).status_code == 201
    # Another token of the same user shares the user's keys.
    second = create_token(session, "clerk@example.org").secret
    replay = api.post(
        "/api/v1/donors", json=DONOR, headers={"Authorization": f"Bearer {second}", "Idempotency-Key": "k"}
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert count_donors(session) == 2


def test_status_changes_and_voids_replay_too(api: TestClient, auth: Headers, session: Session) -> None:
    from factories import make_contribution, money_line

    made = make_contribution(session, money_line("10.00 USD"), status="pledged")
    url = f"/api/v1/contributions/{made.id}/status"
    headers = {**auth["clerk"], "Idempotency-Key": "commit-it"}
    first = api.post(url, json={"status": "committed"}, headers=headers)
    second = api.post(url, json={"status": "committed"}, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content  # without the key the second would be a 409
    assert api.post(url, json={"status": "committed"}, headers=auth["clerk"]).status_code == 409


def test_a_bad_key_is_refused(api: TestClient, auth: Headers) -> None:
    response = api.post("/api/v1/donors", json=DONOR, headers={**auth["clerk"], "Idempotency-Key": "x" * 201})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "Idempotency-Key"
