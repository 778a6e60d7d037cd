"""Conversion: the value date's rate or the latest within the window, exact sums rounded once, nothing dropped."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from tracker.core import config
from tracker.core.money import Money, parse_money
from tracker.rates.convert import (
    RateBook,
    RateUsed,
    Unconverted,
    convert_money,
    convert_sums,
    convert_with,
    load_rates,
    rate_in_force,
)
from tracker.rates.reads import StoredRate
from tracker.rates.service import record_rate

FEB_8 = date(2023, 2, 8)


def add(session: Session, day: date, currency: str, rate: str, reporting: str = "AZN", source: str = "cbar") -> None:
    record_rate(session, day, currency, rate, source, reporting, None)


def money(text: str) -> Money:
    return parse_money(text)


@contextmanager
def counted_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    connection = session.connection()

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", seen)


def test_the_reporting_currency_converts_at_one_without_any_rate(session: Session) -> None:
    total = convert_money(session, money("500000.00 AZN"), FEB_8, "AZN", 7)
    assert total.total == money("500000.00 AZN")
    assert total.rates_used == ()
    assert total.complete


def test_an_amount_in_the_target_currency_needs_no_rate(session: Session) -> None:
    total = convert_money(session, money("15000.00 TRY"), FEB_8, "TRY", 7)
    assert (total.total, total.rates_used, total.unconverted) == (money("15000.00 TRY"), (), ())


def test_the_rate_of_the_value_date_is_used_and_listed(session: Session) -> None:
    add(session, FEB_8 - timedelta(days=1), "USD", "1.6")
    add(session, FEB_8, "USD", "1.7")
    add(session, FEB_8 + timedelta(days=1), "USD", "1.8")
    total = convert_money(session, money("100000.00 USD"), FEB_8, "AZN", 7)
    assert total.total == money("170000.00 AZN")
    assert total.rates_used == (RateUsed("USD", FEB_8, Decimal("1.7"), "cbar", "AZN"),)


def test_a_rate_seven_days_back_is_used_and_eight_days_back_is_not(session: Session) -> None:
    add(session, date(2023, 2, 1), "USD", "1.7")
    seven = convert_money(session, money("100.00 USD"), date(2023, 2, 8), "AZN", 7)
    assert seven.total == money("170.00 AZN")
    assert seven.rates_used == (RateUsed("USD", date(2023, 2, 1), Decimal("1.7"), "cbar", "AZN"),)
    eight = convert_money(session, money("100.00 USD"), date(2023, 2, 9), "AZN", 7)
    assert eight.total == Money.zero("AZN")
    assert eight.unconverted == (Unconverted(money("100.00 USD"), date(2023, 2, 9), "USD"),)
    assert eight.rates_used == ()


def test_the_window_defaults_to_the_setting(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    add(session, date(2023, 2, 1), "USD", "1.7")
    monkeypatch.setenv("TRACKER_RATE_WINDOW_DAYS", "3")
    config.get_settings.cache_clear()
    try:
        short = convert_money(session, money("100.00 USD"), date(2023, 2, 5), "AZN")
        within = convert_money(session, money("100.00 USD"), date(2023, 2, 4), "AZN")
    finally:
        config.get_settings.cache_clear()
    assert (short.window_days, short.complete) == (3, False)
    assert within.total == money("170.00 AZN")


def test_a_missing_rate_is_reported_as_unconverted_never_as_zero(session: Session) -> None:
    add(session, FEB_8, "USD", "1.7")
    total = convert_sums(
        session,
        [("USD", FEB_8, 10000000), ("JPY", FEB_8, 50000000), ("KWD", FEB_8, 75250500), ("AZN", FEB_8, 50000000)],
        "AZN",
        7,
    )
    assert total.total == money("670000.00 AZN")  # 100,000 USD × 1.7 + 500,000 AZN
    assert total.unconverted == (
        Unconverted(money("50000000 JPY"), FEB_8, "JPY"),
        Unconverted(money("75250.500 KWD"), FEB_8, "KWD"),
    )
    assert total.unconverted_totals() == [money("50000000 JPY"), money("75250.500 KWD")]
    assert not total.complete


def test_sums_of_the_same_currency_and_date_are_merged_before_converting(session: Session) -> None:
    total = convert_sums(session, [("USD", FEB_8, 100), ("USD", FEB_8, 250)], "AZN", 7)
    assert total.unconverted == (Unconverted(money("3.50 USD"), FEB_8, "USD"),)


@pytest.mark.parametrize(
    ("sums", "target", "expected"),
    [
        # JPY has no minor unit: 1.00 AZN / 0.016 = 62.5 yen, half up to 63.
        ([("AZN", 100)], "JPY", "63 JPY"),
        # 10,000 JPY × 0.0128 = 128 AZN; and into KWD: 128 / 5.56 = 23.0215827... → 23.022 KWD (3 digits).
        ([("JPY", 10000)], "AZN", "128.00 AZN"),
        ([("JPY", 10000)], "KWD", "23.022 KWD"),
        # 75,250.500 KWD × 5.56 = 418,392.78 AZN exactly.
        ([("KWD", 75250500)], "AZN", "418392.78 AZN"),
        # 100.00 USD × 1.7 / 1.82 = 93.4065934... EUR → 93.41 EUR.
        ([("USD", 10000)], "EUR", "93.41 EUR"),
        # 15,000 TRY × 0.0902 = 1,353.00 AZN; into USD 1353 / 1.7 = 795.882352... → 795.88 USD.
        ([("TRY", 1500000)], "USD", "795.88 USD"),
        # 250,000.00 EUR × 1.82 / 0.0902 = 5,044,345.898004... TRY → 5,044,345.90 TRY.
        ([("EUR", 25000000)], "TRY", "5044345.90 TRY"),
    ],
)
def test_each_target_is_rounded_once_to_its_own_minor_unit(
    session: Session, sums: list[tuple[str, int]], target: str, expected: str
) -> None:
    for code, rate in {"USD": "1.7", "EUR": "1.82", "TRY": "0.0902", "JPY": "0.0128", "KWD": "5.56"}.items():
        add(session, FEB_8, code, rate)
    add(session, date(2023, 2, 9), "JPY", "0.016")
    day = date(2023, 2, 9) if target == "JPY" else FEB_8
    total = convert_sums(session, [(code, day, minor) for code, minor in sums], target, 7)
    assert total.total == money(expected)
    assert total.complete


def test_triangulation_uses_both_rates_of_the_value_date_and_lists_them(session: Session) -> None:
    add(session, FEB_8, "USD", "1.7")
    add(session, FEB_8, "EUR", "1.8442")
    add(session, date(2023, 2, 9), "EUR", "1.9")  # a later rate is never used for the 8th
    total = convert_money(session, money("100.00 USD"), FEB_8, "EUR", 7)
    assert total.total == money("92.18 EUR")  # 100 × 1.7 / 1.8442 = 92.1808914...
    assert total.rates_used == (
        RateUsed("EUR", FEB_8, Decimal("1.8442"), "cbar", "AZN"),
        RateUsed("USD", FEB_8, Decimal("1.7"), "cbar", "AZN"),
    )


def test_a_missing_target_rate_leaves_the_amount_unconverted(session: Session) -> None:
    add(session, FEB_8, "USD", "1.7")
    total = convert_sums(session, [("USD", FEB_8, 10000), ("AZN", FEB_8, 5000)], "EUR", 7)
    assert total.total == Money.zero("EUR")
    assert total.unconverted == (
        Unconverted(money("50.00 AZN"), FEB_8, "EUR"),
        Unconverted(money("100.00 USD"), FEB_8, "EUR"),
    )


def test_the_total_is_rounded_once_not_summed_from_rounded_parts(session: Session) -> None:
    for day in (1, 2, 3):
        add(session, date(2023, 2, day), "USD", "1.7")
    sums = [("USD", date(2023, 2, day), 1) for day in (1, 2, 3)]  # 0.01 USD on each of three days
    total = convert_sums(session, sums, "AZN", 7)
    # Each part is 0.017 AZN, which alone would round to 0.02 (0.06 in all); the exact sum 0.051 rounds to 0.05.
    assert total.total == money("0.05 AZN")


def test_triangulated_totals_are_exact_across_different_target_rates(session: Session) -> None:
    add(session, date(2023, 2, 1), "EUR", "3")
    add(session, date(2023, 2, 2), "EUR", "6")
    sums = [("AZN", date(2023, 2, 1), 1), ("AZN", date(2023, 2, 2), 1)]
    # 0.01 / 3 + 0.01 / 6 = 1/300 + 1/600 = 0.005 EUR exactly, which rounds half up to 0.01;
    # neither part is a finite decimal, so only an exact sum lands on the half.
    assert convert_sums(session, sums, "EUR", 7).total == money("0.01 EUR")


def test_rates_are_looked_up_in_one_query_however_many_sums(session: Session) -> None:
    start = date(2023, 1, 1)
    for offset in range(0, 60, 3):
        for code in ("USD", "EUR", "TRY", "JPY", "KWD"):
            add(session, start + timedelta(days=offset), code, "1.5")
    sums = [
        (code, start + timedelta(days=offset), 100 + offset)
        for offset in range(60)
        for code in ("USD", "EUR", "TRY", "JPY", "KWD", "AZN")
    ]
    with counted_queries(session) as statements:
        total = convert_sums(session, sums, "USD", 7)
    assert len(statements) == 1
    assert total.complete
    assert len(total.rates_used) == 20 * 5  # every third day, for USD (the target) and EUR, TRY, JPY, KWD
    assert {used.currency for used in total.rates_used} == {"USD", "EUR", "TRY", "JPY", "KWD"}


def test_rate_in_force_gives_one_figure_with_its_date_and_source(session: Session) -> None:
    add(session, date(2023, 2, 6), "USD", "1.7", source="manual")
    found = rate_in_force(session, "USD", FEB_8, "AZN", 7)
    assert found.legs == (RateUsed("USD", date(2023, 2, 6), Decimal("1.7"), "manual", "AZN"),)  # type: ignore[union-attr]
    assert rate_in_force(session, "USD", FEB_8, "AZN", 1) is None
    assert rate_in_force(session, "AZN", FEB_8, "AZN", 7).rate == Decimal(1)  # type: ignore[union-attr]
    assert rate_in_force(session, "USD", FEB_8, "EUR", 7) is None  # no EUR rate to cross through


def test_a_correction_changes_the_rate_conversions_use(session: Session) -> None:
    add(session, FEB_8, "USD", "1.8")
    add(session, FEB_8, "USD", "1.7", source="manual")
    total = convert_money(session, money("100.00 USD"), FEB_8, "AZN", 7)
    assert total.total == money("170.00 AZN")
    assert total.rates_used == (RateUsed("USD", FEB_8, Decimal("1.7"), "manual", "AZN"),)


# --- the property: a converted total equals the exact recomputation, rounded once ---------------

CODES = ("AZN", "USD", "EUR", "JPY", "KWD", "TRY")
DIGITS = {"AZN": 2, "USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "TRY": 2}
DAY0 = date(2023, 1, 1)
STRETCHES = itertools.count()
rates_st = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4)
sums_st = st.lists(
    st.tuples(st.sampled_from(CODES), st.integers(0, 20), st.integers(1, 10**12)), min_size=1, max_size=30
)
book_st = st.dictionaries(
    st.tuples(st.sampled_from(CODES[1:]), st.integers(0, 20)), rates_st.filter(lambda r: r > 0), max_size=60
)


def _zeros(fraction: Fraction) -> int:
    """How many zeros follow the decimal point of a fraction below 1 before its first significant digit."""
    zeros = 0
    while fraction * 10 ** (zeros + 1) < 1:
        zeros += 1
    return zeros


def expected_total(
    sums: list[tuple[str, int, int]], rates: dict[tuple[str, int], Decimal], target: str, window: int
) -> tuple[Decimal, int]:
    """The rule written out plainly: a backwards search, a 30-digit cross rate, exact sums, one half-up rounding."""

    def rate(code: str, day: int) -> Fraction | None:
        if code == "AZN":
            return Fraction(1)
        for back in range(window + 1):
            if (code, day - back) in rates:
                return Fraction(rates[(code, day - back)])
        return None

    exact, missing = Fraction(0), 0
    for code, day, minor in sums:
        amount = Fraction(minor, 10 ** DIGITS[code])
        if code == target:
            exact += amount
            continue
        from_rate, to_rate = rate(code, day), rate(target, day)
        if from_rate is None or to_rate is None:
            missing += 1
            continue
        quotient = from_rate / to_rate
        if to_rate != 1:  # a cross or inverse rate: the quotient to 30 significant digits, half up
            scale = 10 ** (30 - len(str(int(quotient))) if quotient >= 1 else 30 + _zeros(quotient))
            quotient = Fraction(int(quotient * scale + Fraction(1, 2)), scale)
        exact += amount * quotient
    scaled = exact * 10 ** DIGITS[target]
    minor = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    return Decimal(minor).scaleb(-DIGITS[target]), missing


@settings(max_examples=300, deadline=None)
@given(sums=sums_st, rates=book_st, target=st.sampled_from(CODES), window=st.integers(0, 7))
def test_a_converted_total_is_the_exact_sum_rounded_once(
    sums: list[tuple[str, int, int]], rates: dict[tuple[str, int], Decimal], target: str, window: int
) -> None:
    stored = [StoredRate(DAY0 + timedelta(days=d), code, value, "test", "AZN") for (code, d), value in rates.items()]
    book = RateBook(stored, window)
    merged: dict[tuple[str, date], int] = {}
    for code, day, minor in sums:
        merged[(code, DAY0 + timedelta(days=day))] = merged.get((code, DAY0 + timedelta(days=day)), 0) + minor
    plain_sums = [(code, (day - DAY0).days, minor) for (code, day), minor in merged.items()]
    total = convert_with(book, merged, target)
    amount, missing = expected_total(plain_sums, rates, target, window)
    assert total.total == Money(amount, target)
    assert len(total.unconverted) == missing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sums=sums_st, rates=book_st, target=st.sampled_from(CODES))
def test_a_converted_total_from_the_database_is_the_exact_sum_rounded_once(
    session: Session, sums: list[tuple[str, int, int]], rates: dict[tuple[str, int], Decimal], target: str
) -> None:
    # Each example gets its own stretch of dates, so rates recorded by earlier examples are out of its window.
    start = date(2000, 1, 1) + timedelta(days=100 * next(STRETCHES))
    for (code, day), value in rates.items():
        add(session, start + timedelta(days=day), code, str(value))
    total = convert_sums(session, [(c, start + timedelta(days=d), m) for c, d, m in sums], target, 7)
    merged: dict[tuple[str, int], int] = {}
    for code, day, minor in sums:
        merged[(code, day)] = merged.get((code, day), 0) + minor
    amount, missing = expected_total([(c, d, m) for (c, d), m in merged.items()], rates, target, 7)
    assert total.total == Money(amount, target)
    assert len(total.unconverted) == missing


def test_scattered_value_dates_read_only_the_rates_their_windows_give(session: Session) -> None:
    # A rate every day of January for USD, and a corrected rate on the 20th; amounts on three scattered days.
    for day in range(1, 32):
        add(session, date(2023, 1, day), "USD", "1.7")
    add(session, date(2023, 1, 20), "USD", "1.69", source="manual")  # the correction is the version in force
    add(session, date(2023, 3, 1), "USD", "1.8")
    sums = [("USD", date(2023, 1, 5), 100), ("USD", date(2023, 1, 20), 100), ("USD", date(2023, 2, 3), 100)]
    book = load_rates(session, [(c, d) for c, d, _ in sums], "AZN", 7)
    # Only the three rates the dates take: the 5th, the corrected 20th, and the 31st for 3 February (3 days back).
    assert [(r.rate_date, r.rate, r.source) for r in book._rates[("USD", "AZN")]] == [
        (date(2023, 1, 5), Decimal("1.7"), "cbar"),
        (date(2023, 1, 20), Decimal("1.69"), "manual"),
        (date(2023, 1, 31), Decimal("1.7"), "cbar"),
    ]
    total = convert_sums(session, sums, "AZN", 7)
    assert total.total == money("5.09 AZN")  # 1.70 + 1.69 + 1.70
    assert total.complete


def test_a_date_whose_window_has_no_rate_stays_unconverted_among_dates_that_have_one(session: Session) -> None:
    add(session, date(2023, 1, 2), "EUR", "1.8")
    add(session, date(2023, 1, 20), "EUR", "1.9")
    sums = [("EUR", date(2023, 1, 2), 100), ("EUR", date(2023, 1, 15), 100), ("EUR", date(2023, 1, 21), 100)]
    total = convert_sums(session, sums, "AZN", 7)
    assert total.total == money("3.70 AZN")  # 1.80 on the 2nd, 1.90 for the 21st (the 20th's)
    assert [(part.value_date, str(part.amount)) for part in total.unconverted] == [(date(2023, 1, 15), "1.00 EUR")]


# --- the one rule: the rate in force for C on D into T, through the currency the rates are stored in ---
# Rates below are stored as AZN per unit, as the demo's are.


def test_rate_in_force_takes_the_value_dates_rate_or_the_latest_within_the_window(session: Session) -> None:
    add(session, date(2023, 2, 1), "USD", "1.69")  # 7 days before the 8th: inside a 7-day window
    add(session, date(2023, 2, 9), "USD", "1.71")  # after the 8th: never used for it
    found = rate_in_force(session, "USD", FEB_8, "AZN", 7)
    assert found is not None
    assert (found.rate, found.rate_date, found.legs) == (
        Decimal("1.69"),
        date(2023, 2, 1),
        (RateUsed("USD", date(2023, 2, 1), Decimal("1.69"), "cbar", "AZN"),),
    )
    assert rate_in_force(session, "USD", FEB_8, "AZN", 6) is None  # 7 days back is outside a 6-day window
    assert rate_in_force(session, "USD", date(2023, 2, 9), "AZN", 0).rate == Decimal("1.71")  # type: ignore[union-attr]
    assert rate_in_force(session, "USD", date(2023, 1, 31), "AZN", 7) is None  # nothing on or before it


def test_rate_in_force_crosses_through_the_currency_the_rates_are_stored_in(session: Session) -> None:
    add(session, FEB_8, "USD", "1.70")
    add(session, date(2023, 2, 6), "EUR", "1.82")
    # EUR → USD = 1.82 / 1.70 = 1.0705882352941176470588235294|117…, carried to 30 significant digits
    eur = rate_in_force(session, "EUR", FEB_8, "USD", 7)
    assert eur is not None
    assert eur.rate == Decimal("1.07058823529411764705882352941")
    assert eur.legs == (
        RateUsed("EUR", date(2023, 2, 6), Decimal("1.82"), "cbar", "AZN"),
        RateUsed("USD", FEB_8, Decimal("1.7"), "cbar", "AZN"),
    )
    # AZN itself → USD = 1 / 1.70 = 0.58823529411764705882352941176|470…, rounded half up at the 30th digit
    azn = rate_in_force(session, "AZN", FEB_8, "USD", 7)
    assert azn is not None
    assert (azn.rate, azn.legs) == (
        Decimal("0.588235294117647058823529411765"),
        (RateUsed("USD", FEB_8, Decimal("1.7"), "cbar", "AZN"),),
    )
    # Each leg takes its own window: with the USD rate 3 days old and EUR's 5, a 4-day window lacks EUR.
    assert rate_in_force(session, "EUR", date(2023, 2, 11), "USD", 4) is None
    assert rate_in_force(session, "USD", FEB_8, "USD", 7).rate == Decimal(1)  # type: ignore[union-attr]


def test_a_rate_stored_in_the_target_is_used_before_a_cross_rate(session: Session) -> None:
    add(session, FEB_8, "USD", "1.70")
    add(session, FEB_8, "EUR", "1.82")
    add(session, FEB_8, "EUR", "1.07", reporting="USD")  # a rate recorded after the switch to USD
    found = rate_in_force(session, "EUR", FEB_8, "USD", 7)
    assert (found.rate, found.legs) == (  # type: ignore[union-attr]
        Decimal("1.07"),
        (RateUsed("EUR", FEB_8, Decimal("1.07"), "cbar", "USD"),),
    )


def test_a_missing_rate_is_reported_missing_never_zero(session: Session) -> None:
    add(session, FEB_8, "USD", "1.70")
    assert rate_in_force(session, "GBP", FEB_8, "USD", 7) is None  # no GBP rate in any currency
    assert rate_in_force(session, "USD", FEB_8, "GBP", 7) is None  # nothing to reach GBP
    total = convert_sums(session, [("GBP", FEB_8, 100), ("AZN", FEB_8, 170)], "USD", 7)
    assert total.total == money("1.00 USD")  # 1.70 AZN / 1.70; the pound is left out, not counted as 0
    assert [(str(part.amount), part.missing_rate) for part in total.unconverted] == [("1.00 GBP", "GBP")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rates=st.dictionaries(
        st.tuples(st.sampled_from(("USD", "EUR", "AZN")), st.sampled_from(("AZN", "USD")), st.integers(0, 12)),
        st.sampled_from(("1.7", "1.82", "0.59", "2", "1.07")),
        max_size=12,
    ),
    asked=st.lists(
        st.tuples(st.sampled_from(CODES[:3]), st.sampled_from(CODES[:3]), st.integers(0, 14)), min_size=1, max_size=8
    ),
    window=st.integers(0, 7),
)
def test_the_batched_rate_book_answers_as_the_plain_rule_does(
    session: Session,
    rates: dict[tuple[str, str, int], str],
    asked: list[tuple[str, str, int]],
    window: int,
) -> None:
    start = date(1990, 1, 1) + timedelta(days=100 * next(STRETCHES))
    for (code, quote, day), value in sorted(rates.items()):
        if code != quote:
            add(session, start + timedelta(days=day), code, value, reporting=quote)
    questions = [(code, start + timedelta(days=day), target) for code, target, day in asked]
    book = load_rates(session, [(code, on) for code, on, _ in questions], {t for _, _, t in questions}, window)
    for code, on, target in questions:
        assert book.in_force(code, on, target) == rate_in_force(session, code, on, target, window)
