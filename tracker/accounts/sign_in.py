"""Signing in: the password check, with repeated failures slowed down and then refused for a while.

Failures are rows in the database (not process memory), so the limits hold across
every worker process and app server. They count per email address and per client
address within a sliding window:

- from the 3rd failure on, each answer is delayed (1 s, 2 s, 4 s, at most 8 s);
- at 10 failures for an email (or 50 from one client address) sign-in is refused,
  even with the right password, until the oldest of them leaves the window.

A successful sign-in clears the failures of that email.

Attempts for one email (and from one address) take turns: on PostgreSQL each holds an advisory
lock until its transaction ends, so it counts every failure before it, even ones sent in parallel
(the caller commits a failure before it holds the answer back). SQLite's one writer already
makes them take turns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.accounts.users import authenticate
from tracker.db.columns import utcnow
from tracker.db.dialect import transaction_lock
from tracker.db.models import SignInFailure, User

WINDOW = timedelta(minutes=15)
SLOW_AFTER = 2
MAX_DELAY_SECONDS = 8.0
LOCK_EMAIL_AFTER = 10
LOCK_ADDRESS_AFTER = 50


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt came to: a user, or why not, and how long to make the caller wait."""

    user: User | None
    delay_seconds: float = 0.0
    locked_minutes: int = 0

    @property
    def locked(self) -> bool:
        return self.locked_minutes > 0


def sign_in(session: Session, email: str, password: str, address: str) -> SignInResult:
    """Check the password unless this email or address is locked out; record a failure in the caller's unit."""
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    for key in sorted({_lock_key("email", email), _lock_key("address", address)}):  # one order: no deadlock
        transaction_lock(session, key)
    now = utcnow()
    since = now - WINDOW
    by_email = _failures(session, col(SignInFailure.email) == email, since)
    by_address = _failures(session, col(SignInFailure.address) == address, since)
    locks = [
        oldest
        for (count, oldest), limit in ((by_email, LOCK_EMAIL_AFTER), (by_address, LOCK_ADDRESS_AFTER))
        if count >= limit and oldest is not None
    ]
    if locks:
        return SignInResult(None, locked_minutes=_minutes_left(max(locks), now))
    user = authenticate(session, email, password)
    if user is not None:
        session.execute(sa.delete(SignInFailure).where(col(SignInFailure.email) == email))
        return SignInResult(user)
    session.add(SignInFailure(at=now, email=email, address=address))
    # Old failures no longer count; dropping them here keeps the table small without a cron job.
    session.execute(sa.delete(SignInFailure).where(col(SignInFailure.at) < since))
    session.flush()
    return SignInResult(None, delay_seconds=delay_for(max(by_email[0], by_address[0]) + 1))


def _lock_key(kind: str, value: str) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit integer) for one email or one address."""
    return int.from_bytes(hashlib.sha256(f"tracker-sign-in:{kind}:{value}".encode()).digest()[:8], "big", signed=True)


def delay_for(failures: int) -> float:
    """How long to hold the answer after this many failures in the window."""
    if failures <= SLOW_AFTER:
        return 0.0
    return min(2.0 ** (failures - SLOW_AFTER - 1), MAX_DELAY_SECONDS)


def _failures(session: Session, condition: sa.ColumnElement[bool], since: datetime) -> tuple[int, datetime | None]:
    statement = select(func.count(), func.min(SignInFailure.at)).where(condition, SignInFailure.at >= since)
    count, oldest = session.exec(statement).one()
    return int(count), oldest


def _minutes_left(oldest: datetime, now: datetime) -> int:
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=now.tzinfo)
    left = oldest + WINDOW - now
    return max(1, -(-int(left.total_seconds()) // 60))
