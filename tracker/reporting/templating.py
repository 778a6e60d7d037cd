"""The one Jinja environment: autoescaped, strict, with gettext and Babel formatting filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from tracker.core.formatting import (
    DateFormat,
    format_date,
    format_money,
    format_money_code,
    format_money_short,
    format_number,
    format_quantity,
    format_share,
)
from tracker.core.i18n import LANGUAGES, current_locale, translations
from tracker.core.money import Money
from tracker.core.vocabulary import BUCKETS, VOCABULARIES, items_heading, term


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
    """Money in the current locale, with the currency's own digits, rounded half up before Babel."""
    return format_money(value) if value is not None else ""


def money_short(value: Money | None) -> str:
    """Money abbreviated for a chart's label (the full figure goes beside it in a title or a table)."""
    return format_money_short(value) if value is not None else ""


def money_code(value: Money | None) -> str:
    """Money with its ISO code after the number, for tables that mix currencies."""
    return format_money_code(value) if value is not None else ""


def number(value: Decimal | int | None) -> str:
    return format_number(value) if value is not None else ""


def quantity(value: Decimal | int | None, unit: str) -> str:
    """A quantity with its unit in the right plural form: `10 pieces`, `1 piece`."""
    return format_quantity(value, unit) if value is not None else ""


def date_text(value: date | None, format: DateFormat = "medium") -> str:
    return format_date(value, format) if value else ""


def percent(value: Decimal | None) -> str:
    """A fraction as a percentage in the current locale, one decimal: 0.479 → 47.9 %."""
    if value is None:
        return ""
    return format_share(value)


def per_render(function: Callable[..., str]) -> Callable[..., str]:
    """A filter that reads the current language, so Jinja must not fold it into the compiled template.

    Jinja evaluates a filter on constants (`{{ "void" | term("status") }}`) once, when it
    compiles the template, and would keep the words of whichever language came first.
    """

    @pass_context
    def filter_(context: Context, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return filter_


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension, undeclared
        gettext=lambda s: translations.get().gettext(s),
        ngettext=lambda s, p, n: translations.get().ngettext(s, p, n),
        pgettext=lambda c, s: translations.get().pgettext(c, s),
        npgettext=lambda c, s, p, n: translations.get().npgettext(c, s, p, n),
        newstyle=True,
    )
    filters: dict[str, Callable[..., str]] = {
        "money": money,
        "money_code": money_code,
        "money_short": money_short,
        "number": number,
        "quantity": quantity,
        "date": date_text,
        "percent": percent,
    }
    env.filters.update({name: per_render(function) for name, function in {**filters, "term": term}.items()})
    env.globals.update(current_locale=current_locale, languages=LANGUAGES)
    # The codes by name (`Status.PAID`, `Bucket.OUTSTANDING`), so templates compare and loop without bare strings.
    env.globals.update({vocabulary.__name__: vocabulary for vocabulary in VOCABULARIES.values()})
    env.globals.update(BUCKETS=BUCKETS, items_heading=items_heading)
    return env
