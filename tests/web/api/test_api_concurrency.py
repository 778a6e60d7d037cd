"""Concurrent duplicates against a real server: 200 POSTs carrying 150 keys make exactly 150 contributions."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx2
from sqlmodel import func, select

from tracker.accounts.tokens import create_token
from tracker.db.engine import make_engine, session_scope
from tracker.db.models import Contribution, ContributionLine, User

KEYS = 150
DUPLICATES = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if httpx2.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not come up")


def test_concurrent_duplicates_create_exactly_one_entry_per_key(fresh_url: str) -> None:
    from factories import make_donor, make_recipient

    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        session.add(User(email="clerk@example.org", role="clerk", password_hash="!unusable"))
        session.flush()
        secret = create_token(session, "clerk@example.org", "load test").secret
        donor, recipient = make_donor(session), make_recipient(session)
        parties = {"donor_id": str(donor.id), "recipient_id": str(recipient.id)}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tracker.web.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env={**os.environ, "TRACKER_DATABASE_URL": fresh_url},
    )  # fmt: skip
    try:
        wait_until_up(base, server)
        plan = list(range(KEYS)) + list(range(DUPLICATES))
        random.Random(20230206).shuffle(plan)

        async def fire() -> list[httpx2.Response]:
            limits = httpx2.Limits(max_connections=len(plan))
            async with httpx2.AsyncClient(base_url=base, timeout=120, limits=limits) as http:

                async def post(number: int) -> httpx2.Response:
                    amount = {"amount": f"{number + 1}.25", "currency": "USD"}
                    body = {
                        **parties,
                        "date": "2023-02-10",
                        "status": "paid",
                        "lines": [{"kind": "money", "amount": amount}],
                    }
                    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": f"load-{number}"}
                    return await http.post("/api/v1/contributions", json=body, headers=headers)

                return await asyncio.gather(*(post(number) for number in plan))

        # A thread of its own: Playwright's sync API keeps an event loop running in this worker's main thread
        # once a browser test has run here, and asyncio.run refuses to start inside it.
        with ThreadPoolExecutor(1) as pool:
            responses = pool.submit(asyncio.run, fire()).result()
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert [r.status_code for r in responses] == [201] * len(plan), {r.status_code: r.text for r in responses}
    ids: dict[int, set[str]] = {}
    for number, response in zip(plan, responses, strict=True):
        ids.setdefault(number, set()).add(response.json()["id"])
    assert all(len(same) == 1 for same in ids.values())
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == DUPLICATES
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Contribution)).one() == KEYS
        minor = session.exec(select(func.sum(ContributionLine.value_minor))).one()
    engine.dispose()
    # 1.25 + 2.25 + ... + 150.25 USD, exactly.
    assert Decimal(minor).scaleb(-2) == sum(Decimal(n) + Decimal("0.25") for n in range(1, KEYS + 1))
    assert Decimal(minor).scaleb(-2) == Decimal("11362.50")
