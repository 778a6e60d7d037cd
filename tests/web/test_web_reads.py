"""Requests that only read do not queue behind a writer: on SQLite a GET reads a WAL snapshot."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from factories import make_donor
from fastapi.testclient import TestClient
from sqlmodel import Session

from tracker.accounts.tokens import create_token
from tracker.accounts.users import create_user
from tracker.core import config
from tracker.db import engine as db
from tracker.db.columns import utcnow
from tracker.db.engine import make_engine, session_scope
from tracker.db.models import ApiToken


@pytest.fixture
def real_app(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app exactly as served: its own engine and per-request sessions, no test overrides."""
    from tracker.web.app import create_app

    monkeypatch.setenv("TRACKER_DATABASE_URL", fresh_url)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with TestClient(create_app()) as http:
        yield http
    db.get_engine().dispose()
    db.get_engine.cache_clear()
    config.get_settings.cache_clear()


def test_a_get_answers_while_another_transaction_holds_the_write_lock(real_app: TestClient, fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        create_user(session, email="viewer@example.org", role="viewer", password="a long enough password")
        made = create_token(session, "viewer@example.org")
        make_donor(session, "Committed donor")
        token = session.get(ApiToken, made.token.id)
        token.last_used_at = utcnow() + timedelta(hours=1)  # no touch due: this request only reads
        session.add(token)
    writer = Session(engine)
    make_donor(writer, "Uncommitted donor")  # flushed: on SQLite the write lock is now held until rollback
    try:
        health = real_app.get("/healthz")
        donors = real_app.get("/api/v1/donors", headers={"Authorization": f"Bearer {made.secret}"})
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()
    assert health.status_code == 200
    assert donors.status_code == 200
    assert [row["name"] for row in donors.json()["items"]] == ["Committed donor"]
