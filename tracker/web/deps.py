"""Request dependencies shared by every route: the database session, the saved default language, the templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Path, Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from tracker.core.errors import Invalid
from tracker.core.i18n import activate
from tracker.core.parsing import MAX_ID
from tracker.db.engine import get_engine, reading
from tracker.reporting.templating import environment
from tracker.settings.current import default_locale
from tracker.web.locale import language_url


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed on success, rolled back on any exception. GET and HEAD
    only read (the API token's last-used hint excepted, which gives way), and so does a dry run
    (an import's preview), so on SQLite they read a snapshot: they never queue behind a writer
    such as a long import, and a long dry run never holds the write lock from other writers."""
    engine = reading(get_engine()) if reads_only(request) else get_engine()
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


READ_METHODS = frozenset({"GET", "HEAD"})
TRUE = frozenset({"1", "true", "yes", "on", "t", "y"})  # what the API reads as a true query flag


def reads_only(request: Request) -> bool:
    """A GET or HEAD, or a request that asks for a dry run: it writes nothing to the ledger."""
    return request.method in READ_METHODS or request.query_params.get("dry_run", "").lower() in TRUE


# scope="function": the session commits before the answer is sent, not after (FastAPI's default
# for a dependency with yield). A client told 201 or sent on by a 303 then finds what it wrote,
# and a commit that fails is answered as the failure it is, never after a success was sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

# A record's id in a page's path: one past the ids the database can hold (PostgreSQL's INTEGER, the
# one id rule of core.parsing) names no record, and is answered 404 before it reaches a query.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def engine_of(session: Session) -> sa.Engine:
    """The engine a request's session runs on, for work on a connection of its own."""
    bind = session.get_bind()
    return bind.engine if isinstance(bind, sa.Connection) else bind


async def saved_default_language(request: Request, session: SessionDep) -> None:
    """Step 5, when steps 1–4 chose nothing: the default an admin saved, over the environment's.

    A GET reads it in its own session; any other request on a reading connection of its own,
    so that on SQLite it does not take the write lock before the route needs it. Async, so the
    language it makes current is the request's own (a sync dependency runs in a copy of the
    request's context); undone with the rest when the middleware's `use_locale` ends. An API
    request reads it later, once admitted, with `api_default_language`.
    """
    if request.scope["path"].startswith(API_PREFIX) or getattr(request.state, "locale_source", None) != "default":
        return
    language = await run_in_threadpool(_saved_language, session, request.method in READ_METHODS)
    _speak(request, language)


async def api_default_language(request: Request, session: SessionDep) -> None:
    """Step 5 for the API, run once its admission gate has let the request in: read in the request's own
    transaction, so a POST needs no second connection (on SQLite its BEGIN IMMEDIATE is its turn anyway)."""
    if getattr(request.state, "locale_source", None) != "default":
        return
    _speak(request, await run_in_threadpool(default_locale, session))


def _speak(request: Request, language: str) -> None:
    if language != request.state.locale:
        request.state.locale = language
        activate(language)


def _saved_language(session: Session, reads: bool) -> str:
    if reads:
        return default_locale(session)
    with Session(reading(engine_of(session))) as own:
        return default_locale(own)


API_PREFIX = "/api/"


async def refuse_nul(request: Request) -> None:
    """A NUL character anywhere in a query, a path or a page's form is refused (422) at the door:
    no database stores one (PostgreSQL fails on it), and no one types one."""
    fields = [*request.query_params.multi_items(), *request.path_params.items()]
    if request.method not in READ_METHODS and not request.url.path.startswith(API_PREFIX):
        fields += (await request.form()).multi_items()  # Starlette keeps the parsed form for the route
    for name, value in fields:
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise Invalid(name.replace("\x00", "?")[:40], "must not contain NUL characters")


templates = Jinja2Templates(env=environment())
# Pages link each language to the same page; reports rendered outside a request have no such links.
templates.env.globals["language_url"] = language_url
