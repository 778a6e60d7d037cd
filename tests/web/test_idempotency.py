"""Idempotency keys between two real transactions: a duplicate waits for the first, then replays or takes over."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from tracker.core.errors import Conflict, Invalid
from tracker.db.engine import make_engine
from tracker.db.models import User
from tracker.web.api.idempotency import Answer, Claim, Fingerprint, canonical_body, check_key, claim, remember

FIRST = Fingerprint.of("POST", "/api/v1/donors", b'{"name": "AFAD", "kind": "organisation"}')


def a_user(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        user = User(email="clerk@example.org", role="clerk", password_hash="!unusable")
        session.add(user)
        session.commit()
        user_id = user.id
    engine.dispose()
    assert user_id is not None
    return user_id


def claim_in_thread(url: str, user_id: int, results: list[object]) -> threading.Thread:
    def run() -> None:
        engine = make_engine(url)
        with Session(engine) as session:
            results.append(claim(session, user_id, "key-1", FIRST))
            session.commit()
        engine.dispose()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_concurrent_duplicate_waits_for_the_first_request(fresh_url: str, first_commits: bool) -> None:
    user_id = a_user(fresh_url)
    engine = make_engine(fresh_url)
    results: list[object] = []
    with Session(engine) as first:
        claimed = claim(first, user_id, "key-1", FIRST)
        assert isinstance(claimed, Claim)
        second = claim_in_thread(fresh_url, user_id, results)
        second.join(timeout=1)
        assert second.is_alive(), "the duplicate must wait while the first is in flight"
        if first_commits:
            remember(first, claimed, Answer(201, '{"id": "7"}'))
            first.commit()
        else:
            first.rollback()
    second.join(timeout=30)
    engine.dispose()
    if first_commits:
        assert results == [Answer(201, '{"id": "7"}')]
    else:
        assert len(results) == 1 and isinstance(results[0], Claim)  # the failed first left the key free


def test_the_same_key_for_another_request_is_a_conflict(session: Session) -> None:
    user = User(email="viewer@example.org", role="clerk", password_hash="!unusable")
    session.add(user)
    session.flush()
    claimed = claim(session, user.id, "k", FIRST)  # type: ignore[arg-type]
    assert isinstance(claimed, Claim)
    remember(session, claimed, Answer(201, "{}"))
    assert claim(session, user.id, "k", FIRST) == Answer(201, "{}")  # type: ignore[arg-type]
    other_body = Fingerprint.of("POST", "/api/v1/donors", b'{"name": "AFAD", "kind": "government"}')
    with pytest.raises(Conflict):
        claim(session, user.id, "k", other_body)  # type: ignore[arg-type]


def test_bodies_are_compared_by_meaning_not_spelling() -> None:
    assert canonical_body(b'{"b": 1, "a": "x"}') == canonical_body(b'{ "a" : "x",\n "b" : 1 }')
    assert canonical_body(b"not json") == b"not json"


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there", "ключ"])
def test_a_key_must_be_printable_ascii(key: str) -> None:
    with pytest.raises(Invalid):
        check_key(key)
