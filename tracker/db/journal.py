"""The journal: an append-only, hash-chained record of every change, and its verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring as _string  # how json.dumps(ensure_ascii=False) writes a string
from typing import Any

from sqlmodel import Session, col, select

from tracker.core.i18n import gettext
from tracker.db.columns import utcnow
from tracker.db.dialect import transaction_lock
from tracker.db.models import JournalEvent

GENESIS = "0" * 64
# Any fixed number: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK = 0x7472_6B72


def canonical_json(value: Any) -> str | None:
    """JSON with sorted keys; Decimals and dates as strings, so no float ever appears."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: object) -> str:
    if isinstance(value, Decimal | date | datetime):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    raise TypeError(f"{type(value).__name__} is not journal-safe")


def utc_text(at: datetime) -> str:
    """An instant as the journal writes and hashes it: UTC, ISO 8601, to the microsecond."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def event_hash(event: JournalEvent) -> str:
    """SHA-256 over the previous hash and the event's own content."""
    return chain_hash(
        event.prev_hash,
        event.at,
        event.user_id,
        event.action,
        event.object_type,
        event.object_id,
        event.before,
        event.after,
    )


def chain_hash(
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    before: str | None,
    after: str | None,
) -> str:
    """The hash of one event from its parts (`before`/`after` already canonical JSON), for bulk writers too."""
    body = canonical_json(
        {
            "prev": prev_hash,
            "at": utc_text(at),
            "user_id": user_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
        }
    )
    assert body is not None
    return hashlib.sha256(("tracker-journal-v1\n" + body).encode()).hexdigest()


class Chain:
    """Events of one action by one user at one instant, each chained to the one before: a bulk writer's journal.

    Each hash is `chain_hash` over the same body, written out directly for speed (an import
    chains hundreds of thousands of events); tests hold the two equal."""

    def __init__(self, prev: str, at: datetime, user_id: int | None, action: str, object_type: str) -> None:
        self.prev = prev
        # The body's keys in sorted order, as canonical_json writes them; object_id, after and prev vary.
        self._body = (
            '{"action":' + _string(action) + ',"after":%s,"at":"' + utc_text(at) + '","before":null,"object_id":%s,'
            '"object_type":' + _string(object_type) + ',"prev":"%s","user_id":'
            + ("null" if user_id is None else str(user_id)) + "}"
        )  # fmt: skip

    def link(self, object_id: str, after: str) -> tuple[str, str]:
        """The next event's previous hash and its own hash; `after` is its facts as canonical JSON."""
        body = self._body % (_string(after), _string(object_id), self.prev)
        prev, self.prev = self.prev, hashlib.sha256(("tracker-journal-v1\n" + body).encode()).hexdigest()
        return prev, self.prev


def last_hash(session: Session) -> str:
    """The newest event's hash (GENESIS when empty), with the chain locked on PostgreSQL until commit."""
    transaction_lock(session, _CHAIN_LOCK)
    prev = session.exec(select(JournalEvent.hash).order_by(col(JournalEvent.id).desc()).limit(1)).first()
    return prev or GENESIS


def record_event(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: object,
    user_id: int | None,
    before: Any = None,
    after: Any = None,
    after_json: str | None = None,
) -> JournalEvent:
    """Append one event in the caller's transaction; it commits or rolls back with the change.

    `after_json` is `after` already written as canonical JSON (a contribution's facts, which
    the ledger encodes itself so that an import writes the same bytes)."""
    event = JournalEvent(
        at=utcnow(),
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=canonical_json(before),
        after=after_json if after_json is not None else canonical_json(after),
        prev_hash=last_hash(session),
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def verify_chain(session: Session, batch: int = 5000) -> Iterator[ChainProblem]:
    """Walk the journal in order; report each event whose link or hash does not hold."""
    prev_hash, last_id = GENESIS, 0
    while True:
        events = session.exec(
            select(JournalEvent).where(col(JournalEvent.id) > last_id).order_by(col(JournalEvent.id)).limit(batch)
        ).all()
        if not events:
            return
        for event in events:
            assert event.id is not None
            if event.prev_hash != prev_hash:
                yield ChainProblem(event.id, gettext("its link to the previous event is broken"))
            if event_hash(event) != event.hash:
                yield ChainProblem(event.id, gettext("its content does not match its hash"))
            prev_hash, last_id = event.hash, event.id
