"""API fixtures: the app over real HTTP on the test's rolled-back session, and a token per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tracker.accounts.tokens import create_token
from tracker.core import config
from tracker.db.models import User

ROLES = ("admin", "clerk", "viewer")


@pytest.fixture
def api(session: Session, settings: config.Settings) -> Iterator[TestClient]:
    """The app with one SAVEPOINT per request, so a failed request leaves nothing, as in production."""
    from tracker.web.app import create_app
    from tracker.web.deps import get_session

    app = create_app()

    def per_request() -> Iterator[Session]:
        savepoint = session.begin_nested()
        try:
            yield session
            session.flush()
            savepoint.commit()
        except BaseException:
            savepoint.rollback()
            raise

    app.dependency_overrides[get_session] = per_request
    with TestClient(app) as http:
        yield http


@pytest.fixture
def users(session: Session) -> dict[str, User]:
    """One user per role. Tokens need no password, so these skip Argon2 (slow by design) with an unusable hash."""
    made = {role: User(email=f"{role}@example.org", role=role, password_hash="!unusable") for role in ROLES}
    session.add_all(made.values())
    session.flush()
    return made


@pytest.fixture
def auth(session: Session, users: dict[str, User]) -> dict[str, dict[str, str]]:
    """Authorization headers per role: auth["clerk"]."""
    return {
        role: {"Authorization": f"Bearer {create_token(session, user.email, 'tests').secret}"}
        for role, user in users.items()
    }
