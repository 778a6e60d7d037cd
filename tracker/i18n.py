"""The current language: gettext for Python code, chosen per request or command through a context variable."""

from __future__ import annotations

import contextvars

from babel.support import NullTranslations

translations: contextvars.ContextVar[NullTranslations] = contextvars.ContextVar(
    "translations",
    default=NullTranslations(),  # noqa: B039 - never mutated; each request sets its own
)
locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default="en")


def gettext(message: str) -> str:
    return translations.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations.get().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations.get().pgettext(context, message)


_ = gettext
