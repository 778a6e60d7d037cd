"""One-time form tokens: a double click or a resubmitted page records one contribution, not two.

Each rendered form carries a fresh random token. Recording claims the token by
inserting it (its primary key) in the same transaction as the contribution. A
repeat of the same form finds the claim: on PostgreSQL the second insert waits
for the first transaction and then fails as a duplicate; on SQLite transactions
take the write lock at BEGIN, so the second one starts after the first committed.
Either way the repeat learns which contribution the first one recorded. If the
first one failed, its claim rolled back with it and the token is free again.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from tracker.db.columns import utcnow
from tracker.db.dialect import is_unique_violation
from tracker.db.models import SubmissionToken, User

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEEP = timedelta(days=30)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_token(value: object) -> bool:
    return isinstance(value, str) and bool(TOKEN_SHAPE.match(value))


def claim(session: Session, token: str, user: User | None) -> SubmissionToken | None:
    """Claim the token for this submission; None when an earlier submission holds it already."""
    row = SubmissionToken(token=token, used_at=utcnow(), user_id=user.id if user else None)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as error:
        if not is_unique_violation(error):  # only the token's twin means "submitted before"
            raise
        return None
    return row


def earlier(session: Session, token: str) -> SubmissionToken | None:
    """The claim an earlier submission of this form made, if it committed."""
    return session.get(SubmissionToken, token, populate_existing=True)


def settle(session: Session, row: SubmissionToken, contribution_id: int) -> None:
    """Note what the claimed submission recorded, so a repeat can point to it."""
    row.contribution_id = contribution_id
    session.add(row)
    session.execute(sa.delete(SubmissionToken).where(col(SubmissionToken.used_at) < utcnow() - KEEP))
    session.flush()
