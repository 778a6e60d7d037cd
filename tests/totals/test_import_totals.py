"""A bulk import keeps the maintained totals and the journal exactly as entering each row by hand would."""

from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

import pytest
from factories import make_appeal, make_donor, make_item, make_recipient, money_line
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from tracker.db.models import Contribution, JournalEvent, LedgerTotal
from tracker.importing import service as importing
from tracker.importing.service import import_contributions
from tracker.ledger.service import ContributionInput, record_contribution
from tracker.ledger.verify import run_checks
from tracker.rates.convert import EXACT
from tracker.rates.service import record_rate
from tracker.totals import summing
from tracker.totals.aggregates import Sums, stored_totals, totals_differences
from tracker.totals.writes import decimal_text, exact_text, minor_units, rounded_minor, totals_state

HEADER = "key,date,status,donor,recipient,appeal,kind,amount,currency,item,quantity,unit_value,valuation,notes"


def csv_file(*rows: str) -> io.BytesIO:
    return io.BytesIO(("\r\n".join([HEADER, *rows]) + "\r\n").encode())


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two rows and sums added every few keys: the paths a large file takes, on a small one."""
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(summing, "FLUSH_AT", 3)


def test_imported_rows_add_to_the_existing_totals_exactly(session: Session, small_batches: None) -> None:
    assert totals_state(session).reporting_currency == "USD"
    donor = make_donor(session, "Kuwait Red Crescent")
    recipient = make_recipient(session, "AFAD")
    appeal = make_appeal(session, "TUR-EQ-2023")
    house = make_item(session, "Container house")
    rescuer = make_item(session, "Rescuer", "person-day", "LOG")
    record_rate(session, date(2023, 2, 9), "KWD", Decimal("3.25"), "manual", "USD", None)
    record_contribution(
        session, ContributionInput(donor.id, recipient.id, date(2023, 2, 10), "paid", [money_line("10.00 USD")]), None
    )
    report = import_contributions(
        session,
        csv_file(
            "T-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,TUR-EQ-2023,money,100.5,KWD,,,,,",  # 100.500 in en
            "T-2,2023-02-10,pledged,Kuwait Red Crescent,AFAD,,goods,,USD,Container house,10,1200.00,invoice,",
            "T-3,2023-02-11,paid,Kuwait Red Crescent,AFAD,,money,50.00,EUR,,,,,",
            "T-4,2023-02-12,committed,Kuwait Red Crescent,AFAD,,service,,,Rescuer,300,,,",
            "T-5,2023-02-12,paid,Kuwait Red Crescent,AFAD,TUR-EQ-2023,money,25.00,USD,,,,,",
        ),
        None,
    )
    assert (report.created, report.skipped) == (5, 0)
    totals = stored_totals(session)
    # 100.500 KWD at 3.25 (the rate of the day before, within the window) is 326.625 USD.
    assert totals[("all", "", "paid", "money", "KWD")] == Sums(100500, 0, Decimal("326.625"), 0)
    assert totals[("all", "", "paid", "money", "USD")] == Sums(3500, 0, Decimal("35.00"), 0)
    assert totals[("all", "", "paid", "money", "EUR")] == Sums(5000, 0, Decimal(0), 5000)  # no EUR rate
    assert totals[("donor:sum", str(donor.id), "paid", "all", "")].converted == Decimal("361.625")
    assert totals[("appeal", str(appeal.id), "paid", "money", "USD")] == Sums(2500, 0, Decimal("25.00"), 0)
    assert totals[("appeal_month", f"{appeal.id}/2023-02", "paid", "money", "KWD")].value_minor == 100500
    assert totals[("item", str(house.id), "pledged", "goods", "USD")] == Sums(1200000, 10000, Decimal("12000.00"), 0)
    assert totals[("cluster", "SHL", "pledged", "goods", "USD")].value_minor == 1200000
    assert totals[("cluster", "LOG", "committed", "service", "")] == Sums(0, 300000, Decimal(0), 0)
    assert totals[("appeal_item", f"-/{rescuer.id}", "committed", "service", "")].quantity_milli == 300000
    assert totals_differences(session) == []


def test_a_rate_with_more_decimals_later_in_the_file_keeps_the_sums_exact(
    session: Session, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summing, "FLUSH_AT", 100)  # the cents summed so far are still in memory
    donor = make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    record_rate(session, date(2023, 2, 9), "KWD", Decimal("3.25"), "manual", "USD", None)
    record_rate(session, date(2023, 2, 11), "KWD", Decimal("3.2512345"), "manual", "USD", None)
    report = import_contributions(
        session,
        csv_file(
            "R-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10.25,USD,,,,,",  # counted in cents so far
            "R-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,0.01,USD,,,,,",
            "R-3,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,100.5,KWD,,,,,",  # next chunk: × 3.25 = 326.625
            "R-4,2023-02-12,paid,Kuwait Red Crescent,AFAD,,money,2,KWD,,,,,",  # × 3.2512345 = 6.502469
        ),
        None,
    )
    assert report.created == 4
    totals = stored_totals(session)
    assert totals[("all", "", "paid", "money", "USD")] == Sums(1026, 0, Decimal("10.26"), 0)
    assert totals[("all", "", "paid", "money", "KWD")] == Sums(102500, 0, Decimal("333.127469"), 0)
    assert totals[("donor:sum", str(donor.id), "paid", "all", "")].converted == Decimal("343.387469")
    minor = session.exec(
        select(LedgerTotal.converted_minor).where(LedgerTotal.dim == "donor:sum", LedgerTotal.bucket == "paid")
    ).one()
    assert minor == 34339  # 343.39 USD, rounded once
    assert totals_differences(session) == []


@given(st.integers(-(10**20), 10**20), st.integers(-20, 2), st.sampled_from([0, 2, 3]))
def test_integer_sums_are_written_as_the_exact_decimals_are(counted: int, exponent: int, digits: int) -> None:
    exact = EXACT.scaleb(Decimal(counted), exponent)
    # The plain versions, with Decimal: normalised and written without an exponent; rounded half up once.
    text = format(EXACT.normalize(exact), "f") if exact else "0"
    wide = Context(prec=200, rounding=ROUND_HALF_UP)
    minor = int(wide.quantize(wide.scaleb(exact, digits), Decimal(1)))
    assert (decimal_text(counted, exponent), minor_units(counted, exponent + digits)) == (text, minor)
    # A Decimal sum (verify's, a rate change's) is written the same way.
    assert (exact_text(exact), rounded_minor(exact, CURRENCY_WITH[digits])) == (text, minor)


CURRENCY_WITH = {0: "JPY", 2: "USD", 3: "KWD"}  # minor digits → a currency that has them


@pytest.mark.parametrize(
    ("counted", "exponent", "text", "minor"),
    [(326625, -3, "326.625", 32663), (1000, -3, "1", 100), (5, -3, "0.005", 1), (-5, -3, "-0.005", -1),
     (4, -3, "0.004", 0), (1200, 0, "1200", 120000), (0, -10, "0", 0)],
)  # fmt: skip
def test_integer_sums_in_usd(counted: int, exponent: int, text: str, minor: int) -> None:
    assert (decimal_text(counted, exponent), minor_units(counted, exponent + 2)) == (text, minor)


def test_a_dry_run_writes_no_totals(session: Session) -> None:
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    report = import_contributions(
        session, csv_file("D-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,5.00,USD,,,,,"), None, dry_run=True
    )
    assert (report.created, report.dry_run) == (1, True)
    assert stored_totals(session) == {}
    assert session.exec(select(Contribution)).all() == []


def test_the_journal_keeps_any_text_exactly(session: Session, small_batches: None) -> None:
    make_donor(session, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")
    make_recipient(session, "AFAD")
    notes = ['"Çadır, 10 ədəd" \\ yük\tmaşını 😀', "Ölçü: 6 m² / ünvan — Kahramanmaraş", "plain"]
    rows = [
        f'N-{n},2023-02-1{n},paid,Azərbaycan Həmkarlar İttifaqları Konfederasiyası,AFAD,,money,1{n}.00,AZN,,,,,"'
        + text.replace('"', '""')
        + '"'
        for n, text in enumerate(notes)
    ]
    report = import_contributions(session, csv_file(*rows), None)
    assert report.created == 3
    stored = session.exec(select(Contribution.notes).order_by(Contribution.id)).all()  # type: ignore[arg-type]
    assert stored == notes
    events = session.exec(select(JournalEvent).where(JournalEvent.action == "contribution.recorded")).all()
    assert '"notes":"Ölçü: 6 m² / ünvan — Kahramanmaraş"' in events[1].after  # type: ignore[operator]
    assert run_checks(session) == []


def test_an_import_converts_through_the_currency_the_rates_are_stored_in(session: Session, small_batches: None) -> None:
    assert totals_state(session).reporting_currency == "USD"
    donor = make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    # Rates stored as AZN per unit (as before the reporting currency became USD): USD 1.70, EUR 1.82.
    record_rate(session, date(2023, 2, 10), "USD", Decimal("1.70"), "cbar", "AZN", None)
    record_rate(session, date(2023, 2, 10), "EUR", Decimal("1.82"), "cbar", "AZN", None)
    import_contributions(
        session,
        csv_file(
            "X-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,100.00,EUR,,,,,",
            "X-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,170.00,AZN,,,,,",
            "X-3,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10.00,USD,,,,,",
        ),
        None,
    )
    totals = stored_totals(session)
    # EUR → USD = 1.82 / 1.70 to 30 digits = 1.07058823529411764705882352941; × 100 exactly:
    assert totals[("all", "", "paid", "money", "EUR")].converted == Decimal("107.058823529411764705882352941")
    # AZN → USD = 1 / 1.70 to 30 digits = 0.588235294117647058823529411765; × 170 = 100.00…005 exactly:
    assert totals[("all", "", "paid", "money", "AZN")].converted == Decimal("100.00000000000000000000000000005")
    donor_sum = totals[("donor:sum", str(donor.id), "paid", "all", "")].converted
    assert donor_sum == Decimal("217.05882352941176470588235294105")  # the two and 10.00 USD
    minor = session.exec(
        select(LedgerTotal.converted_minor).where(LedgerTotal.dim == "donor:sum", LedgerTotal.bucket == "paid")
    ).one()
    assert minor == 21706  # 217.06 USD, rounded once
    assert totals_differences(session) == []
