"""A write is committed before its answer leaves: the client's next request finds it, and a failed commit is no 201."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from starlette.types import Message, Receive, Scope, Send
from webkit import make_user

from tracker.accounts.tokens import create_token
from tracker.core import config
from tracker.db import engine as db
from tracker.db.models import Donor


def test_the_donor_is_in_the_database_when_201_is_sent(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.web.app import create_app

    monkeypatch.setenv("TRACKER_DATABASE_URL", fresh_url)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        with db.session_scope() as session:
            make_user(session, "clerk")
            secret = create_token(session, "clerk@example.org", "tests").secret
        app = create_app()
        donors_at_answer: list[int] = []

        async def watching(scope: Scope, receive: Receive, send: Send) -> None:
            async def watched(message: Message) -> None:
                if message["type"] == "http.response.start" and scope["path"] == "/api/v1/donors":
                    # What another connection sees as the answer starts: the client's next request.
                    with Session(db.reading(db.get_engine())) as other:
                        donors_at_answer.append(other.exec(select(func.count()).select_from(Donor)).one())
                await send(message)

            await app(scope, receive, watched)

        with TestClient(watching) as client:
            made = client.post(
                "/api/v1/donors",
                json={"name": "Türk Kızılay", "kind": "organisation"},
                headers={"Authorization": f"Bearer {secret}"},
            )
        assert made.status_code == 201, made.text
        assert donors_at_answer == [1]
    finally:
        db.get_engine.cache_clear()
        config.get_settings.cache_clear()
