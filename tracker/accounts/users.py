"""Staff accounts: create users with Argon2id password hashes, check and change passwords, change roles, deactivate."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from sqlmodel import Session, col, func, select

from tracker.accounts.sessions import end_user_sessions
from tracker.accounts.setup import check_setup_code, forget_setup_code
from tracker.core.errors import Conflict, Invalid, NotFound, Plural
from tracker.core.fields import email_address, one_of, optional_text
from tracker.core.vocabulary import Role
from tracker.db.columns import LOCALES, ROLES
from tracker.db.dialect import lock_for_first_insert
from tracker.db.journal import record_event
from tracker.db.models import User

# Each role can do everything the roles below it can: a viewer reads, a clerk also
# records and corrects contributions, an admin also manages users, the catalogue and settings.
ROLE_RANK: dict[str, int] = {Role.VIEWER: 0, Role.CLERK: 1, Role.ADMIN: 2}
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


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user {id} does not exist", id=user_id)
    return user


def list_users(session: Session) -> list[User]:
    """Every user, active ones first, then by email."""
    return list(session.exec(select(User).order_by(col(User.active).desc(), col(User.email))).all())


def change_role(session: Session, user_id: int, role: str, actor: User | None) -> User:
    """Give a user another role; the last active admin keeps theirs, so someone can always manage users."""
    user = get_user(session, user_id)
    one_of(role, ROLES, "role")
    if user.role == role:
        return user
    if user.role == Role.ADMIN and user.active:
        _keep_an_admin(session, user)
    before = user.role
    user.role = role
    session.add(user)
    session.flush()
    record_event(
        session,
        action="user.role_changed",
        object_type="user",
        object_id=user.id,
        user_id=actor.id if actor else None,
        before={"role": before},
        after={"role": role},
    )
    return user


def deactivate_user(session: Session, user_id: int, actor: User | None) -> User:
    """Stop a user signing in and end every session they have open. Nothing of theirs is deleted."""
    user = get_user(session, user_id)
    if not user.active:
        raise Conflict("{email} is already deactivated", email=user.email)
    if actor is not None and actor.id == user.id:
        raise Conflict("you cannot deactivate yourself")
    if user.role == Role.ADMIN:
        _keep_an_admin(session, user)
    user.active = False
    session.add(user)
    session.flush()
    end_user_sessions(session, user_id)
    record_event(
        session,
        action="user.deactivated",
        object_type="user",
        object_id=user.id,
        user_id=actor.id if actor else None,
        before={"active": True},
        after={"active": False},
    )
    return user


def change_password(session: Session, user_id: int, password: str, actor: User | None) -> User:
    """A new password for the user; every session they had open ends (the journal says when, never the hash)."""
    user = get_user(session, user_id)
    user.password_hash = hasher().hash(check_password_rules(password))
    session.add(user)
    session.flush()
    end_user_sessions(session, user_id)
    record_event(
        session,
        action="user.password_changed",
        object_type="user",
        object_id=user.id,
        user_id=actor.id if actor else None,
    )
    return user


def has_users(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def create_first_admin(
    session: Session, *, setup_code: str, email: str, password: str, name: str = "", locale: str = "en"
) -> User:
    """The first admin, from the setup page, with the setup code the server printed; refused once any user exists."""
    lock_for_first_insert(session, "user_account")  # two setup forms sent at once must not both find no user
    if has_users(session):
        raise Conflict("setup is finished: a user exists already; sign in instead")
    check_setup_code(session, setup_code)
    admin = create_user(session, email=email, role=Role.ADMIN, password=password, name=name, locale=locale)
    forget_setup_code(session)
    return admin


def _keep_an_admin(session: Session, leaving: User) -> None:
    others = session.exec(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active, User.id != leaving.id)
    ).one()
    if not others:
        raise Conflict("{email} is the last active admin; make another user admin first", email=leaving.email)
