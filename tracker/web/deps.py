"""Request dependencies shared by every route: the database session and the templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from tracker.db import get_engine
from tracker.web.templating import environment


def get_session() -> Iterator[Session]:
    """One session per request: committed on success, rolled back on any exception."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session)]

templates = Jinja2Templates(env=environment())
