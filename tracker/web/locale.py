"""Which language each request is answered in: chosen once, remembered in a cookie when asked for.

The order, first match wins:

1. `?lang=az` in the URL (the language switcher's links), then remembered in the `lang` cookie;
2. the `lang` cookie;
3. the signed-in user's language (kept in the session cookie at sign-in, which the session
   middleware, added after this one and so running before it, has decoded);
4. the browser's `Accept-Language`, best q-value first (`az-AZ` → az, `tr-TR` → tr, `ru-RU` → ru);
5. the organisation's default language saved on the settings page, else `TRACKER_DEFAULT_LOCALE`.

The middleware sets `request.state.locale` (and `request.state.locale_source`, what
chose it) and the context variables of tracker.core.i18n for the whole request, so gettext,
templates, error messages and the formatting filters all speak the same language.

Step 5 reads the saved default through the request's own database session, so it is a
dependency of every route (`tracker.web.deps.saved_default_language`), run before the
route's own: the middleware has already set the environment's default, and only a
request none of steps 1–4 decided pays for the read.

For step 3 the sign-in layer must run first: add its middleware *after* this one in
app.py (Starlette runs the middleware added last first). A user found later, by a route
dependency, is too late to choose the language of the request.
"""

from __future__ import annotations

from typing import Literal

from starlette.datastructures import URL, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.core.config import get_settings
from tracker.core.i18n import supported, use_locale

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
Source = Literal["query", "cookie", "user", "header", "default"]


def accepted_languages(header: str | None) -> list[str]:
    """The supported languages an Accept-Language header asks for, best first; `q=0` means "not this one"."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    chosen: list[str] = []
    for _, _, language in sorted(ranked):
        if language not in chosen:
            chosen.append(language)
    return chosen


def choose_locale(
    query: str | None, cookie: str | None, user_locale: str | None, accept_language: str | None, default: str
) -> tuple[str, Source]:
    """The request's language and what chose it; unsupported values are skipped, never an error."""
    if language := supported(query):
        return language, "query"
    if language := supported(cookie):
        return language, "cookie"
    if language := supported(user_locale):
        return language, "user"
    if languages := accepted_languages(accept_language):
        return languages[0], "header"
    return default, "default"


def language_url(request: Request, language: str) -> str:
    """The current page (path and query) in another language: what the language switcher links to."""
    url = request.url.include_query_params(lang=language)
    return str(URL(path=url.path, query=url.query))


class LocaleMiddleware:
    """Pure ASGI middleware, so the language it sets is seen by sync and async endpoints alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        user = getattr(request.state, "user", None)
        signed_in = scope.get("session") or {}  # the session middleware runs outside this one
        cookie = request.cookies.get(COOKIE)
        language, source = choose_locale(
            request.query_params.get("lang"),
            cookie,
            getattr(user, "locale", None) or signed_in.get("locale"),
            request.headers.get("accept-language"),
            get_settings().default_locale,
        )
        request.state.locale = language
        request.state.locale_source = source
        remember = source == "query" and cookie != language
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_remembering(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{COOKIE}={language}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=lax{secure}"
                )
            await send(message)

        with use_locale(language):
            await self.app(scope, receive, send_remembering if remember else send)
