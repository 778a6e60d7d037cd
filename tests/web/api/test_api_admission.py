"""The admission gate: on SQLite writers enter one per process, reads never queue behind them; then the language."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.requests import Request

from tracker.core import config
from tracker.settings.service import SettingsInput, update_settings
from tracker.web.api.deps import admitted


def request(method: str) -> Request:
    return Request({"type": "http", "method": method, "path": "/api/v1/contributions", "headers": []})


@asynccontextmanager
async def inside(method: str) -> Any:
    gate = admitted(request(method))
    await gate.__anext__()
    try:
        yield
    finally:
        await gate.aclose()


T = TypeVar("T")


async def enters(method: str) -> bool:
    """Whether a request of this method gets in within a second while the others hold their places."""
    try:
        async with asyncio.timeout(1):
            async with inside(method):
                return True
    except TimeoutError:
        return False


def run_apart(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a thread of its own: once a browser test ran in this worker, Playwright's sync API
    holds a running event loop in the main thread, and asyncio.run refuses to start there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()


def test_reads_enter_while_a_writer_holds_the_gate(settings: config.Settings) -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        async with inside("POST"):
            get, head = await enters("GET"), await enters("HEAD")
            second_writer = await enters("POST")
        return get, head, second_writer

    get, head, second_writer = run_apart(scenario)
    assert (get, head) == (True, True)
    # SQLite has one writer at a time: a second one waits in the event loop; PostgreSQL admits eight.
    assert second_writer is (not settings.database_url.startswith("sqlite"))


def test_a_writer_enters_while_readers_hold_their_places(settings: config.Settings) -> None:
    async def scenario() -> bool:
        async with inside("GET"), inside("GET"), inside("GET"):
            return await enters("POST")

    assert run_apart(scenario) is True


def test_the_api_speaks_the_saved_default_language_read_once_admitted(
    api: TestClient, auth: dict[str, dict[str, str]], session: Session
) -> None:
    update_settings(session, SettingsInput(default_locale="az"), None)
    read = api.get("/api/v1/contributions?bogus=1", headers=auth["viewer"])
    write = api.post("/api/v1/contributions?bogus=1", json={}, headers=auth["clerk"])
    asked = api.get("/api/v1/contributions?bogus=1", headers={**auth["viewer"], "Accept-Language": "tr"})
    assert read.status_code == write.status_code == asked.status_code == 422
    assert {"field": "bogus", "message": "bu sorğunun parametri deyil"} in read.json()["detail"]
    assert {"field": "bogus", "message": "bu sorğunun parametri deyil"} in write.json()["detail"]
    assert {"field": "bogus", "message": "bu sorğunun parametri deyil"} not in asked.json()["detail"]
