"""What every API route depends on: the bearer token's user and role, idempotent POSTs, a body size limit."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from tracker.accounts.tokens import PREFIX as TOKEN_PREFIX
from tracker.accounts.tokens import user_for_token
from tracker.accounts.users import has_role
from tracker.core.config import get_settings
from tracker.core.i18n import gettext
from tracker.core.vocabulary import Role
from tracker.db.columns import stored_id
from tracker.db.models import User
from tracker.web.api.errors import message_response
from tracker.web.api.idempotency import Answer, Claim, Fingerprint, claim, remember
from tracker.web.bodies import BodyTooLarge, read_bounded, replaying
from tracker.web.deps import READ_METHODS, SessionDep

MAX_BODY = 1024 * 1024

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `tracker token create --user EMAIL`, sent as `Authorization: Bearer <token>`.",
)


class Refused(Exception):
    """The request may not go on: no or bad token (401), or a role that may not (403)."""

    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers


class Replay(Exception):
    """The request repeats an earlier one with the same Idempotency-Key: answer as the first time."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("replay")
        self.answer = answer


def no_token() -> Refused:
    return Refused(401, gettext("send a token: Authorization: Bearer <token>"), {"WWW-Authenticate": "Bearer"})


def has_bearer_token(authorization: str | None) -> bool:
    """Whether the header at least looks like `Bearer <token>`; checked before the body is even read."""
    scheme, _, credentials = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and credentials.strip().startswith(TOKEN_PREFIX)


def current_user(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> User:
    """The active user behind a live bearer token, checked on every request."""
    if credentials is None:
        raise no_token()
    user = user_for_token(session, credentials.credentials)
    if user is None:
        raise Refused(
            401,
            gettext("the token is not valid: unknown, revoked, or its user is deactivated"),
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return user


def _role(needed: str) -> Callable[[User], Coroutine[Any, Any, User]]:
    async def allowed(user: Annotated[User, Depends(current_user)]) -> User:  # async: no thread hop to compare roles
        if not has_role(user, needed):
            raise Refused(
                403,
                gettext("the {role} role may not do this; it needs {needed} or above").format(
                    role=user.role, needed=needed
                ),
            )
        return user

    return allowed


# A viewer reads; a clerk also records and corrects contributions and adds donors and
# recipients; an admin also manages the catalogue (appeals and items) and imports.
Viewer = Annotated[User, Depends(_role(Role.VIEWER))]
Clerk = Annotated[User, Depends(_role(Role.CLERK))]
Admin = Annotated[User, Depends(_role(Role.ADMIN))]


async def fingerprint(request: Request) -> Fingerprint:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Fingerprint.of(request.method, path, await request.body())


class Idempotency:
    """Answers a POST, keeping the answer with its Idempotency-Key (if it has one) in the same transaction."""

    def __init__(self, session: Session, claimed: Claim | None) -> None:
        self.session = session
        self.claimed = claimed

    def answer(self, status_code: int, body: BaseModel) -> Response:
        text = body.model_dump_json()
        if self.claimed is not None:
            remember(self.session, self.claimed, Answer(status_code, text))
        return Response(text, status_code=status_code, media_type="application/json")


async def idempotency(
    session: SessionDep,
    user: Annotated[User, Depends(current_user)],
    request_fingerprint: Annotated[Fingerprint, Depends(fingerprint)],
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            # printable ASCII, as idempotency.claim checks; no space at either end, which HTTP would strip
            json_schema_extra={"pattern": "^[!-~]([ -~]{0,198}[!-~])?$"},
            description="Any unique string (a UUID is best). Retrying with the same key and body returns the first "
            "answer and creates nothing; the same key with another body is refused with 409.",
        ),
    ] = None,
) -> Idempotency:
    if key is None:  # async, so a POST without a key costs no thread hop here
        return Idempotency(session, None)
    kept = await run_in_threadpool(claim, session, stored_id(user), key, request_fingerprint)
    if isinstance(kept, Answer):
        raise Replay(kept)
    return Idempotency(session, kept)


Idempotent = Annotated[Idempotency, Depends(idempotency)]


# How many API requests of one process may use the database at once. A request's
# transaction spans several worker-thread hops (token, idempotency key, endpoint,
# commit); if waiting requests held worker threads, the one holding a lock could find
# no thread left to finish on, and all would hang. Requests past the limit wait in the
# event loop, which costs no thread; the limits together stay well under the thread pool
# (40) and the connection pool (15). SQLite has one writer at a time anyway (every writing
# transaction takes the write lock at BEGIN IMMEDIATE), so there writers simply queue, one
# per process; GET and HEAD read a WAL snapshot without the write lock, so there they have
# a gate of their own and never queue behind a writer. PostgreSQL locks rows, not the
# database: one gate for all.
IN_FLIGHT = {"sqlite": 1, "postgresql": 8}
READERS_IN_FLIGHT = {"sqlite": 8}
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[bool, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def _new_gates() -> dict[bool, asyncio.Semaphore]:
    """This loop's gates, keyed by "the request only reads"."""
    kind = "sqlite" if get_settings().database_url.startswith("sqlite") else "postgresql"
    writers = asyncio.Semaphore(IN_FLIGHT[kind])
    readers = asyncio.Semaphore(READERS_IN_FLIGHT[kind]) if kind in READERS_IN_FLIGHT else writers
    return {False: writers, True: readers}


async def admitted(request: Request) -> AsyncIterator[None]:
    """Hold one of this process's database places for the whole request, commit included."""
    loop = asyncio.get_running_loop()
    gates = _gates.get(loop)
    if gates is None:
        gates = _gates.setdefault(loop, _new_gates())
    async with gates[request.method in READ_METHODS]:
        yield


def known_query(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' included."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names |= {param.alias for param in dependant.query_params}
        pending.extend(dependant.dependencies)
    return frozenset(names)


async def strict_query(request: Request, user: Annotated[User, Depends(current_user)]) -> None:
    """Refuse query parameters the route does not know (after the token is checked, so 401 comes first).

    An unknown parameter is a typo more often than not (`?donor=5` for `?donor_id=5`), and
    silently ignoring it would answer a different question than the one asked. Async: it only
    compares names, so it costs no thread hop.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - known_query(route))
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "unknown_parameter",
                    "loc": ("query", name),
                    "msg": gettext("is not a parameter of this request"),
                }
                for name in unknown
            ]
        )


class LimitedRoute(APIRoute):
    """A route that wants a bearer token before anything else and refuses bodies over `max_body` bytes (413)."""

    max_body = MAX_BODY

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = self.max_body

        async def limited(request: Request) -> Response:
            if not has_bearer_token(request.headers.get("authorization")):
                raise no_token()  # 401 before anything about the body, which FastAPI parses before dependencies
            too_large = message_response(
                gettext("the request body is larger than {limit} bytes").format(limit=limit), 413
            )
            length = request.headers.get("content-length")
            if length is not None and (not length.isdecimal() or int(length) > limit):
                return too_large
            if request.method in ("POST", "PUT", "PATCH"):
                try:
                    body = await read_bounded(request, limit)
                except BodyTooLarge:
                    return too_large
                request = replaying(request, body)  # FastAPI reads the body again from the handler's request
            return await handler(request)

        return limited


def install(app: FastAPI) -> None:
    """Register the handlers for refused requests and replays."""

    async def refused(request: Request, exc: Refused) -> Response:
        return message_response(exc.message, exc.status_code, exc.headers)

    async def replay(request: Request, exc: Replay) -> Response:
        return Response(
            exc.answer.body,
            status_code=exc.answer.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )

    # Starlette types a handler as taking any Exception, so one for a subclass needs the ignores.
    app.add_exception_handler(Refused, refused)  # type: ignore[arg-type]
    app.add_exception_handler(Replay, replay)  # type: ignore[arg-type]
