"""Reading numbers and dates as people type them in their locale; strict, and never a guess.

Amounts (`parse_amount`), the rules in order:

1. Spaces (plain, no-break, narrow no-break) and apostrophes are group separators
   and are dropped: "500 000,50" → 500000,50.
2. When both "." and "," appear, the last one is the decimal separator and the
   other groups thousands: "500,000.50" and "500.000,50" both mean 500000.50.
3. When one of them appears several times, it groups thousands: "1.000.000".
4. When one of them appears once with other than three digits after it, it is the
   decimal separator: "500000.5", "500,50".
5. When one of them appears once with exactly three digits after it ("500,000",
   "1.500"), no spaces group the number and no zero leads it ("0.125" is always
   0.125: no one groups thousands after a zero), it is the locale's group separator if
   the locale groups with it (en: "500,000" is five hundred thousand); otherwise
   the text is ambiguous and refused, naming both readings. With spaces grouping
   ("75 250,500") the single mark is the decimal separator.

Groups after the first must have exactly three digits ("1,00,000" is refused).

Digits alone, or with one point and other than three digits after it ("500000.50"), read
the same in every locale by rules 1-4; they are taken on a quick path first, because an
import reads tens of thousands of them a second (`_parse_by_rules` is the plain version).

Ids (`parse_id`) and machine dates (`iso_date`), as a query string, an API client or a
command line gives them, are read strictly: ASCII digits only, YYYY-MM-DD only.

Dates (`parse_date`):

1. ISO `yyyy-mm-dd` is read in every locale.
2. The locale's short numeric form is read in the locale's order (en `3/7/2025` is
   7 March; az, tr and ru `07.03.2025` is 7 March); the day and month may drop their
   leading zero, and the year may have two digits (`07.03.25`), which fall within
   80 years before and 20 years after today, as CLDR parsers do.
3. Day, month and year with another separator (`07/03/2025` in az, `07.03.2025` in en)
   are read only when one reading is a real date, or both readings are the same date;
   when day-first and month-first give two different dates, the text is ambiguous
   and refused, naming both.
4. An impossible date (`31.02.2025`) is refused.

The staff pages show and read every typed date this way (`typed_date`, `date_pattern`): a text field with
the locale's pattern, never the browser's date input, whose order follows the browser's locale and not the
page's. The pattern is CLDR's short date with a four-digit year: en `mm/dd/yyyy`, az, tr and ru
`dd.mm.yyyy`. The API, the CLI and query strings written by the app keep ISO dates (`iso_date`), which
`parse_date` reads in every locale too.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.dates import format_date, get_date_format
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from tracker.core.errors import Invalid

SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
SHAPE = re.compile(r"^[+-]?[0-9.,]+$")
PLAIN = re.compile(r"^[0-9]+(?:\.(?:[0-9]{1,2}|[0-9]{4,}))?$")  # the quick path: no rule can read it otherwise
GROUPED = re.compile(r"^[1-9][0-9]{0,2}(?:X[0-9]{3})*$")  # no one groups thousands after a leading zero
ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
MACHINE_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Ids are integers in the database, but clients must not assume so: the range is PostgreSQL's INTEGER.
MAX_ID = 2**31 - 1
ID_TEXT = re.compile(r"^[1-9][0-9]{0,9}$")
NUMERIC_DATE = re.compile(r"^([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})$")
# Shown in messages as the form to type: the last day of a year makes the order obvious.
EXAMPLE_DATE = date(2025, 12, 31)


@cache
def _symbols(locale: str) -> tuple[str, str]:
    parsed = Locale.parse(locale)
    return get_decimal_symbol(parsed), get_group_symbol(parsed)


def parse_amount(text: str, locale: str, field: str = "amount") -> Decimal:
    """A Decimal from what a person typed, read by the rules above, or `Invalid` naming the field."""
    if isinstance(text, str) and PLAIN.match(text):
        return Decimal(text)
    return _parse_by_rules(text, locale, field)


def _parse_by_rules(text: str, locale: str, field: str) -> Decimal:
    if not isinstance(text, str) or not text.strip():
        raise Invalid(field, "a number is required")
    raw = SPACES.sub("", text.strip())
    if not SHAPE.match(raw):
        raise Invalid(field, "{text!r} is not a number", text=text.strip())
    sign = "-" if raw.startswith("-") else ""
    body = raw.lstrip("+-")
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_mark = "." if body.rfind(".") > body.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        if body.count(decimal_mark) > 1:
            raise Invalid(field, "{text!r} has more than one decimal separator", text=text.strip())
        whole, fraction = body.split(decimal_mark)
        return _number(sign, _ungroup(whole, group_mark, text, field), fraction, text, field)
    mark = "." if dots else "," if commas else ""
    if not mark:
        return _number(sign, body, "", text, field)
    if body.count(mark) > 1:
        return _number(sign, _ungroup(body, mark, text, field), "", text, field)
    whole, fraction = body.split(mark)
    spaced = raw != text.strip()  # spaces already group the thousands, so the mark is the decimal one
    if len(fraction) != 3 or spaced or not whole or whole.startswith("0"):  # "0.125" has no thousands group
        return _number(sign, whole, fraction, text, field)
    decimal_symbol, group_symbol = _symbols(locale)
    if mark == group_symbol and mark != decimal_symbol:
        return _number(sign, _ungroup(body, mark, text, field), "", text, field)
    as_decimal = _number(sign, whole, fraction, text, field)
    as_thousands = _number(sign, whole + fraction, "", text, field)
    raise Invalid(
        field,
        "{text!r} is ambiguous: it could be {first} or {second}; type it without doubt",
        text=text.strip(),
        first=format_decimal(as_decimal, locale=locale),
        second=format_decimal(as_thousands, locale=locale),
    )


def _ungroup(whole: str, mark: str, text: str, field: str) -> str:
    if whole and not GROUPED.match(whole.replace(mark, "X")):
        raise Invalid(field, "{text!r} has a thousands separator in the wrong place", text=text.strip())
    return whole.replace(mark, "")


def _number(sign: str, whole: str, fraction: str, text: str, field: str) -> Decimal:
    if not whole and not fraction:
        raise Invalid(field, "{text!r} is not a number", text=text.strip())
    if not (whole or "0").isdecimal() or (fraction and not fraction.isdecimal()):
        raise Invalid(field, "{text!r} is not a number", text=text.strip())
    try:
        return Decimal(f"{sign}{whole or '0'}.{fraction}" if fraction else f"{sign}{whole}")
    except InvalidOperation:
        raise Invalid(field, "{text!r} is not a number", text=text.strip()) from None


@cache
def _date_form(locale: str) -> tuple[str, str, str]:
    """The locale's short numeric date: its field order ("dmy", "mdy"), separator, and a full-year pattern."""
    pattern = get_date_format("short", locale=Locale.parse(locale)).pattern
    order = ""
    for letter in pattern:
        field = {"d": "d", "M": "m", "y": "y"}.get(letter)
        if field and field not in order:
            order += field
    separator = next(char for char in pattern if char in "./-")
    if order not in ("dmy", "mdy") or not separator:
        raise RuntimeError(f"unexpected short date pattern {pattern!r} for {locale}")
    return order, separator, re.sub(r"y+", "y", pattern)


def date_example(locale: str) -> str:
    """How a date is typed in the locale, as an example: en `12/31/2025`, az `31.12.2025`."""
    return format_date(EXAMPLE_DATE, format=_date_form(locale)[2], locale=locale)


def typed_date(day: date | None, locale: str) -> str:
    """A date as a person types it in the locale (en `12/8/2026`, az `08.12.2026`), or "" for none."""
    return "" if day is None else format_date(day, format=_date_form(locale)[2], locale=locale)


@cache
def date_pattern(locale: str) -> str:
    """The locale's typed date as a pattern to show beside the field: en `mm/dd/yyyy`, az `dd.mm.yyyy`."""
    order, separator, _ = _date_form(locale)
    return separator.join({"d": "dd", "m": "mm", "y": "yyyy"}[part] for part in order)


def parse_date(text: str, locale: str, field: str = "date", today: date | None = None) -> date:
    """A date from what a person typed, read by the rules above, or `Invalid` naming the field."""
    if not isinstance(text, str) or not text.strip():
        raise Invalid(field, "a date is required")
    shown = text.strip()
    if iso := ISO_DATE.match(shown):
        year, month, day = (int(part) for part in iso.groups())
        return _real_date(year, month, day, shown, field)
    numeric = NUMERIC_DATE.match(shown)
    if not numeric:
        raise Invalid(field, "{text!r} is not a date; type it like {example}", text=shown, example=date_example(locale))
    first, separator, second, year_text = numeric.groups()
    year = _full_year(year_text, today or date.today())
    order, locale_separator, _ = _date_form(locale)
    if separator == locale_separator:
        day_text, month_text = (first, second) if order == "dmy" else (second, first)
        return _real_date(year, int(month_text), int(day_text), shown, field)
    readings = {
        reading
        for day, month in ((first, second), (second, first))
        if (reading := _maybe_date(year, int(month), int(day))) is not None
    }
    if len(readings) == 1:
        return readings.pop()
    if not readings:
        raise Invalid(field, "{text!r} is not a real date", text=shown)
    earlier, later = sorted(readings)
    raise Invalid(
        field,
        "{text!r} is ambiguous: it could be {first} or {second}; type it like {example}",
        text=shown,
        first=format_date(earlier, format="long", locale=locale),
        second=format_date(later, format="long", locale=locale),
        example=date_example(locale),
    )


def _full_year(digits: str, today: date) -> int:
    """A four-digit year as typed; a two-digit one within 80 years before and 20 after today."""
    if len(digits) == 4:
        return int(digits)
    earliest = today.year - 80
    year = earliest - earliest % 100 + int(digits)
    return year + 100 if year < earliest else year


def _maybe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _real_date(year: int, month: int, day: int, shown: str, field: str) -> date:
    found = _maybe_date(year, month, day)
    if found is None:
        raise Invalid(field, "{text!r} is not a real date", text=shown)
    return found


def parse_id(value: object) -> int | None:
    """The integer behind an opaque id, or None when it cannot be one of ours."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if isinstance(value, str) and ID_TEXT.fullmatch(value):
        number = int(value)
        return number if number <= MAX_ID else None
    return None


def iso_date(text: str, field: str) -> date:
    """A date written YYYY-MM-DD (a date field's value, a query string's, a command line's), or `Invalid`."""
    if MACHINE_DATE.fullmatch(text):
        found = _maybe_date(int(text[:4]), int(text[5:7]), int(text[8:]))
        if found is not None:
            return found
    raise Invalid(field, "{value} is not a date (YYYY-MM-DD)", value=text[:40])
