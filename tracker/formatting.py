"""Money, numbers, quantities and dates as text for people, in a locale, with Babel (only at the edge).

Services hand out `Money`, `Decimal` and `date`; pages, reports and the CLI turn them
into text here. Every function takes an explicit `locale` and falls back to the
current one (the request's, or the command's). Money is rounded half up to the
currency's own digits *before* Babel sees it, so Babel never rounds (its default
would be half-even).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Literal

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, format_percent

from tracker.i18n import current_locale, ngettext, use_locale
from tracker.money import Money, round_half_up

DateFormat = Literal["short", "medium", "long"]

# The number, a no-break space and the ISO code, for tables that mix currencies.
# Babel replaces the pattern's two fraction digits with the currency's own
# (JPY 0, KWD 3), which is what such a table needs.
ISO_CODE_PATTERN = "#,##0.00\u00a0¤¤"


def format_money(value: Money, locale: str | None = None) -> str:
    """Money the way the locale writes it (CLDR's pattern and symbol): az `500.000,00 ₼`, en `AZN500,000.00`."""
    exact = _exact(value)
    return format_currency(exact, value.currency, locale=babel_locale(locale or current_locale()))


def format_money_code(value: Money, locale: str | None = None) -> str:
    """Money with its ISO code after the number, unambiguous among many currencies: ru `1 234 567,89 AZN`."""
    exact = _exact(value)
    return format_currency(
        exact, value.currency, format=ISO_CODE_PATTERN, locale=babel_locale(locale or current_locale())
    )


def format_number(value: Decimal | int, locale: str | None = None) -> str:
    """A number with the locale's separators, every digit kept: en `2,400.5`, ru `2 400,5`."""
    if isinstance(value, float):
        raise TypeError("format_number takes a Decimal or an int, never a float")
    return format_decimal(value, locale=babel_locale(locale or current_locale()), decimal_quantization=False)


def format_quantity(quantity: Decimal | int, unit: str, locale: str | None = None) -> str:
    """A quantity in its unit, in the unit's right plural form: `1 piece`, `10 pieces`, ru `5 рейсов`."""
    language = locale or current_locale()
    number = format_number(quantity, language)
    forms = UNIT_FORMS.get(unit)
    if forms is None:  # a unit outside the list (an old record): shown as stored
        return f"{number} {unit}"
    if language == current_locale():
        return forms(plural_count(quantity)).format(count=number)
    with use_locale(language):
        return forms(plural_count(quantity)).format(count=number)


def format_date(value: date, format: DateFormat = "medium", locale: str | None = None) -> str:
    """A date in the locale's own words: medium az `7 mar 2025`, long ru `7 марта 2025 г.`."""
    return babel_format_date(value, format=format, locale=babel_locale(locale or current_locale()))


@cache
def babel_locale(code: str) -> Locale:
    """The parsed Babel locale, once per process: Babel would parse the tag again in every call (reports format
    tens of thousands of figures)."""
    return Locale.parse(code)


def format_share(value: Decimal, locale: str | None = None) -> str:
    """A fraction as a percentage with one decimal, in the locale's own pattern: 47.9% (en), %47,9 (tr)."""
    rounded = value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return format_percent(rounded, locale=locale or current_locale(), decimal_quantization=False)


def plural_count(quantity: Decimal | int) -> int:
    """The whole number gettext chooses a plural form by.

    gettext's plural rules count whole numbers only. A fraction takes the form of 2:
    `2.5 pieces` in English, and in Russian the form used after a fraction
    (`1,5 тонны`, `0,5 литра`), which is the form of 2.
    """
    if isinstance(quantity, int):
        return quantity
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return 2


def _exact(value: Money) -> Decimal:
    if not isinstance(value.amount, Decimal):
        raise TypeError("money must be a Decimal, never a float")
    return round_half_up(value.amount, value.currency)


# One entry per unit in tracker.models.UNITS (a test checks they match). Each form
# holds `{count}`, the number already formatted for the locale.
# TRANSLATORS: a quantity and its unit; {count} is the number, already formatted ("2,400", "2 400").
UNIT_FORMS: dict[str, Callable[[int], str]] = {
    "piece": lambda n: ngettext("{count} piece", "{count} pieces", n),
    "kg": lambda n: ngettext("{count} kg", "{count} kg", n),
    "tonne": lambda n: ngettext("{count} tonne", "{count} tonnes", n),
    "litre": lambda n: ngettext("{count} litre", "{count} litres", n),
    "box": lambda n: ngettext("{count} box", "{count} boxes", n),
    "kit": lambda n: ngettext("{count} kit", "{count} kits", n),
    "set": lambda n: ngettext("{count} set", "{count} sets", n),
    "pallet": lambda n: ngettext("{count} pallet", "{count} pallets", n),
    "person-day": lambda n: ngettext("{count} person-day", "{count} person-days", n),
    "person": lambda n: ngettext("{count} person", "{count} people", n),
    "flight": lambda n: ngettext("{count} flight", "{count} flights", n),
    "truck": lambda n: ngettext("{count} truck", "{count} trucks", n),
    "hour": lambda n: ngettext("{count} hour", "{count} hours", n),
}
