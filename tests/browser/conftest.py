"""Browser tests: Debian's Chromium driven by Playwright against the app served by uvicorn in a thread."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.accounts.users import create_user
from tracker.catalogue.service import DonorInput, ItemInput, RecipientInput, create_donor, create_item, create_recipient
from tracker.core.money import parse_money
from tracker.db.engine import make_engine, session_scope

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("TRACKER_TEST_REQUIRE_BROWSER"):  # .ci/run: a missing browser is a failure, not a skip
            raise pytest.UsageError(f"{CHROMIUM} is missing and TRACKER_TEST_REQUIRE_BROWSER is set")
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package")
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def live_url(databases) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on a real port, on a database of its own that it commits to."""
    url = databases.migrated()
    engine = make_engine(url)
    with session_scope(engine) as session:
        seed(session)
    yield from serve(engine)


@pytest.fixture(scope="session")
def demo_url(databases) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on a real port with the demo ledger and sign-in, as `tracker serve --demo` serves it."""
    from tracker.demo import ensure_demo_user, load_demo
    from tracker.totals.aggregates import ensure_totals

    engine = make_engine(databases.migrated())
    with session_scope(engine) as session:
        ensure_totals(session)
    with session_scope(engine) as session:
        ensure_demo_user(session)
        load_demo(session)
    yield from serve(engine)


def serve(engine: Engine) -> Iterator[str]:
    """Serve the app on a free port on `engine`, committing each request; yields its URL, then stops it."""
    from tracker.web.app import create_app
    from tracker.web.deps import get_session

    app = create_app()

    def committed_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    app.dependency_overrides[get_session] = committed_session
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def seed(session: Session) -> None:
    create_user(session, email="clerk@example.org", role="clerk", password=PASSWORD, name="Aysel")
    create_donor(
        session, DonorInput(name="Azərbaycan Həmkarlar İttifaqları Konfederasiyası", kind="organisation"), None
    )
    create_recipient(session, RecipientInput(name="Kahramanmaraş Çadırkent", kind="community"), None)
    create_item(session, ItemInput("Container house", "piece", "SHL", parse_money("12000.00 AZN")), None)
    create_item(session, ItemInput("Rescuer", "person-day", "PRO"), None)


@pytest.fixture
def shoot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Save a screenshot of the page under test-output/screenshots/, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if os.environ.get("TRACKER_TEST_DATABASE_URL") else "sqlite"

    def take(page, step: str) -> None:  # type: ignore[no-untyped-def]
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{step}-{database}.png"), full_page=True)

    return take
