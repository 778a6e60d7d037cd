"""Exchange rates in the database: recorded by hand, corrected as new versions, imported all or nothing."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from tracker.core.errors import Invalid
from tracker.db.models import ExchangeRate, JournalEvent
from tracker.ledger.verify import rates_are_plain_decimals
from tracker.rates.reads import list_rates
from tracker.rates.service import import_rates, record_rate

DATA = Path(__file__).parent.parent / "data" / "rates"
MARCH_7 = date(2025, 3, 7)


def count(session: Session, model: type, *where: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def stored(session: Session) -> list[tuple[date, str, str, str, str]]:
    rows = session.exec(select(ExchangeRate).order_by(ExchangeRate.id)).all()
    return [(r.rate_date, r.currency, r.quote_currency, r.rate, r.source) for r in rows]


def test_a_rate_entered_by_hand_is_stored_exactly_with_its_journal_event(session: Session) -> None:
    row = record_rate(session, date(2023, 2, 8), "usd", "1.7000", "manual", "AZN", None)
    assert (row.currency, row.quote_currency, row.rate, row.source) == ("USD", "AZN", "1.7", "manual")
    event = session.exec(select(JournalEvent).where(JournalEvent.action == "rate.recorded")).one()
    assert event.object_id == str(row.id)
    assert '"rate":"1.7"' in (event.after or "")


def test_a_correction_is_a_new_version_and_the_old_one_stays_readable(session: Session) -> None:
    first = record_rate(session, date(2023, 2, 8), "TRY", "0.0920", "manual", "AZN", None)
    second = record_rate(session, date(2023, 2, 8), "TRY", "0.0902", "manual", "AZN", None)
    assert second.id != first.id
    assert stored(session) == [
        (date(2023, 2, 8), "TRY", "AZN", "0.092", "manual"),
        (date(2023, 2, 8), "TRY", "AZN", "0.0902", "manual"),
    ]
    in_force = list_rates(session, currency="TRY")
    assert [(r.rate, r.in_force) for r in in_force] == [(Decimal("0.0902"), True)]
    versions = list_rates(session, currency="TRY", all_versions=True)
    assert [(r.rate, r.in_force) for r in versions] == [(Decimal("0.0902"), True), (Decimal("0.092"), False)]
    corrected = session.exec(select(JournalEvent).where(JournalEvent.action == "rate.corrected")).one()
    assert '"rate":"0.092"' in (corrected.before or "")
    assert '"rate":"0.0902"' in (corrected.after or "")


def test_entering_the_rate_in_force_again_changes_nothing(session: Session) -> None:
    first = record_rate(session, date(2023, 2, 8), "USD", "1.7", "manual", "AZN", None)
    again = record_rate(session, date(2023, 2, 8), "USD", "1.70", "manual", "AZN", None)
    assert again.id == first.id
    assert count(session, ExchangeRate) == 1
    assert count(session, JournalEvent, JournalEvent.action.like("rate%")) == 1


def test_the_same_rate_from_another_source_is_a_new_version(session: Session) -> None:
    record_rate(session, date(2023, 2, 8), "USD", "1.7", "manual", "AZN", None)
    record_rate(session, date(2023, 2, 8), "USD", "1.7", "cbar", "AZN", None)
    assert [r.source for r in list_rates(session, all_versions=True)] == ["cbar", "manual"]


@pytest.mark.parametrize(
    ("rate_date", "currency", "rate", "field", "message"),
    [
        (date(2023, 2, 8), "USD", "0", "rate", "a rate must be more than zero, got 0"),
        (date(2023, 2, 8), "USD", "-1.7", "rate", "a rate must be more than zero, got -1.7"),
        (date(2023, 2, 8), "USD", "+1.7", "rate", "'+1.7' is not a plain decimal number such as 1.7 or 0.0115"),
        (date(2023, 2, 8), "USD", "NaN", "rate", "'NaN' is not a plain decimal number such as 1.7 or 0.0115"),
        (date(2023, 2, 8), "USD", "1,7", "rate", "'1,7' is not a plain decimal number such as 1.7 or 0.0115"),
        (date(2023, 2, 8), "USD", Decimal("Infinity"), "rate", "Infinity is not a finite number"),
        (date(2023, 2, 8), "USD", "", "rate", "a number is required"),
        (
            date(2023, 2, 8),
            "USD",
            "1700000000000",
            "rate",
            "1700000000000 is not a plausible rate (from 1e-12 to below 1e12)",
        ),
        (
            date(2023, 2, 8),
            "USD",
            "0.0000000000001",
            "rate",
            "1E-13 is not a plausible rate (from 1e-12 to below 1e12)",
        ),
        (
            date(2023, 2, 8),
            "USD",
            "1.70000000000000000001",
            "rate",
            "at most 20 significant digits, got 1.70000000000000000001",
        ),
        (date(2023, 2, 8), "XYZ", "1.7", "currency", "'XYZ' is not a current ISO 4217 currency code"),
        (date(2023, 2, 8), "AZM", "1.7", "currency", "'AZM' is not a current ISO 4217 currency code"),
        (date(2023, 2, 8), "AZN", "1", "currency", "AZN is the reporting currency; it is always worth 1"),
        (
            date.today() + timedelta(days=2),
            "USD",
            "1.7",
            "date",
            f"{date.today() + timedelta(days=2)} is in the future",
        ),
    ],
)
def test_a_bad_rate_is_refused_naming_the_field_and_nothing_is_stored(
    session: Session, rate_date: date, currency: str, rate: object, field: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        record_rate(session, rate_date, currency, rate, "manual", "AZN", None)
    assert (refused.value.field, refused.value.rule) == (field, message)
    assert count(session, ExchangeRate) == 0
    assert count(session, JournalEvent) == 0


def test_a_float_rate_never_gets_in(session: Session) -> None:
    with pytest.raises(TypeError):
        record_rate(session, date(2023, 2, 8), "USD", 1.7, "manual", "AZN", None)


def test_a_cbar_import_counts_what_it_added_and_skipped_and_is_one_journal_event(session: Session) -> None:
    result = import_rates(session, (DATA / "cbar-2025-03-07.xml").read_bytes(), None, "AZN", None)
    assert (result.source, result.added, result.unchanged, result.skipped) == ("cbar", 7, 0, 2)
    assert (result.first_date, result.last_date) == (MARCH_7, MARCH_7)
    assert sorted((r.currency, r.rate, r.source) for r in list_rates(session)) == [
        (code, Decimal(rate), "cbar")
        for code, rate in [
            ("EUR", "1.8442"),
            ("GBP", "2.1934"),
            ("JPY", "0.0115"),
            ("KWD", "5.5172"),
            ("RUB", "0.020484"),
            ("TRY", "0.0466"),
            ("USD", "1.7"),
        ]
    ]
    event = session.exec(select(JournalEvent).where(JournalEvent.action == "rates.imported")).one()
    assert '"added":7' in (event.after or "")
    assert '"source":"cbar"' in (event.after or "")


def test_reimporting_the_same_file_adds_nothing(session: Session) -> None:
    data = (DATA / "eurofxref-hist.csv").read_bytes()
    first = import_rates(session, data, "ecb", "USD", None)
    again = import_rates(session, data, "ecb", "USD", None)
    assert (first.added, first.unchanged) == (16, 0)
    assert (again.added, again.unchanged, again.skipped) == (0, 16, 1)
    assert count(session, ExchangeRate) == 16
    assert count(session, JournalEvent, JournalEvent.action == "rates.imported") == 1


def test_the_same_rates_in_another_file_format_are_unchanged(session: Session) -> None:
    import_rates(session, (DATA / "ecb-daily.xml").read_bytes(), None, "EUR", None)
    result = import_rates(session, (DATA / "eurofxref.csv").read_bytes(), None, "EUR", None)
    assert (result.added, result.unchanged) == (0, 9)


def test_an_import_with_a_changed_figure_adds_only_that_correction(session: Session) -> None:
    import_rates(session, (DATA / "plain.csv").read_bytes(), "csv", "AZN", None)
    corrected = b"date,currency,rate\n2025-03-07,USD,1.7\n2025-03-07,EUR,1.8450\n2025-03-07,JPY,0.0115\n"
    result = import_rates(session, corrected, "csv", "AZN", None)
    assert (result.added, result.unchanged, result.skipped) == (1, 2, 0)
    assert [(r.rate, r.in_force) for r in list_rates(session, currency="EUR", all_versions=True)] == [
        (Decimal("1.845"), True),
        (Decimal("1.8442"), False),
    ]


def test_rates_in_one_quote_currency_do_not_touch_another(session: Session) -> None:
    import_rates(session, (DATA / "cbar-2025-03-07.xml").read_bytes(), "cbar", "AZN", None)
    result = import_rates(session, (DATA / "cbar-2025-03-07.xml").read_bytes(), "cbar", "USD", None)
    assert result.added == 7  # EUR, GBP, JPY, KWD, RUB, TRY and AZN, now in dollars
    assert [(r.rate, r.quote_currency) for r in list_rates(session, currency="AZN")] == [
        (Decimal("0.588235294118"), "USD")
    ]
    assert len(list_rates(session, quote_currency="AZN")) == 7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,EUR,1..8\n",
            "line 3: rate '1..8' is not a number",
        ),
        (
            b"date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,AZN,1\n",
            "line 3: AZN is the reporting currency; it is always worth 1",
        ),
        (
            f"date,currency,rate\n2023-02-08,USD,1.7\n{date.today() + timedelta(days=3)},EUR,1.8\n".encode(),
            f"line 3: {date.today() + timedelta(days=3)} is in the future",
        ),
        (
            b"date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,IRR,0.0000000000001\n",
            "line 3: 1E-13 is not a plausible rate (from 1e-12 to below 1e12)",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_stores_nothing(session: Session, data: bytes, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        import_rates(session, data, "csv", "AZN", None)
    assert (refused.value.field, refused.value.rule) == ("file", message)
    assert count(session, ExchangeRate) == 0
    assert count(session, JournalEvent) == 0


def test_a_mistyped_code_refuses_the_file_unless_skipped_and_withdrawn_codes_stay_skipped(session: Session) -> None:
    data = b"date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,USX,1.8\n2023-02-08,CYP,2.9\n"
    with pytest.raises(Invalid) as refused:
        import_rates(session, data, "csv", "AZN", None)
    assert (refused.value.field, refused.value.rule) == ("file", "line 3: USX is not a currency code")
    assert count(session, ExchangeRate) == 0
    assert count(session, JournalEvent) == 0
    result = import_rates(session, data, "csv", "AZN", None, skip_unknown=True)
    assert (result.added, result.unchanged, result.skipped) == (1, 0, 2)
    assert stored(session) == [(date(2023, 2, 8), "USD", "AZN", "1.7", "csv")]


def test_a_cbar_file_with_a_missing_attribute_stores_nothing(session: Session) -> None:
    data = (DATA / "cbar-2025-03-07.xml").read_bytes().replace(b'<Valute Code="TRY">', b"<Valute>")
    with pytest.raises(Invalid, match="Valute 7: the Code attribute is missing"):
        import_rates(session, data, "cbar", "AZN", None)
    assert count(session, ExchangeRate) == 0


def test_list_filters_by_currency_and_dates(session: Session) -> None:
    import_rates(session, (DATA / "ecb-hist.xml").read_bytes(), "ecb", "EUR", None)
    march_6 = list_rates(session, date_from=date(2025, 3, 6), date_to=date(2025, 3, 6))
    assert [(r.currency, r.rate) for r in march_6] == [
        ("GBP", Decimal("1.19189511323")),  # 1 / 0.8390
        ("JPY", Decimal("0.00625508225433")),  # 1 / 159.87
        ("TRY", Decimal("0.0254000508001")),  # 1 / 39.37
        ("USD", Decimal("0.927213722763")),  # 1 / 1.0785
    ]
    usd = list_rates(session, currency="USD", date_from=date(2025, 3, 6))
    assert [r.rate_date for r in usd] == [MARCH_7, date(2025, 3, 6)]
    with pytest.raises(Invalid, match="2025-03-07 is after 2025-03-06"):
        list_rates(session, date_from=MARCH_7, date_to=date(2025, 3, 6))


def test_verify_finds_a_rate_that_is_not_a_plain_decimal(session: Session) -> None:
    record_rate(session, date(2023, 2, 8), "USD", "1.7", "manual", "AZN", None)
    assert rates_are_plain_decimals(session) == []
    session.execute(
        sa.text(
            "INSERT INTO exchange_rate (rate_date, currency, quote_currency, rate, source, recorded_at)"
            " VALUES ('2023-02-09', 'USD', 'AZN', '1.7e0', 'sql', '2023-02-09 00:00:00')"
        )
    )
    (problem,) = rates_are_plain_decimals(session)
    assert problem.endswith(": '1.7e0' is not a plain decimal more than zero")
