"""Staff accounts: create users with Argon2id password hashes, and check passwords."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from sqlmodel import Session, func, select

from tracker.catalogue import email_address, one_of, optional_text
from tracker.errors import Invalid, Plural
from tracker.journal import record_event
from tracker.models import LOCALES, ROLES, User

# Each role can do everything the roles below it can: a viewer reads, a clerk also
# records and corrects contributions, an admin also manages users, the catalogue and settings.
ROLE_RANK = {"viewer": 0, "clerk": 1, "admin": 2}
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@cache
def hasher() -> PasswordHash:
    return PasswordHash.recommended()  # Argon2id


def check_password_rules(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(
            "password",
            Plural("at least {count} character", "at least {count} characters", MIN_PASSWORD),
            count=MIN_PASSWORD,
        )
    if len(password) > MAX_PASSWORD:
        raise Invalid(
            "password",
            Plural("at most {count} character", "at most {count} characters", MAX_PASSWORD),
            count=MAX_PASSWORD,
        )
    return password


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    password: str,
    name: str = "",
    locale: str = "en",
    actor: User | None = None,
) -> User:
    """A new active user; the password is kept only as an Argon2id hash."""
    address = email_address(email)
    if address is None:
        raise Invalid("email", "is required")
    if session.exec(select(User).where(func.lower(User.email) == address)).first():
        raise Invalid("email", "a user with email {email} already exists", email=address)
    user = User(
        email=address,
        name=optional_text(name, "name", 200) or "",
        role=one_of(role, ROLES, "role"),
        locale=one_of(locale, LOCALES, "locale"),
        password_hash=hasher().hash(check_password_rules(password)),
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        action="user.created",
        object_type="user",
        object_id=user.id,
        user_id=actor.id if actor else None,
        after={"email": user.email, "role": user.role, "name": user.name, "locale": user.locale},
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None; the same work either way."""
    user = session.exec(select(User).where(func.lower(User.email) == (email or "").strip().lower())).first()
    if user is None:
        hasher().hash(password or "")  # spend the same time as a real check
        return None
    if not hasher().verify(password or "", user.password_hash) or not user.active:
        return None
    return user


def has_role(user: User | None, needed: str) -> bool:
    """True when the user is active and their role is `needed` or above it."""
    return user is not None and user.active and ROLE_RANK[user.role] >= ROLE_RANK[needed]
