"""Reports as people get them: print pages parsed as HTML, PDF text, CSV that stays harmless, XLSX with real numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from factories import make_contribution, make_donor, money_line
from openpyxl import load_workbook
from pypdf import PdfReader
from report_support import donor_named, in_manats
from sqlmodel import Session

from tracker.demo import load_demo
from tracker.rates.service import record_rate
from tracker.reporting.reports.donor import donor_statement
from tracker.reporting.reports.formats import donor_file, letter_file, summary_file
from tracker.reporting.reports.letter import create_letter, letter_data
from tracker.reporting.reports.render import ReportHeading, donor_html, letter_html, summary_html, to_pdf
from tracker.reporting.reports.summary_totals import summary_report

__all__ = ["in_manats"]
TODAY = date(2026, 11, 28)
HEADING = ReportHeading("Aid Coordination Centre", "1 Example Street\nBaku AZ1000")


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def plain(text: str) -> str:
    """Text with no-break and narrow no-break spaces as plain spaces, lines joined."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdf_text(data: bytes) -> str:
    return plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_the_confederation_statement_page_in_azerbaijani(session: Session, in_manats: None) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Azərbaycan Həmkarlar"), None, None)
    html = page(donor_html(statement, "az", HEADING, {"pdf": "/reports/donors/1.pdf"}, TODAY))
    assert html.html["lang"] == "az"
    assert html.select_one("dd.donor").text == "Azərbaycan Həmkarlar İttifaqları Konfederasiyası (AHİK)"
    assert [div.text for div in html.select(".issuer .address")] == ["1 Example Street", "Baku AZ1000"]
    paid = [plain(td.text) for td in html.select("tr.bucket-paid td")]
    assert paid == ["500.000,00 AZN", "120.000,00 AZN", "500.000,00 ₼", "120.000,00 ₼", "620.000,00 ₼"]
    pledged = [plain(td.text) for td in html.select("tr.bucket-pledged td")]
    assert pledged == ["—", "120.000,00 AZN", "0,00 ₼", "120.000,00 ₼", "120.000,00 ₼"]
    houses = [plain(td.text) for td in html.select("#goods-and-services table")[0].select("tbody td")]
    assert houses == ["Container house", "10 ədəd", "120.000,00 AZN", "donorun bəyanı ilə"]
    assert len(html.select("#contributions tbody tr")) == 3
    assert html.select_one("#corrections") is None
    assert html.select_one("nav.downloads a")["href"] == "/reports/donors/1.pdf"


def test_corrections_are_listed_with_their_reason(session: Session, in_manats: None) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Caspian"), None, None)
    html = page(donor_html(statement, "en", HEADING, today=TODAY))
    cells = [plain(td.text) for td in html.select("#corrections tbody td")]
    assert cells[0] == "C-2023-000011" and cells[-1].startswith("Entered twice")
    assert [plain(td.text) for td in html.select("tr.bucket-paid td")][-1] == "AZN170,000.00"  # voided 10,000 USD out


def test_a_statement_pdf_has_the_manat_sign_azerbaijani_letters_and_the_right_totals(
    session: Session, in_manats: None
) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Azərbaycan Həmkarlar"), None, None)
    text = pdf_text(donor_file(statement, "pdf", "az", HEADING))
    assert "₼" in text and "ə" in text
    assert "620.000,00 ₼" in text  # paid: 500,000.00 AZN and 10 houses of 12,000.00 AZN
    assert "500.000,00 AZN" in text
    assert "10 ədəd" in text


def test_the_summary_page_in_russian(session: Session, in_manats: None) -> None:
    load_demo(session)
    html = page(summary_html(summary_report(session, today=TODAY), "ru", HEADING))
    assert html.html["lang"] == "ru"
    paid = [plain(td.text) for td in html.select("tr.status-paid td")]
    assert paid == ["1 629 745,78 AZN", "508 000,00 AZN", "2 137 745,78 AZN"]
    assert [plain(td.text) for td in html.select("tr.funding td")][-1] == "2 777 745,78 AZN"
    assert sorted(plain(td.text) for td in html.select("td.covered")) == ["22,5 %", "47,9 %"]
    others = plain(html.select_one("#by-donor tr.total td").text)
    assert others  # the grand total row is there


def test_the_summary_pdf_text(session: Session, in_manats: None) -> None:
    load_demo(session)
    text = pdf_text(summary_file(summary_report(session, today=TODAY), "pdf", "az", HEADING))
    assert "2.777.745,78 ₼" in text and "ə" in text


def test_a_letter_pdf_in_the_donors_language_with_and_without_values(session: Session) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    described = letter_data(session, create_letter(session, ahik, date(2023, 2, 1), date(2023, 2, 28)))
    text = pdf_text(letter_file(described, "pdf", HEADING))
    assert described.number in text
    assert "500.000,00 ₼" in text and "10 ədəd — Container house" in text
    assert "120.000,00" not in text  # no value unless the letter shows values
    valued = letter_data(session, create_letter(session, ahik, date(2023, 2, 1), date(2023, 2, 28), show_values=True))
    html = page(letter_html(valued, HEADING))
    item = plain(html.select_one("ul.received li.item").text)
    assert item.startswith("10 ədəd — Container house") and "120.000,00 ₼" in item and "donorun bəyanı ilə" in item


def test_csv_and_xlsx_keep_a_formula_donor_harmless(session: Session, in_manats: None) -> None:
    evil = make_donor(session, '=HYPERLINK("http://evil.example","click")')
    make_contribution(session, money_line("1000.00 AZN"), donor=evil, on=date(2023, 2, 10))
    statement = donor_statement(session, evil, None, None)
    rows = list(csv.reader(io.StringIO(donor_file(statement, "csv", "en").decode("utf-8-sig"))))
    assert rows[0][:4] == ["Number", "Date", "Status", "Donor"]
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][-4:-2] == ["1000.00", "AZN"]
    summary = summary_file(summary_report(session, today=TODAY), "csv", "en")
    assert summary.startswith("\ufeff".encode())
    donor_rows = [r for r in csv.reader(io.StringIO(summary.decode("utf-8-sig"))) if r[0] == "Donor"]
    assert [r[2] for r in donor_rows] == ['\'=HYPERLINK("http://evil.example","click")']
    book = load_workbook(io.BytesIO(donor_file(statement, "xlsx", "en")))
    cell = book["Contributions"]["D2"]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("http://evil.example","click")')


def test_xlsx_numbers_are_numbers_in_their_currency_format(session: Session, in_manats: None) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Kuwait"), None, None)
    book = load_workbook(io.BytesIO(donor_file(statement, "xlsx", "tr")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    value = sheet.cell(row=2, column=header.index("Değer") + 1)
    assert (Decimal(str(value.value)), value.number_format) == (Decimal("75250.5"), '#,##0.000 "KWD"')
    assert sheet.cell(row=2, column=2).number_format == "yyyy-mm-dd"
    summary = load_workbook(io.BytesIO(summary_file(summary_report(session, today=TODAY), "xlsx", "en")))
    first = summary.worksheets[0]
    assert [c.value for c in first[2]][:2] == ["All", None]
    assert first.cell(row=2, column=9).value == Decimal("375000") or first.cell(row=2, column=9).value == 375000


@pytest.mark.parametrize("lang", ["en", "az", "tr", "ru"])
def test_every_report_renders_in_every_language(session: Session, in_manats: None, lang: str) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    statement = donor_statement(session, ahik, None, None)
    report = summary_report(session, today=TODAY)
    letter = letter_data(session, create_letter(session, ahik, None, None, language=lang))
    for html in (
        donor_html(statement, lang, HEADING),
        summary_html(report, lang, HEADING),
        letter_html(letter, HEADING),
    ):
        assert page(html).html["lang"] == lang
    for fmt in ("csv", "xlsx"):
        assert donor_file(statement, fmt, lang) and summary_file(report, fmt, lang)


def test_a_printed_summary_sums_up_a_long_list_of_rates_per_currency(session: Session, in_manats: None) -> None:
    for day, rate in ((date(2023, 2, 10), "1.69"), (date(2023, 2, 13), "1.7125"), (date(2023, 2, 14), "1.7")):
        record_rate(session, day, "USD", Decimal(rate), "cbar", "AZN", None)
        make_contribution(session, money_line("100.00 USD"), on=day)
    record_rate(session, date(2023, 2, 10), "EUR", Decimal("1.82"), "manual", "AZN", None)
    make_contribution(session, money_line("50.00 EUR"), on=date(2023, 2, 10))
    report = summary_report(session, today=TODAY)

    printed = BeautifulSoup(summary_html(report, "en", HEADING, printed=True, rates_printed=3), "html.parser")
    rows = [[plain(td.text) for td in tr.select("td")] for tr in printed.select("#rates tbody tr")]
    assert rows == [
        ["EUR", "1", "Feb 10, 2023", "Feb 10, 2023", "1.82", "1.82", "manual"],
        ["USD", "3", "Feb 10, 2023", "Feb 14, 2023", "1.69", "1.7125", "cbar"],
    ]
    assert "4 rates were used." in plain(printed.select_one("#rates p.note:last-of-type").text)

    page = BeautifulSoup(summary_html(report, "en", HEADING), "html.parser")  # the page lists every rate
    assert len(page.select("#rates tbody tr")) == 4
    few = BeautifulSoup(summary_html(report, "en", HEADING, printed=True, rates_printed=4), "html.parser")
    assert len(few.select("#rates tbody tr")) == 4  # a short list is printed one by one

    text = pdf_text(summary_file(report, "pdf", "en", HEADING))  # the file's PDF: 4 rates, under the threshold
    assert "Feb 13, 2023" in text and "1.7125" in text
    brief = pdf_text(to_pdf(summary_html(report, "en", HEADING, printed=True, rates_printed=3)))
    assert "4 rates were used." in brief and "Feb 13, 2023" not in brief
