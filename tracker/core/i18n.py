"""The current language: gettext for Python code, chosen per request or command through a context variable.

English is the source language (the text in the code); az, tr and ru come from the
catalogues in tracker/locale/<lang>/LC_MESSAGES/messages.po, read at run time (no
compile step). Fuzzy entries are left out, so a translation that needs review shows
the English text until a translator confirms it.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SOURCE_LANGUAGE = "en"
# Each language named in itself, for the language switcher.
LANGUAGES: dict[str, str] = {"en": "English", "az": "Azərbaycanca", "tr": "Türkçe", "ru": "Русский"}

translations: contextvars.ContextVar[NullTranslations] = contextvars.ContextVar(
    "translations",
    default=NullTranslations(),  # noqa: B039 - never mutated; each request sets its own
)
locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=SOURCE_LANGUAGE)


def gettext(message: str) -> str:
    return translations.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations.get().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    # babel annotates pgettext as `str | object`; it returns the catalogue's str or `message`
    return translations.get().pgettext(context, message)  # type: ignore[return-value]


def N_(message: str) -> str:  # noqa: N802 - the name pybabel looks for
    """Mark a message for extraction without translating it yet (translate with gettext where it is shown)."""
    return message


_ = gettext


def locale_dir() -> Path:
    """tracker/locale: the catalogues travel inside the package, so the wheel carries them."""
    return Path(__file__).resolve().parent.parent / "locale"


def load_po(path: Path, language: str) -> Translations:
    """Translations straight from a .po file, without its fuzzy entries."""
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain="messages")


@cache
def translations_for(language: str) -> NullTranslations:
    """The catalogue of a supported language, read once per process."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {', '.join(LANGUAGES)}")
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    return load_po(locale_dir() / language / "LC_MESSAGES" / "messages.po", language)


def supported(tag: str | None) -> str | None:
    """The supported language a tag names (az, az-AZ, az_Latn_AZ, RU), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def current_locale() -> str:
    return locale.get()


def activate(language: str) -> tuple[contextvars.Token[NullTranslations], contextvars.Token[str]]:
    """Make `language` current in this context (a request, a command); returns the tokens to undo it."""
    chosen = translations_for(language)
    return translations.set(chosen), locale.set(language)


@contextmanager
def use_locale(language: str) -> Iterator[str]:
    """Render something in another language than the current one (a report in the donor's own language)."""
    translation_token, locale_token = activate(language)
    try:
        yield language
    finally:
        locale.reset(locale_token)
        translations.reset(translation_token)
