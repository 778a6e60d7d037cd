"""The headers every answer carries (pages, API, docs, static files, 500s) and HEAD wherever GET is."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
# A year, with subdomains: sent only on answers that came over HTTPS (a browser ignores it over HTTP,
# and sending it there would pin a development server on localhost to HTTPS).
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
REPLACED = {name for name, _ in SECURITY_HEADERS} | {HSTS[0], b"server"}


class SecurityHeaders:
    """Outermost layer of the app: every answer, even the 500 Starlette writes itself, leaves with these headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*SECURITY_HEADERS, HSTS] if scope.get("scheme") == "https" else list(SECURITY_HEADERS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in REPLACED]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD is answered wherever GET is: the GET's status and headers, without its body (RFC 9110 §9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


def wrap(app: ASGIApp) -> ASGIApp:
    """The app as the server sees it: HEAD turned into GET, then headers put on whatever comes out."""
    return SecurityHeaders(HeadAsGet(app))
