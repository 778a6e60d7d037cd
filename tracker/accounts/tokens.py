"""API tokens: create one (shown once, kept as a SHA-256 hash), list, revoke, and find who a token acts for."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.core.fields import optional_text
from tracker.db.columns import stored_id, table_of, utcnow
from tracker.db.journal import record_event
from tracker.db.models import ApiToken, User

PREFIX = "trk_"
# last_used_at is a hint for people tidying tokens, not an audit record: writing it
# at most once a minute keeps concurrent requests of one token from queueing on its row.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` exists only here, to be shown once."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class TokenRow:
    """A token as lists show it, with its user's email."""

    token: ApiToken
    email: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session: Session, email: str, name: str = "", actor: User | None = None) -> NewToken:
    """A new token for the user with this email; 256 random bits, stored only as its SHA-256."""
    user = session.exec(select(User).where(func.lower(User.email) == (email or "").strip().lower())).first()
    if user is None:
        raise Invalid("user", "no user with email {email}", email=email)
    if not user.active:
        raise Invalid("user", "{email} is deactivated", email=user.email)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=stored_id(user), name=optional_text(name, "name", 100) or "", token_hash=token_hash(secret)
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        action="api_token.created",
        object_type="api_token",
        object_id=token.id,
        user_id=actor.id if actor else None,
        after={"user_id": user.id, "name": token.name},
    )
    return NewToken(token, secret)


def list_tokens(session: Session, email: str | None = None) -> list[TokenRow]:
    """Every token (or one user's), oldest first, revoked ones included."""
    statement = select(ApiToken, User.email).join(User, col(User.id) == ApiToken.user_id).order_by(col(ApiToken.id))
    if email:
        statement = statement.where(func.lower(User.email) == email.strip().lower())
    return [TokenRow(token, address) for token, address in session.exec(statement)]


def revoke_token(session: Session, token_id: int, actor: User | None = None) -> ApiToken:
    """Stop a token at once; it stays listed as revoked."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token {token_id} does not exist", token_id=token_id)
    if token.revoked_at is not None:
        raise Conflict("token {token_id} is already revoked", token_id=token_id)
    token.revoked_at = utcnow()
    session.add(token)
    session.flush()
    record_event(
        session,
        action="api_token.revoked",
        object_type="api_token",
        object_id=token.id,
        user_id=actor.id if actor else None,
        before={"revoked": False},
        after={"revoked": True},
    )
    return token


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user a live token acts for, or None; checked on every request, so revoking bites at once."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(secret))
    ).first()
    if found is None:
        return None
    token, user = found
    if token.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or as_utc(token.last_used_at) < now - TOUCH_EVERY:
        table = table_of(ApiToken)
        try:
            with session.begin_nested():
                session.execute(
                    sa.update(table)
                    .where(table.c.id == token.id)
                    .where(sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at < now - TOUCH_EVERY))
                    .values(last_used_at=now)
                )
        except sa.exc.OperationalError:
            # A GET reads a SQLite snapshot; if a writer committed since it began, the snapshot cannot
            # be written from. The hint waits for the token's next request; this one goes on reading.
            pass
    return user


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
