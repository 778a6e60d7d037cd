"""Amounts and dates typed the way people type them in their locale are read exactly; ambiguity is refused."""

from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import assume, given
from hypothesis import strategies as st

from tracker.core.errors import Invalid
from tracker.core.formatting import format_date, format_money_code, format_number
from tracker.core.i18n import use_locale
from tracker.core.money import Money
from tracker.core.parsing import PLAIN, _parse_by_rules, date_pattern, parse_amount, parse_date, typed_date

LOCALES = ("en", "az", "tr", "ru")


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("500 000,50", "az", "500000.50"),
        ("500 000,50", "ru", "500000.50"),
        ("500\u00a0000,50", "ru", "500000.50"),
        ("500,000.50", "az", "500000.50"),  # both marks: the last one is the decimal separator, in any locale
        ("500.000,50", "en", "500000.50"),
        ("500000.5", "az", "500000.5"),
        ("500000,5", "en", "500000.5"),
        ("500,000", "en", "500000"),  # en groups with a comma
        ("500.000", "az", "500000"),  # az and tr group with a dot
        ("1.000.000", "tr", "1000000"),
        ("1,000,000", "ru", "1000000"),
        ("12", "en", "12"),
        ("0,25", "az", "0.25"),
        ("75 250,500", "ru", "75250.500"),
    ],
)
def test_amounts_are_read_as_typed(text: str, locale: str, expected: str) -> None:
    assert parse_amount(text, locale) == Decimal(expected)
    assert str(parse_amount(text, locale)) == expected


@pytest.mark.parametrize(
    ("text", "locale", "message"),
    [
        ("500.000", "en", "amount: '500.000' is ambiguous: it could be 500 or 500,000; type it without doubt"),
        ("500,000", "az", "amount: '500,000' is ambiguous: it could be 500 or 500.000; type it without doubt"),
        ("1,500", "ru", "amount: '1,500' is ambiguous: it could be 1,5 or 1\u00a0500; type it without doubt"),
        ("1,00,000.50", "en", "amount: '1,00,000.50' has a thousands separator in the wrong place"),
        ("5.00.0", "en", "amount: '5.00.0' has a thousands separator in the wrong place"),
        ("1.000,000,5", "az", "amount: '1.000,000,5' has more than one decimal separator"),
        ("12abc", "en", "amount: '12abc' is not a number"),
        ("1e5", "en", "amount: '1e5' is not a number"),
        ("", "en", "amount: a number is required"),
        (",", "en", "amount: ',' is not a number"),
    ],
)
def test_ambiguous_or_malformed_amounts_are_refused(text: str, locale: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_amount(text, locale)
    assert str(refused.value) == message


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2)


@given(amounts, st.sampled_from(LOCALES))
def test_what_babel_formats_reads_back_exactly(amount: Decimal, locale: str) -> None:
    assert parse_amount(format_decimal(amount, locale=locale, decimal_quantization=False), locale) == amount


@given(amounts, st.sampled_from(LOCALES))
def test_plain_digits_with_a_point_read_back_exactly_when_not_three_decimals(amount: Decimal, locale: str) -> None:
    assert parse_amount(f"{amount:.2f}", locale) == amount


@given(amounts, st.sampled_from(("AZN", "USD", "TRY", "EUR")), st.sampled_from(LOCALES))
def test_what_the_app_formats_reads_back_exactly(amount: Decimal, currency: str, locale: str) -> None:
    shown = format_money_code(Money(amount, currency), locale)
    number, code = shown.rsplit("\u00a0", 1)
    assert code == currency
    assert parse_amount(number, locale) == amount


@given(st.from_regex(r"\A[0-9]{1,15}(\.[0-9]{0,6})?\Z"), st.sampled_from(LOCALES))
def test_the_quick_path_reads_plain_numbers_as_the_rules_do(text: str, locale: str) -> None:
    """The quick path (PLAIN) is a shortcut, never a rule of its own: the plain rules are its oracle."""
    try:
        by_rules: Decimal | str = _parse_by_rules(text, locale, "amount")
    except Invalid as refused:
        by_rules = str(refused)
    try:
        quick: Decimal | str = parse_amount(text, locale)
    except Invalid as refused:
        quick = str(refused)
    assert quick == by_rules and str(quick) == str(by_rules)  # the same value, with the same exponent


@pytest.mark.parametrize("text", ["1.500", "1.5", "1500", "1.5000", "0.125", "1,5", " 15", "+15", ".5", "1."])
def test_the_quick_path_takes_only_what_every_locale_reads_alike(text: str) -> None:
    assert bool(PLAIN.match(text)) == (text in ("1.5", "1500", "1.5000"))


def lone_mark_before_three_digits(text: str) -> bool:
    """Rule 5's case: one "." or "," followed by three digits and no spaces, which may be refused as ambiguous."""
    marks = [char for char in text if char in ".,"]
    return len(marks) == 1 and len(text.rsplit(marks[0], 1)[1]) == 3 and text.isascii() and " " not in text


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("999999999.999"), places=3), st.sampled_from(LOCALES))
def test_quantities_as_the_app_shows_them_read_back_exactly(quantity: Decimal, locale: str) -> None:
    shown = format_number(quantity, locale)
    assume(not lone_mark_before_three_digits(shown))  # "1.125" in en is refused on purpose (see above)
    assert parse_amount(shown, locale) == quantity


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("2023-02-06", "en", date(2023, 2, 6)),  # ISO everywhere
        ("2023-02-06", "ru", date(2023, 2, 6)),
        ("2023-2-6", "az", date(2023, 2, 6)),
        ("2/6/2023", "en", date(2023, 2, 6)),  # en: month first
        ("2/6/23", "en", date(2023, 2, 6)),
        ("06.02.2023", "az", date(2023, 2, 6)),  # az, tr, ru: day first
        ("06.02.23", "az", date(2023, 2, 6)),
        ("6.02.2023", "tr", date(2023, 2, 6)),
        ("6.2.2023", "ru", date(2023, 2, 6)),
        (" 06.02.2023 ", "ru", date(2023, 2, 6)),
        ("25/03/2023", "az", date(2023, 3, 25)),  # another separator, but only one reading is a date
        ("25.03.2023", "en", date(2023, 3, 25)),
        ("05/05/2023", "ru", date(2023, 5, 5)),  # both readings are the same day
        ("29.02.2024", "ru", date(2024, 2, 29)),
    ],
)
def test_dates_are_read_as_typed(text: str, locale: str, expected: date) -> None:
    assert parse_date(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "message"),
    [
        ("", "en", "date: a date is required"),
        ("   ", "az", "date: a date is required"),
        (
            "06/02/2023",
            "az",
            "date: '06/02/2023' is ambiguous: it could be 6 fevral 2023 or 2 iyun 2023; type it like 31.12.2025",
        ),
        (
            "06.02.2023",
            "en",
            "date: '06.02.2023' is ambiguous: it could be February 6, 2023 or June 2, 2023; type it like 12/31/2025",
        ),
        ("31.02.2023", "ru", "date: '31.02.2023' is not a real date"),
        ("29.02.2023", "tr", "date: '29.02.2023' is not a real date"),
        ("2023-02-30", "en", "date: '2023-02-30' is not a real date"),
        ("13/25/2023", "en", "date: '13/25/2023' is not a real date"),
        ("13/13/2023", "az", "date: '13/13/2023' is not a real date"),
        ("2023/02/06", "az", "date: '2023/02/06' is not a date; type it like 31.12.2025"),
        ("6 Feb 2023", "en", "date: '6 Feb 2023' is not a date; type it like 12/31/2025"),
        ("06.02.023", "ru", "date: '06.02.023' is not a date; type it like 31.12.2025"),
        ("06022023", "ru", "date: '06022023' is not a date; type it like 31.12.2025"),
    ],
)
def test_ambiguous_impossible_or_unreadable_dates_are_refused(text: str, locale: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_date(text, locale)
    assert str(refused.value) == message


def test_date_refusals_speak_the_readers_language() -> None:
    with pytest.raises(Invalid) as refused:
        parse_date("06/02/2023", "ru", field="value_date")
    with use_locale("ru"):
        assert str(refused.value) == (
            "value_date: '06/02/2023' неоднозначно: это может быть 6 февраля 2023\u202fг. "
            "или 2 июня 2023\u202fг.; введите в виде 31.12.2025"
        )


@pytest.mark.parametrize(
    ("typed", "today", "expected"),
    [
        ("01.01.45", date(2026, 1, 1), date(2045, 1, 1)),  # up to 20 years ahead
        ("01.01.46", date(2026, 1, 1), date(1946, 1, 1)),  # otherwise up to 80 years back
        ("07.03.99", date(2026, 1, 1), date(1999, 3, 7)),
    ],
)
def test_two_digit_years_fall_in_the_cldr_window(typed: str, today: date, expected: date) -> None:
    assert parse_date(typed, "az", today=today) == expected


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(dates, st.sampled_from(LOCALES))
def test_a_short_date_as_babel_writes_it_reads_back(day: date, locale: str) -> None:
    assert parse_date(format_date(day, "short", locale), locale) == day


@given(dates, st.sampled_from(LOCALES))
def test_an_iso_date_reads_back_in_every_locale(day: date, locale: str) -> None:
    assert parse_date(day.isoformat(), locale) == day


@pytest.mark.parametrize("locale", ["en", "az", "tr", "ru"])
@pytest.mark.parametrize(
    ("text", "expected"), [("0.125", "0.125"), ("0,125", "0.125"), (",125", "0.125"), ("-0.500", "-0.500")]
)
def test_a_leading_zero_is_never_a_thousands_group(text: str, locale: str, expected: str) -> None:
    """`0.125` cannot mean 125 in any locale: no one groups thousands after a zero (a tr file read it as 125)."""
    assert parse_amount(text, locale) == Decimal(expected)


@pytest.mark.parametrize("text", ["0.125.000", "0,500.25", "00,125,000"])
def test_a_grouped_number_may_not_start_with_zero(text: str) -> None:
    with pytest.raises(Invalid):
        parse_amount(text, "tr")


@given(dates, st.sampled_from(LOCALES))
def test_a_date_as_the_pages_show_it_reads_back(day: date, locale: str) -> None:
    assert parse_date(typed_date(day, locale), locale) == day


@pytest.mark.parametrize(
    ("locale", "pattern", "shown"),
    [("en", "mm/dd/yyyy", "2/10/2023"), ("az", "dd.mm.yyyy", "10.02.2023"), ("tr", "dd.mm.yyyy", "10.02.2023"),
     ("ru", "dd.mm.yyyy", "10.02.2023")],
)  # fmt: skip
def test_the_pages_show_a_date_with_a_four_digit_year_in_the_locales_order(
    locale: str, pattern: str, shown: str
) -> None:
    assert date_pattern(locale) == pattern
    assert typed_date(date(2023, 2, 10), locale) == shown
    assert typed_date(None, locale) == ""
