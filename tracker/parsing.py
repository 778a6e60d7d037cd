"""Reading numbers as people type them in their locale; strict, and never a guess.

The rules, in order:

1. Spaces (plain, no-break, narrow no-break) and apostrophes are group separators
   and are dropped: "500 000,50" → 500000,50.
2. When both "." and "," appear, the last one is the decimal separator and the
   other groups thousands: "500,000.50" and "500.000,50" both mean 500000.50.
3. When one of them appears several times, it groups thousands: "1.000.000".
4. When one of them appears once with other than three digits after it, it is the
   decimal separator: "500000.5", "500,50".
5. When one of them appears once with exactly three digits after it ("500,000",
   "1.500") and no spaces group the number, it is the locale's group separator if
   the locale groups with it (en: "500,000" is five hundred thousand); otherwise
   the text is ambiguous and refused, naming both readings. With spaces grouping
   ("75 250,500") the single mark is the decimal separator.

Groups after the first must have exactly three digits ("1,00,000" is refused).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from tracker.errors import Invalid

SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
SHAPE = re.compile(r"^[+-]?[0-9.,]+$")
GROUPED = re.compile(r"^[0-9]{1,3}(?:X[0-9]{3})*$")


@cache
def _symbols(locale: str) -> tuple[str, str]:
    parsed = Locale.parse(locale)
    return get_decimal_symbol(parsed), get_group_symbol(parsed)


def parse_amount(text: str, locale: str, field: str = "amount") -> Decimal:
    """A Decimal from what a person typed, read by the rules above, or `Invalid` naming the field."""
    if not isinstance(text, str) or not text.strip():
        raise Invalid(field, "a number is required")
    raw = SPACES.sub("", text.strip())
    if not SHAPE.match(raw):
        raise Invalid(field, f"{text.strip()!r} is not a number")
    sign = "-" if raw.startswith("-") else ""
    body = raw.lstrip("+-")
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_mark = "." if body.rfind(".") > body.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        if body.count(decimal_mark) > 1:
            raise Invalid(field, f"{text.strip()!r} has more than one decimal separator")
        whole, fraction = body.split(decimal_mark)
        return _number(sign, _ungroup(whole, group_mark, text, field), fraction, text, field)
    mark = "." if dots else "," if commas else ""
    if not mark:
        return _number(sign, body, "", text, field)
    if body.count(mark) > 1:
        return _number(sign, _ungroup(body, mark, text, field), "", text, field)
    whole, fraction = body.split(mark)
    spaced = raw != text.strip()  # spaces already group the thousands, so the mark is the decimal one
    if len(fraction) != 3 or spaced:
        return _number(sign, whole, fraction, text, field)
    decimal_symbol, group_symbol = _symbols(locale)
    if mark == group_symbol and mark != decimal_symbol:
        return _number(sign, _ungroup(body, mark, text, field), "", text, field)
    as_decimal = _number(sign, whole, fraction, text, field)
    as_thousands = _number(sign, whole + fraction, "", text, field)
    raise Invalid(
        field,
        f"{text.strip()!r} is ambiguous: it could be {format_decimal(as_decimal, locale=locale)} "
        f"or {format_decimal(as_thousands, locale=locale)}; type it without doubt",
    )


def _ungroup(whole: str, mark: str, text: str, field: str) -> str:
    if whole and not GROUPED.match(whole.replace(mark, "X")):
        raise Invalid(field, f"{text.strip()!r} has a thousands separator in the wrong place")
    return whole.replace(mark, "")


def _number(sign: str, whole: str, fraction: str, text: str, field: str) -> Decimal:
    if not whole and not fraction:
        raise Invalid(field, f"{text.strip()!r} is not a number")
    if not (whole or "0").isdigit() or (fraction and not fraction.isdigit()):
        raise Invalid(field, f"{text.strip()!r} is not a number")
    try:
        return Decimal(f"{sign}{whole or '0'}.{fraction}" if fraction else f"{sign}{whole}")
    except InvalidOperation:
        raise Invalid(field, f"{text.strip()!r} is not a number") from None
