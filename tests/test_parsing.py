"""Amounts typed the way people type them in their locale are read exactly; ambiguity is refused."""

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import Invalid
from tracker.parsing import parse_amount

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
