"""Request dependencies shared by every route: the database session and the templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from tracker.db import get_engine, reading
from tracker.web.templating import environment


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed on success, rolled back on any exception. GET and HEAD
    only read (the API token's last-used hint excepted, which gives way), so on SQLite they read a
    snapshot and never queue behind a writer such as a long import."""
    engine = reading(get_engine()) if request.method in READ_METHODS else get_engine()
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


READ_METHODS = frozenset({"GET", "HEAD"})

SessionDep = Annotated[Session, Depends(get_session)]

templates = Jinja2Templates(env=environment())
