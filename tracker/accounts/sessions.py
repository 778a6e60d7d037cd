"""Sign-in sessions kept in the database: opened at sign-in, ended by sign-out, deactivation or a new password.

The cookie carries only a random token; the database keeps its SHA-256 and whose it is. A
request is signed in only while that row exists and has not expired, so a saved copy of a
cookie opens nothing once its session has ended, and a cookie forged with a known secret
key names no session at all.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.db.columns import utcnow
from tracker.db.models import User, UserSession

SESSION_HOURS = 12


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User) -> str:
    """A new session for the user, in the caller's unit; returns the token for the cookie. Expired ones are dropped."""
    assert user.id is not None
    now = utcnow()
    session.execute(sa.delete(UserSession).where(col(UserSession.expires_at) < now))
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)
        )
    )
    session.flush()
    return token


def session_user(session: Session, token: object) -> User | None:
    """The active user whose unexpired session this token opens, or None."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    statement = (
        select(User, UserSession.expires_at)
        .join(UserSession, col(UserSession.user_id) == User.id)
        .where(col(UserSession.token_hash) == _digest(token))
    )
    found = session.exec(statement).first()
    if found is None:
        return None
    user, expires_at = found
    if not user.active or _aware(expires_at) <= utcnow():
        return None
    return user


def end_session(session: Session, token: object) -> None:
    """Sign this session out (nothing happens for an unknown token)."""
    if isinstance(token, str) and token:
        session.execute(sa.delete(UserSession).where(col(UserSession.token_hash) == _digest(token)))


def end_user_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere: every browser and every saved copy of a cookie."""
    session.execute(sa.delete(UserSession).where(col(UserSession.user_id) == user_id))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=utcnow().tzinfo)  # SQLite hands back naive UTC
