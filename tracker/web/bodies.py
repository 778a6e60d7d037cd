"""A request body read whole up to a limit, and the request that replays it to the route's handler."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message


class BodyTooLarge(Exception):
    """The body went past the limit while it was read; nothing past the limit was kept."""


async def read_bounded(request: Request, limit: int) -> bytes:
    """The body's bytes, read in the chunks the client sends; BodyTooLarge as soon as they pass `limit`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def replaying(request: Request, body: bytes) -> Request:
    """A new request on the same scope whose `receive` hands over `body` once, then the client's own messages
    (a disconnect): Starlette's documented way to give a handler a body already read (a custom receive)."""
    sent = False
    receive = request.receive

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, replay)
