"""Idempotency keys: the first answer to a request is kept with its key, so a retry replays it and creates nothing.

The key row is claimed (inserted) at the start of the request, in the same transaction
as the work, and filled with the answer at the end; so it commits with the work or not
at all. A concurrent duplicate's insert waits on the unique (user, key) index until the
first transaction ends: after a commit it finds the row and replays the answer, after a
rollback (the first request failed) it claims the key itself. On SQLite writers queue
at BEGIN IMMEDIATE, so the second request simply finds the committed row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker.core.errors import Conflict, Invalid
from tracker.db.columns import table_of, utcnow
from tracker.db.dialect import conflict_insert
from tracker.db.models import IdempotencyKey

MAX_KEY = 200


@dataclass(frozen=True)
class Fingerprint:
    """What makes two requests the same request: method, path (with query) and body."""

    method: str
    path: str
    body_sha256: str

    @classmethod
    def of(cls, method: str, path: str, body: bytes) -> Fingerprint:
        return cls(method.upper(), path[:500], hashlib.sha256(canonical_body(body)).hexdigest())


@dataclass(frozen=True)
class Answer:
    """A kept answer: status code and exact response body."""

    status_code: int
    body: str


@dataclass(frozen=True)
class Claim:
    """This request owns the key; its answer must be kept with `remember`."""

    id: int


def canonical_body(body: bytes) -> bytes:
    """JSON with sorted keys and no spacing, so reformatting the same body is not a different request."""
    try:
        parsed = json.loads(body, parse_float=str, parse_int=str)
    except (ValueError, RecursionError):
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "replace")


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable() or not key.isascii():
        raise Invalid("Idempotency-Key", "must be 1 to {limit} printable ASCII characters", limit=MAX_KEY)
    return key


def claim(session: Session, user_id: int, key: str, fingerprint: Fingerprint) -> Claim | Answer:
    """Own the key for this request, or get the answer kept for it; a different request under it is a conflict."""
    table = table_of(IdempotencyKey)
    insert = conflict_insert(session)
    statement = (
        insert(table)
        .values(
            user_id=user_id,
            key=check_key(key),
            method=fingerprint.method,
            path=fingerprint.path,
            body_sha256=fingerprint.body_sha256,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(table.c.id)
    )
    claimed = session.execute(statement).scalar_one_or_none()
    if claimed is not None:
        return Claim(claimed)
    kept = session.exec(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).one()
    if (kept.method, kept.path) != (fingerprint.method, fingerprint.path):
        raise Conflict(
            "Idempotency-Key {key} was already used for {method} {path}; use a new key for a new request",
            key=key,
            method=kept.method,
            path=kept.path,
        )
    if kept.body_sha256 != fingerprint.body_sha256:
        raise Conflict(
            "Idempotency-Key {key} was already used with a different body; use a new key for a new request",
            key=key,
        )
    if kept.status_code is None or kept.response_body is None:
        raise Conflict("a request with Idempotency-Key {key} is still in progress; retry shortly", key=key)
    return Answer(kept.status_code, kept.response_body)


def remember(session: Session, claimed: Claim, answer: Answer) -> None:
    """Keep the answer with the key, in the request's transaction."""
    table = table_of(IdempotencyKey)
    session.execute(
        sa.update(table)
        .where(table.c.id == claimed.id)
        .values(status_code=answer.status_code, response_body=answer.body)
    )
