"""The one Jinja environment: autoescaped, strict, with gettext and Babel formatting filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.i18n import locale, translations
from tracker.money import Money, minor_digits


def templates_dir() -> Path:
    """The templates folder: inside the installed wheel, or at the top of a checkout."""
    packaged = Path(str(files("tracker"))) / "templates"
    if (packaged / "base.html").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent.parent / "templates"
    if (checkout / "base.html").is_file():
        return checkout
    raise RuntimeError("the templates folder was not found; reinstall tracker")


def money(value: Money | None) -> str:
    """Money in the request's locale, with the currency's own digits; Babel never rounds here."""
    if value is None:
        return ""
    digits = minor_digits(value.currency)
    exact = value.amount.quantize(Decimal(1).scaleb(-digits))
    return format_currency(exact, value.currency, locale=locale.get())


def number(value: Decimal | int) -> str:
    return format_decimal(value, locale=locale.get())


def long_date(value: date | None) -> str:
    return format_date(value, format="medium", locale=locale.get()) if value else ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations.get().gettext(s),
        ngettext=lambda s, p, n: translations.get().ngettext(s, p, n),
        pgettext=lambda c, s: translations.get().pgettext(c, s),
        npgettext=lambda c, s, p, n: translations.get().npgettext(c, s, p, n),
        newstyle=True,
    )
    env.filters.update(money=money, number=number, date=long_date)
    return env
