"""Money, numbers, quantities and dates in az, en, tr and ru: what Babel says, rounded half up first."""

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date as babel_date
from babel.numbers import format_currency, format_decimal

from tracker.core.formatting import (
    UNIT_FORMS,
    format_date,
    format_money,
    format_money_code,
    format_number,
    format_quantity,
)
from tracker.core.i18n import current_locale, gettext, use_locale
from tracker.core.money import Money
from tracker.db.columns import UNITS

LOCALES = ("en", "az", "tr", "ru")
CURRENCIES = ("AZN", "TRY", "USD", "EUR", "JPY", "KWD")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("amount", "currency"), [("1234567.89", "AZN"), ("1234567", "JPY"), ("75250.5", "KWD")])
def test_money_is_what_babel_writes_for_the_same_exact_amount(locale: str, amount: str, currency: str) -> None:
    value = Money.of(amount, currency)
    assert format_money(value, locale) == format_currency(Decimal(amount), currency, locale=locale)


@pytest.mark.parametrize(
    ("locale", "amount", "currency", "expected"),
    [
        ("az", "500000", "AZN", "500.000,00\xa0₼"),
        ("en", "500000", "AZN", "AZN500,000.00"),
        ("en", "150000", "USD", "$150,000.00"),
        ("tr", "15000", "TRY", "₺15.000,00"),
        ("ru", "1234567.89", "AZN", "1\xa0234\xa0567,89\xa0AZN"),
        ("ru", "250000", "EUR", "250\xa0000,00\xa0€"),
        ("en", "75250.5", "KWD", "KWD75,250.500"),  # three digits, the fils
        ("az", "50000000", "JPY", "50.000.000\xa0JP¥"),  # no minor unit
    ],
)
def test_money_golden_strings(locale: str, amount: str, currency: str, expected: str) -> None:
    assert format_money(Money.of(amount, currency), locale) == expected


@pytest.mark.parametrize(
    ("locale", "amount", "currency", "expected"),
    [
        ("ru", "1234567.89", "AZN", "1\xa0234\xa0567,89\xa0AZN"),
        ("az", "1234567.89", "AZN", "1.234.567,89\xa0AZN"),
        ("en", "1234567.89", "USD", "1,234,567.89\xa0USD"),
        ("tr", "1234567.89", "TRY", "1.234.567,89\xa0TRY"),
        ("en", "1234567", "JPY", "1,234,567\xa0JPY"),  # the currency's digits, not the pattern's two
        ("az", "1234.567", "KWD", "1.234,567\xa0KWD"),
    ],
)
def test_money_with_its_iso_code_for_mixed_tables(locale: str, amount: str, currency: str, expected: str) -> None:
    assert format_money_code(Money.of(amount, currency), locale) == expected


def test_halves_round_up_before_babel_sees_them() -> None:
    # Babel alone rounds half to even: 0.125 USD would show as $0.12.
    assert format_currency(Decimal("0.125"), "USD", locale="en") == "$0.12"
    assert format_money(Money(Decimal("0.125"), "USD"), "en") == "$0.13"
    assert format_money(Money(Decimal("2.675"), "USD"), "en") == "$2.68"
    assert format_money(Money(Decimal("0.0005"), "KWD"), "en") == "KWD0.001"
    assert format_money(Money(Decimal("2.5"), "JPY"), "en") == "¥3"
    assert format_money_code(Money(Decimal("0.125"), "USD"), "az") == "0,13\xa0USD"
    assert format_money(Money(Decimal("-1234.505"), "AZN"), "az") == "-1.234,51\xa0₼"


def test_money_never_passes_through_float() -> None:
    with pytest.raises(TypeError):
        format_money(Money(0.5, "USD"), "en")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_number(0.5, "en")  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("value", [Decimal("1234567.891"), Decimal("2400"), Decimal("0.125"), 12])
def test_numbers_are_what_babel_writes_with_every_digit_kept(locale: str, value: Decimal | int) -> None:
    assert format_number(value, locale) == format_decimal(value, locale=locale, decimal_quantization=False)


def test_number_golden_strings() -> None:
    assert format_number(Decimal("1234567.891"), "en") == "1,234,567.891"
    assert format_number(Decimal("1234567.891"), "az") == "1.234.567,891"
    assert format_number(Decimal("1234567.891"), "ru") == "1\xa0234\xa0567,891"
    assert format_number(Decimal("1.23456"), "tr") == "1,23456"  # never rounded to Babel's three places


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("style", ["short", "medium", "long"])
def test_dates_are_what_babel_writes(locale: str, style: str) -> None:
    day = date(2023, 2, 6)
    assert format_date(day, style, locale) == babel_date(day, format=style, locale=locale)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("locale", "medium", "long"),
    [
        ("en", "Mar 7, 2025", "March 7, 2025"),
        ("az", "7 mar 2025", "7 mart 2025"),
        ("tr", "7 Mar 2025", "7 Mart 2025"),
        ("ru", "7 мар. 2025\u202fг.", "7 марта 2025\u202fг."),  # a narrow no-break space before г.
    ],
)
def test_date_golden_strings(locale: str, medium: str, long: str) -> None:
    assert format_date(date(2025, 3, 7), "medium", locale) == medium
    assert format_date(date(2025, 3, 7), "long", locale) == long


@pytest.mark.parametrize(
    ("locale", "quantity", "unit", "expected"),
    [
        ("en", 1, "piece", "1 piece"),
        ("en", 10, "piece", "10 pieces"),
        ("en", 300, "person-day", "300 person-days"),
        ("en", 12, "flight", "12 flights"),
        ("en", 48, "truck", "48 trucks"),
        ("en", 1, "person", "1 person"),
        ("en", 2, "person", "2 people"),
        ("en", Decimal("2400"), "person-day", "2,400 person-days"),
        ("en", Decimal("2.5"), "tonne", "2.5 tonnes"),
        ("en", Decimal("0.5"), "litre", "0.5 litres"),
        ("az", 10, "piece", "10 ədəd"),
        ("az", 1, "piece", "1 ədəd"),
        ("az", 12, "flight", "12 reys"),
        ("az", Decimal("2400"), "person-day", "2.400 adam-gün"),
        ("tr", 48, "truck", "48 kamyon"),
        ("tr", 300, "person-day", "300 kişi-gün"),
        ("ru", 1, "piece", "1 штука"),
        ("ru", 3, "piece", "3 штуки"),
        ("ru", 10, "piece", "10 штук"),
        ("ru", 21, "flight", "21 рейс"),
        ("ru", 12, "flight", "12 рейсов"),
        ("ru", 22, "truck", "22 грузовика"),
        ("ru", 48, "truck", "48 грузовиков"),
        ("ru", 111, "hour", "111 часов"),
        ("ru", Decimal("2400"), "person-day", "2\xa0400 человеко-дней"),
        ("ru", Decimal("1.5"), "tonne", "1,5 тонны"),  # after a fraction Russian takes the form of 2
        ("ru", 5, "person", "5 человек"),
    ],
)
def test_quantities_take_the_plural_form_of_their_language(
    locale: str, quantity: Decimal | int, unit: str, expected: str
) -> None:
    assert format_quantity(quantity, unit, locale) == expected


def test_a_unit_outside_the_list_is_shown_as_stored() -> None:
    assert format_quantity(Decimal("3"), "crate", "ru") == "3 crate"


def test_every_unit_has_counted_forms() -> None:
    assert set(UNIT_FORMS) == set(UNITS)


def test_use_locale_renders_in_another_language_and_restores_the_current_one() -> None:
    assert current_locale() == "en"
    with use_locale("ru"):
        assert gettext("Recipient") == "Получатель"
        assert format_quantity(10, "piece") == "10 штук"
        with use_locale("az"):
            assert format_money(Money.of("500000", "AZN")) == "500.000,00\xa0₼"
        assert current_locale() == "ru"
    assert current_locale() == "en"
    assert gettext("Recipient") == "Recipient"


def test_an_explicit_locale_does_not_change_the_current_one() -> None:
    with use_locale("az"):
        assert format_quantity(10, "piece", "ru") == "10 штук"
        assert current_locale() == "az"
        assert gettext("Recipient") == "Alıcı"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("currency", (*CURRENCIES, "GBP", "RUB", "CHF", "XOF", "BHD", "UZS", "KZT"))
def test_the_quick_money_text_is_babels_to_the_character(locale: str, currency: str) -> None:
    """Reports write money from a shape learnt from Babel once; it must give Babel's text for any amount."""
    digits = Money.from_minor(0, currency).amount.as_tuple().exponent
    amounts = ["0", "1", "7", "12", "999", "1000", "1234", "99999", "100000", "1234567", "9999999999", "123456789012"]
    for text in amounts:
        for fraction in ("", ".5", ".05", ".125", ".999"):
            for sign in ("", "-"):
                value = Money(Decimal(sign + text + fraction), currency)
                exact = value.amount.quantize(Decimal(1).scaleb(digits), rounding="ROUND_HALF_UP")
                assert format_money(value, locale) == format_currency(exact, currency, locale=locale)
                assert format_money_code(value, locale) == format_currency(
                    exact, currency, format="#,##0.00\u00a0¤¤", locale=locale
                )


@pytest.mark.parametrize(
    ("with_code", "locale", "amount", "currency", "expected"),
    [
        (True, "ru", "-1234567.5", "AZN", "-1\xa0234\xa0567,50\xa0AZN"),
        (False, "en", "-1234.5", "AZN", "-AZN1,234.50"),
        (False, "az", "0", "AZN", "0,00\xa0₼"),
        (False, "tr", "-0.5", "TRY", "-₺0,50"),
        (True, "az", "-0.0005", "KWD", "-0,001\xa0KWD"),  # rounded half away from zero first
    ],
)
def test_negative_and_zero_money_golden_strings(
    with_code: bool, locale: str, amount: str, currency: str, expected: str
) -> None:
    write = format_money_code if with_code else format_money
    assert write(Money(Decimal(amount), currency), locale) == expected
