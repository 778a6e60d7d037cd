"""Parallel wrong guesses against a real server: each counts the failures before it, so the lockout holds."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from bs4 import BeautifulSoup
from webkit import PASSWORD, make_user

from tracker.accounts.sign_in import LOCK_EMAIL_AFTER
from tracker.db.engine import make_engine, session_scope

GUESSES = 39


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180  # two workers importing the app on a busy machine
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if httpx2.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not come up")


@pytest.mark.postgres_only(
    "SQLite's one writer already makes attempts take turns; 39 Argon2 checks queued behind its write lock "
    "can outlast the busy timeout on a loaded machine, which is the busy-database answer's matter, not the lockout's",
)
def test_parallel_wrong_guesses_lock_the_account_as_serial_ones_do(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        email = make_user(session, "admin").email
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tracker.web.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env={**os.environ, "TRACKER_DATABASE_URL": fresh_url},
    )  # fmt: skip
    try:
        wait_until_up(base, server)

        async def guess() -> tuple[list[int], int]:
            async with httpx2.AsyncClient(base_url=base, timeout=120) as http:
                form = BeautifulSoup((await http.get("/login")).text, "html.parser")
                token = str(form.find("input", attrs={"name": "csrf_token"})["value"])  # type: ignore[index]

                async def post(password: str) -> int:
                    body = {"email": email, "password": password, "csrf_token": token}
                    return (await http.post("/login", data=body)).status_code

                wrong = await asyncio.gather(*(post(f"wrong guess {n}") for n in range(GUESSES)))
                return list(wrong), await post(PASSWORD)

        with ThreadPoolExecutor(1) as pool:  # see test_api_concurrency: a thread of its own for the event loop
            wrong, right = pool.submit(asyncio.run, guess()).result()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert sorted(wrong) == [401] * LOCK_EMAIL_AFTER + [429] * (GUESSES - LOCK_EMAIL_AFTER)
    assert right == 429  # the right password after the lockout is refused too
