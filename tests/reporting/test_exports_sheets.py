"""The plain contributions export: the list's columns as CSV and XLSX, one row per line, with the list's filters."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from factories import (
    goods_line,
    make_appeal,
    make_contribution,
    make_donor,
    make_item,
    make_recipient,
    money_line,
)
from openpyxl import load_workbook
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.ledger.filters import ContributionFilters
from tracker.ledger.service import void_contribution
from tracker.rates.service import record_rate
from tracker.reporting.exports import rows as export_rows_module
from tracker.reporting.exports.contributions import contributions_file

HEADER = [
    "Number",
    "Value date",
    "Donor",
    "Recipient",
    "Appeal",
    "Status",
    "Void reason",
    "Line kind",
    "Item",
    "Quantity",
    "Unit",
    "Unit value",
    "Value",
    "Currency",
    "Converted value",
    "Reporting currency",
    "Exchange rate",
    "Rate date",
    "Valuation basis",
    "Promised quantity",
    "Promised value",
    "Fulfils",
]
ON = date(2023, 2, 10)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_one_row_per_line_converted_at_its_own_date_and_rounded_half_up(session: Session) -> None:
    record_rate(session, ON, "EUR", "1.0725", "manual", "USD", None)  # USD per euro; the tests report in USD
    donor = make_donor(session, '=HYPERLINK("http://x","y")')
    recipient = make_recipient(session, "Türk Kızılay")
    blanket = make_item(session, "Blanket")
    given = make_contribution(
        session,
        money_line("250.00 EUR"),
        goods_line(blanket, "4", "12.50 EUR", "invoice"),
        donor=donor,
        recipient=recipient,
        on=ON,
        appeal=make_appeal(session, "TUR-EQ-2023"),
    )
    rows = read_csv(contributions_file(session, ContributionFilters(), "csv"))
    assert rows[0] == HEADER
    neutralised = '\'=HYPERLINK("http://x","y")'
    common = [given.number, "2023-02-10", neutralised, "Türk Kızılay", "TUR-EQ-2023", "paid", ""]
    rate = ["USD", "1.0725", "2023-02-10"]
    assert rows[1:] == [
        # 250 × 1.0725 = 268.125 and 50 × 1.0725 = 53.625: each rounded once, half up
        [*common, "money", "", "", "", "", "250.00", "EUR", "268.13", *rate, "", "", "250.00", ""],
        [
            *common,
            "goods",
            "Blanket",
            "4",
            "piece",
            "12.50",
            "50.00",
            "EUR",
            "53.63",
            *rate,
            "invoice",
            "4",
            "50.00",
            "",
        ],
    ]


def test_a_line_without_a_usable_rate_has_empty_converted_cells_never_zero(session: Session) -> None:
    record_rate(session, date(2023, 2, 1), "GBP", "1.21", "manual", "USD", None)  # 9 days before: outside the window
    make_contribution(session, money_line("80.00 GBP"), money_line("5.00 USD"), on=ON)
    rows = read_csv(contributions_file(session, ContributionFilters(), "csv"))
    assert [row[12:18] for row in rows[1:]] == [
        ["80.00", "GBP", "", "", "", ""],
        ["5.00", "USD", "5.00", "USD", "1", "2023-02-10"],  # the reporting currency converts at 1
    ]


def test_xlsx_cells_are_numbers_in_their_currencys_format_and_text_stays_text(session: Session) -> None:
    record_rate(session, ON, "JPY", "0.0068", "manual", "USD", None)
    hearts = make_donor(session, "Благотворительный фонд «Открытые сердца»")
    formula = make_donor(session, "=1+2")
    make_contribution(session, money_line("5000 JPY"), donor=hearts, on=ON)
    make_contribution(session, money_line("1.500 KWD"), donor=formula, on=date(2023, 2, 11))
    data = contributions_file(session, ContributionFilters(), "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.b for cell in sheet[1])
    first, second = sheet[2], sheet[3]
    assert first[2].value == "Благотворительный фонд «Открытые сердца»"
    assert (first[1].value, first[1].number_format) == (datetime(2023, 2, 10), "yyyy-mm-dd")
    assert (first[12].data_type, first[12].value, first[12].number_format) == ("n", 5000, '#,##0 "JPY"')
    assert (first[14].value, first[14].number_format) == (34, '#,##0.00 "USD"')  # 5,000 × 0.0068
    assert (first[16].data_type, first[16].value) == ("n", 0.0068)
    assert (second[12].value, second[12].number_format) == (1.5, '#,##0.000 "KWD"')
    assert second[14].value is None  # no KWD rate: empty, not 0
    assert (second[2].data_type, second[2].value) == ("s", "=1+2")  # a name, never a formula
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    assert b"<v>5000</v>" in sheet_xml


def test_filters_narrow_the_export_to_the_matching_lines(session: Session) -> None:
    ayse, caspian = make_donor(session, "Ayşe Yılmaz"), make_donor(session, "Caspian Energy LLC")
    appeal = make_appeal(session, "SYR-EQ-2023")
    tent = make_item(session, "Winter tent")
    early = make_contribution(session, money_line("10.00 USD"), donor=ayse, on=date(2023, 2, 8))
    mixed = make_contribution(
        session, money_line("20.00 EUR"), goods_line(tent, "3"), donor=caspian, on=date(2023, 2, 12), appeal=appeal
    )
    pledge = make_contribution(session, money_line("30.00 USD"), donor=ayse, status="pledged", on=date(2023, 3, 1))

    def lines(**params: str) -> list[str]:
        rows = read_csv(contributions_file(session, ContributionFilters.read(params), "csv"))
        return [f"{row[0]}/{row[7]}" for row in rows[1:]]

    assert lines() == [
        f"{early.number}/money",
        f"{mixed.number}/money",
        f"{mixed.number}/goods",
        f"{pledge.number}/money",
    ]
    assert lines(donor_id=str(ayse.id)) == [f"{early.number}/money", f"{pledge.number}/money"]
    assert lines(appeal_id=str(appeal.id)) == [f"{mixed.number}/money", f"{mixed.number}/goods"]
    assert lines(kind="goods") == [f"{mixed.number}/goods"]  # the money line of the same contribution is left out
    assert lines(currency="eur") == [f"{mixed.number}/money"]
    assert lines(status="pledged") == [f"{pledge.number}/money"]
    assert lines(**{"from": "2023-02-09", "to": "2023-02-28"}) == [f"{mixed.number}/money", f"{mixed.number}/goods"]
    assert lines(q="caspian") == [f"{mixed.number}/money", f"{mixed.number}/goods"]


def test_void_ones_are_left_out_unless_asked_for(session: Session) -> None:
    kept = make_contribution(session, money_line("10.00 USD"))
    voided = make_contribution(session, money_line("20.00 USD"))
    void_contribution(session, voided.id, "Entered twice", None)  # type: ignore[arg-type]
    assert [row[0] for row in read_csv(contributions_file(session, ContributionFilters(), "csv"))[1:]] == [kept.number]
    marked = read_csv(contributions_file(session, ContributionFilters(), "csv", include_void=True))[1:]
    assert [(row[0], row[6]) for row in marked] == [(kept.number, ""), (voided.number, "Entered twice")]
    only_void = read_csv(contributions_file(session, ContributionFilters.read({"status": "void"}), "csv"))[1:]
    assert [row[0] for row in only_void] == [voided.number]  # asking for void ones is asking to include them


def test_rows_are_read_in_chunks_and_all_arrive(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_rows_module, "CHUNK", 2)
    made = [make_contribution(session, money_line(f"{n}.00 USD"), on=date(2023, 2, n)) for n in range(1, 8)]
    rows = read_csv(contributions_file(session, ContributionFilters(), "csv"))[1:]
    assert [row[0] for row in rows] == [c.number for c in made]
    assert [row[12] for row in rows] == ["1.00", "2.00", "3.00", "4.00", "5.00", "6.00", "7.00"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "status: one of pledged, committed, paid, void, overdue, got lost"),
        ({"kind": "cash"}, "kind: one of money, goods, service, got cash"),
        ({"currency": "AZM"}, "currency: 'AZM' is not a current ISO 4217 currency code"),
        ({"from": "2023-13-01"}, "from: 2023-13-01 is not a date (YYYY-MM-DD)"),
        ({"from": "2023-03-01", "to": "2023-02-01"}, "to: the period ends before it starts"),
        ({"donor_id": "12a"}, "donor_id: 12a is not an id"),
        ({"appeal_id": "²"}, "appeal_id: ² is not an id"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(params: dict[str, str], message: str) -> None:
    with pytest.raises(Invalid) as refused:
        ContributionFilters.read(params)
    assert refused.value.message == message


def test_an_unknown_format_is_refused(session: Session) -> None:
    with pytest.raises(Invalid, match="format: one of csv, xlsx, hxl, got pdf"):
        contributions_file(session, ContributionFilters(), "pdf")


def test_an_xlsx_longer_than_a_sheet_is_refused(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from tracker.reporting.exports.contributions import FORMATS

    monkeypatch.setitem(FORMATS, "xlsx", replace(FORMATS["xlsx"], max_rows=1))  # a real sheet stops at 1,048,576
    make_contribution(session, money_line("1.00 USD"))
    assert len(contributions_file(session, ContributionFilters(), "xlsx")) > 0
    make_contribution(session, money_line("2.00 USD"))
    with pytest.raises(Invalid, match="format: an XLSX sheet holds at most 1 row; narrow the filters or export CSV"):
        contributions_file(session, ContributionFilters(), "xlsx")
    assert len(read_csv(contributions_file(session, ContributionFilters(), "csv"))) == 3
