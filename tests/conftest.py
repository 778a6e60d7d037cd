"""Test fixtures: a real database (SQLite file, or PostgreSQL when TRACKER_TEST_DATABASE_URL is set).

The schema is migrated once per run; each test runs inside a transaction that is
rolled back at the end (SQLAlchemy's "join a session into an external
transaction" recipe), so tests see real SQL, constraints and triggers but leave
nothing behind. Tests that need real commits ask for `fresh_url`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracker.core import config
from tracker.db.engine import make_engine, upgrade

POSTGRES_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "").strip()


def on_postgres() -> bool:
    return bool(POSTGRES_URL)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`@pytest.mark.postgres_only("why")` tests are skipped, with the reason, on a SQLite run."""
    if on_postgres():
        return
    for item in items:
        marker = item.get_closest_marker("postgres_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=marker.args[0] if marker.args else "PostgreSQL only"))


class Databases:
    """Creates throwaway databases of the kind this run tests, and drops them afterwards."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []
        self.template: str | None = None

    def migrated(self) -> str:
        """A new database at the head revision, copied from one migrated once per worker.

        Migrating takes ~0.8 s; copying the template (a file copy on SQLite,
        `CREATE DATABASE … TEMPLATE` on PostgreSQL) takes a few milliseconds.
        """
        if self.template is None:
            self.template = self.new()
            upgrade(self.template)
        if not POSTGRES_URL:
            copy = self.new()
            shutil.copyfile(make_url(self.template).database or "", make_url(copy).database or "")
            return copy
        return self.new(template=make_url(self.template).database)

    def new(self, template: str | None = None) -> str:
        """A new empty database (on PostgreSQL, a copy of `template` when given)."""
        if not POSTGRES_URL:
            return f"sqlite:///{self.tmp / f'{uuid.uuid4().hex}.db'}"
        name = f"tracker_test_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        admin.dispose()
        self.created.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def database_url(databases: Databases) -> str:
    """The run's shared database, migrated once."""
    url = databases.new()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[sa.Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session whose every change is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as db:
        yield db
    transaction.rollback()
    connection.close()


@pytest.fixture
def fresh_url(databases: Databases) -> str:
    """A database of its own, migrated, for tests that commit for real."""
    return databases.migrated()


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its lowest cost (~1 ms instead of ~0.2 s) for tests that are not about passwords.

    Tests marked `real_password_hashing` (sign-in, throttling, the hasher itself) keep the
    production parameters. The hashes made here are still Argon2id and verify the same way.
    """
    if request.node.get_closest_marker("real_password_hashing"):
        return
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from tracker.accounts import users

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(users, "hasher", lambda: cheap)


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[config.Settings]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    config.get_settings.cache_clear()
    yield config.get_settings()
    config.get_settings.cache_clear()


@pytest.fixture
def client(session: Session, settings: config.Settings) -> Iterator[TestClient]:
    """Real HTTP through the ASGI app, on the test's own rolled-back session."""
    from tracker.web.app import create_app
    from tracker.web.deps import get_session

    app = create_app()

    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = test_session
    with TestClient(app) as http:
        yield http
