"""The admission gate: on SQLite writers enter one per process and reads never queue behind them."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import Request

from tracker.core import config
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


async def enters(method: str) -> bool:
    """Whether a request of this method gets in within a second while the others hold their places."""
    try:
        async with asyncio.timeout(1):
            async with inside(method):
                return True
    except TimeoutError:
        return False


def test_reads_enter_while_a_writer_holds_the_gate(settings: config.Settings) -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        async with inside("POST"):
            get, head = await enters("GET"), await enters("HEAD")
            second_writer = await enters("POST")
        return get, head, second_writer

    get, head, second_writer = asyncio.run(scenario())
    assert (get, head) == (True, True)
    # SQLite has one writer at a time: a second one waits in the event loop; PostgreSQL admits eight.
    assert second_writer is (not settings.database_url.startswith("sqlite"))


def test_a_writer_enters_while_readers_hold_their_places(settings: config.Settings) -> None:
    async def scenario() -> bool:
        async with inside("GET"), inside("GET"), inside("GET"):
            return await enters("POST")

    assert asyncio.run(scenario()) is True
