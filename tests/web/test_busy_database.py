"""SQLite's one write lock: a writer that cannot have it in time is a 503 with Retry-After, never a 500, and
nothing holds it across a sleep (a slowed sign-in) or a long read (an import's dry run, on the API or the CLI)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from clikit import run
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from webkit import Staff, make_user

from tracker.accounts.tokens import create_token
from tracker.core import config
from tracker.db import engine as db
from tracker.db.columns import utcnow
from tracker.db.models import SignInFailure

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TRACKER_TEST_DATABASE_URL", "").strip()), reason="SQLite's database-wide write lock"
)

CSV = (
    b"key,date,status,donor,recipient,recipient_kind,kind,amount,currency\r\n"
    b"B-1,2023-02-10,paid,Nobody,AFAD,organisation,money,10,USD\r\n"
)


@pytest.fixture
def app_on(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on a database of its own (no test transaction holding the lock), writers waiting 0.3 s."""
    from tracker.web.app import create_app

    monkeypatch.setenv("TRACKER_DATABASE_URL", fresh_url)
    monkeypatch.setenv("TRACKER_SQLITE_BUSY_SECONDS", "0.3")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        with TestClient(create_app()) as client:
            yield client
    finally:
        db.get_engine.cache_clear()
        config.get_settings.cache_clear()


@contextmanager
def write_lock_held(url: str) -> Iterator[sqlite3.Connection]:
    """Another process's writer, in the middle of a long change."""
    other = sqlite3.connect(make_url(url).database or "", timeout=5, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")  # as the app's first connection leaves the file
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def clerk_token() -> str:
    with db.session_scope() as session:
        make_user(session, "clerk")
        return create_token(session, "clerk@example.org", "tests").secret


def test_a_writer_that_cannot_get_the_lock_in_time_is_503_with_retry_after(app_on: TestClient, fresh_url: str) -> None:
    headers = {"Authorization": f"Bearer {clerk_token()}"}
    staff = Staff(app_on)
    assert staff.sign_in("clerk@example.org").status_code == 303
    with write_lock_held(fresh_url):
        response = app_on.post("/api/v1/donors", json={"name": "Türk Kızılay", "kind": "organisation"}, headers=headers)
        page = staff.post("/donors/new", {"name": "Kuwait Red Crescent", "kind": "organisation"})
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert "the database is busy" in response.json()["detail"]
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "the database is busy" in page.text
    again = app_on.post("/api/v1/donors", json={"name": "Türk Kızılay", "kind": "organisation"}, headers=headers)
    assert again.status_code == 201, again.text


def test_an_api_dry_run_reads_a_snapshot_without_the_write_lock(app_on: TestClient, fresh_url: str) -> None:
    headers = {"Authorization": f"Bearer {clerk_token()}", "Content-Type": "text/csv"}
    with write_lock_held(fresh_url):
        preview = app_on.post("/api/v1/imports?dry_run=true", content=CSV, headers=headers)
    assert preview.status_code == 422, preview.text  # the checks ran: the donor is unknown
    assert preview.json()["detail"][0]["field"] == "rows[2].donor"


def test_a_cli_dry_run_reads_a_snapshot_without_the_write_lock(fresh_url: str, tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_bytes(CSV)
    with write_lock_held(fresh_url):
        result = run("import", str(source), "--dry-run", url=fresh_url, TRACKER_SQLITE_BUSY_SECONDS="0.3")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "row 2, donor: no donor with email or name 'Nobody'; give donor_kind to create it",
        "error: bad rows: 1, problems: 1; nothing was imported",
    ]


def test_a_slowed_sign_in_commits_its_failure_before_it_sleeps(app_on: TestClient, fresh_url: str) -> None:
    with db.session_scope() as session:
        make_user(session, "clerk")
        for _ in range(2):  # the third failure in the window is held 1 s
            session.add(SignInFailure(at=utcnow(), email="clerk@example.org", address="testclient"))
    staff = Staff(app_on)
    staff.refresh_token("/login")
    answered: list[int] = []
    attempt = threading.Thread(
        target=lambda: answered.append(
            staff.post("/login", {"email": "clerk@example.org", "password": "no"}).status_code
        )
    )
    attempt.start()
    free_while_held = False
    other = sqlite3.connect(make_url(fresh_url).database or "", timeout=0, isolation_level=None)
    try:
        deadline = time.monotonic() + 10
        while attempt.is_alive() and time.monotonic() < deadline:
            (failures,) = other.execute("SELECT count(*) FROM sign_in_failure").fetchone()
            if failures == 3:  # recorded and committed, the answer still held back
                other.execute("BEGIN IMMEDIATE")  # the write lock is free: a sign-in or a write may go on
                other.execute("ROLLBACK")
                free_while_held = attempt.is_alive()
                break
            time.sleep(0.02)
    finally:
        other.close()
        attempt.join()
    assert answered == [401]
    assert free_while_held
