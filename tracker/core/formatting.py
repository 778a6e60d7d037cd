"""Money, numbers, quantities and dates as text for people, in a locale, with Babel (only at the edge).

Services hand out `Money`, `Decimal` and `date`; pages, reports and the CLI turn them
into text here. Every function takes an explicit `locale` and falls back to the
current one (the request's, or the command's). Money is rounded half up to the
currency's own digits *before* Babel sees it, so Babel never rounds (its default
would be half-even).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import (
    format_compact_currency,
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

from tracker.core.i18n import current_locale, ngettext, use_locale
from tracker.core.money import Money, minor_digits, round_half_up

DateFormat = Literal["short", "medium", "long"]

# The number, a no-break space and the ISO code, for tables that mix currencies.
# Babel replaces the pattern's two fraction digits with the currency's own
# (JPY 0, KWD 3), which is what such a table needs.
ISO_CODE_PATTERN = "#,##0.00\u00a0¤¤"


def format_money(value: Money, locale: str | None = None) -> str:
    """Money the way the locale writes it (CLDR's pattern and symbol): az `500.000,00 ₼`, en `AZN500,000.00`."""
    return _money_text(_exact(value), value.currency, None, locale or current_locale())


def format_money_code(value: Money, locale: str | None = None) -> str:
    """Money with its ISO code after the number, unambiguous among many currencies: ru `1 234 567,89 AZN`."""
    return _money_text(_exact(value), value.currency, ISO_CODE_PATTERN, locale or current_locale())


def format_money_short(value: Money, locale: str | None = None) -> str:
    """Money abbreviated for a chart's label, never for a figure to add up: en `AZN1.6M`, ru `1,6 млн AZN`."""
    return format_compact_currency(
        _exact(value), value.currency, locale=babel_locale(locale or current_locale()), fraction_digits=1
    )


@dataclass(frozen=True, slots=True)
class MoneyShape:
    """How one locale writes one currency in one pattern, learnt from Babel once: the text around the number,
    and the group and decimal signs. Applying it is several times cheaper than Babel's pattern (reports
    write tens of thousands of amounts) and gives the same text: `money_shape` checks it against Babel."""

    group: str
    decimal: str
    positive: tuple[str, str]
    negative: tuple[str, str]

    def apply(self, exact: Decimal) -> str:
        """An amount already rounded to its currency's digits."""
        negative = exact < 0
        # str() is positional for an amount quantized to 0–3 decimals (and far quicker than format()).
        whole, _, fraction = str(-exact if negative else exact).partition(".")
        number = f"{int(whole):,}".replace(",", self.group)
        if fraction:
            number += self.decimal + fraction
        prefix, suffix = self.negative if negative else self.positive
        return prefix + number + suffix


# Amounts a shape must write exactly as Babel does before it is trusted (grouping, signs, zero, digits).
_PROBES = ("0", "1", "12", "123", "1234", "12345", "123456", "1234567", "9876543210", "-1", "-1234", "-1234567")


def _money_text(exact: Decimal, currency: str, pattern: str | None, locale: str) -> str:
    shape = money_shape(locale, currency, pattern)
    if shape is None or (exact.is_zero() and exact.is_signed()):
        return format_currency(exact, currency, format=pattern, locale=babel_locale(locale))
    return shape.apply(exact)


@cache
def money_shape(locale: str, currency: str, pattern: str | None) -> MoneyShape | None:
    """The shape of a (locale, currency, pattern), or None when it does not reproduce Babel's text (Babel is used)."""
    parsed = babel_locale(locale)
    digits = minor_digits(currency)

    def babel(value: Decimal) -> str:
        return format_currency(value, currency, format=pattern, locale=parsed)

    group, decimal = get_group_symbol(parsed), get_decimal_symbol(parsed)
    sample = Decimal("1234567" + ("." + "8" * digits if digits else ""))
    number = f"{1234567:,}".replace(",", group) + (decimal + "8" * digits if digits else "")
    sides = []
    for text in (babel(sample), babel(-sample)):
        at = text.find(number)
        if at < 0:
            return None
        sides.append((text[:at], text[at + len(number) :]))
    shape = MoneyShape(group, decimal, sides[0], sides[1])
    for probe in _PROBES:
        for fraction in ("", "05", "5"):
            value = round_half_up(Decimal(probe + ("." + fraction if fraction else "")), currency)
            if shape.apply(value) != babel(value):
                return None
    return shape


def format_number(value: Decimal | int, locale: str | None = None) -> str:
    """A number with the locale's separators, every digit kept: en `2,400.5`, ru `2 400,5`."""
    if isinstance(value, float):
        raise TypeError("format_number takes a Decimal or an int, never a float")
    return _number_text(str(value), locale or current_locale())


@lru_cache(maxsize=4096)
def _number_text(value: str, locale: str) -> str:
    """Reports repeat the same quantities and rates; the text of a number is its digits' (str keeps 1.0 apart
    from 1, which an equality-keyed cache would not)."""
    return format_decimal(Decimal(value), locale=babel_locale(locale), decimal_quantization=False)


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
    return _date_text(value, format, locale or current_locale())


@lru_cache(maxsize=4096)
def _date_text(value: date, format: DateFormat, locale: str) -> str:
    """Reports repeat the same few dates thousands of times."""
    return babel_format_date(value, format=format, locale=babel_locale(locale))


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
    """The amount rounded half up to its currency's digits."""
    if not isinstance(value.amount, Decimal):
        raise TypeError("money must be a Decimal, never a float")
    return round_half_up(value.amount, value.currency)


# One entry per unit in tracker.db.models.UNITS (a test checks they match). Each form
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
