"""The reports' own file writers: XLSX sheets read back by openpyxl, the statement PDF read back by pypdf."""

import gc
import io
import re
from datetime import date, datetime
from decimal import Decimal

from factories import goods_line, make_contribution, make_donor, make_item, make_recipient, money_line
from fontTools.ttLib import TTFont
from openpyxl import load_workbook
from pypdf import PdfReader
from report_support import in_manats
from sqlmodel import Session

from tracker.core.bulk import collector_paused, dedicated_process
from tracker.core.money import parse_money
from tracker.reporting.reports.donor import donor_statement
from tracker.reporting.reports.formats import donor_file
from tracker.reporting.reports.render import ReportHeading
from tracker.reporting.reports.xlsx import workbook

__all__ = ["in_manats"]
HEADING = ReportHeading("Aid Coordination Centre", "1 Example Street\nBaku AZ1000")


def plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_an_xlsx_sheet_keeps_numbers_dates_and_harmless_text() -> None:
    data = workbook(
        [
            (
                "Totals: paid/pledged",
                ["Name", "Amount", "Date", "Quantity"],
                [
                    ['=HYPERLINK("http://evil.example","click")', parse_money("75250.500 KWD"), date(2023, 2, 10), 2],
                    ["Ayşe\x01 Yılmaz <&>", parse_money("5000 JPY"), None, Decimal("2.5")],
                ],
            )
        ]
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book["Totals  paid pledged"]  # the characters a sheet name cannot hold become spaces
    assert [c.value for c in sheet[1]] == ["Name", "Amount", "Date", "Quantity"]
    first, second = sheet[2], sheet[3]
    assert (first[0].data_type, first[0].value) == ("s", '\'=HYPERLINK("http://evil.example","click")')
    assert (first[1].value, first[1].number_format) == (75250.5, '#,##0.000 "KWD"')
    assert (first[2].value, first[2].number_format) == (datetime(2023, 2, 10), "yyyy-mm-dd")
    assert first[3].value == 2
    assert second[0].value == "Ayşe Yılmaz <&>"  # a control character cannot be in a sheet: dropped
    assert (second[1].value, second[1].number_format) == (5000, '#,##0 "JPY"')
    assert second[2].value is None
    assert second[3].value == 2.5


def test_a_long_statement_pdf_repeats_its_table_header_and_numbers_its_pages(session: Session, in_manats: None) -> None:
    donor = make_donor(session, "Открытые сердца")
    recipient = make_recipient(session, "Şəki rayon icra hakimiyyəti")
    houses = make_item(session, "Container house")
    for n in range(60):
        make_contribution(
            session,
            money_line(f"{1000 + n}.50 AZN"),
            goods_line(houses, "2", "12000.00 AZN", "donor_declared"),
            donor=donor,
            recipient=recipient,
            on=date(2023, 2, 1 + n % 28),
        )
    statement = donor_statement(session, donor, None, None)
    pdf = donor_file(statement, "pdf", "az", HEADING)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [plain(page.extract_text()) for page in reader.pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Səhifə {number} / {len(pages)}" in text
        assert "Aid Coordination Centre" in text
    text = " ".join(pages)
    # 60 × 1,000.50 AZN + 1+2+…+59 = 60,030.00 + 1,770.00; and 120 houses at 12,000.00.
    assert "61.800,00 AZN" in text and "1.440.000,00 AZN" in text and "1.501.800,00 ₼" in text
    assert "Открытые сердца" in text and "Şəki rayon icra hakimiyyəti" in text
    assert "2 ədəd · Container house · 24.000,00 AZN (donorun bəyanı ilə)" in text
    numbers = set(re.findall(r"C-2023-\d{6}", text))
    assert len(numbers) == 60  # every contribution is listed
    header_pages = [t for t in pages[1:] if "Nömrə" in t]
    assert len(header_pages) == len(pages) - 1  # the table goes on with its header on each page


def test_the_statement_pdf_embeds_a_valid_subset_of_noto_sans(session: Session, in_manats: None) -> None:
    donor = make_donor(session, "Caspian Relief")
    make_contribution(session, money_line("1500.00 AZN"), donor=donor)
    pdf = donor_file(donor_statement(session, donor, None, None), "pdf", "ru", HEADING)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert re.fullmatch(r"/[A-Z]{6}\+NotoSans-(Regular|Bold)", descriptor["/FontName"])
        program = descriptor["/FontFile2"].get_object().get_data()
        assert len(program) < 200_000  # the whole font is over 500 kB: only the glyphs used are in it
        parsed = TTFont(io.BytesIO(program))
        glyf = parsed["glyf"]
        drawn = [name for name in parsed.getGlyphOrder() if glyf[name].numberOfContours != 0]
        assert 10 < len(drawn) < 200
    text = plain(reader.pages[0].extract_text())
    assert "1 500,00 AZN" in text and "Выписка по взносам" in text


def test_the_collector_pause_ends_with_the_last_report_and_keeps_a_collector_that_was_off() -> None:
    assert gc.isenabled()
    with dedicated_process():  # a CLI command's, say: the collector is its own to pause
        with collector_paused():
            assert not gc.isenabled()
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer report is still being built
        assert gc.isenabled()
        gc.disable()
        try:
            with collector_paused():
                pass
            assert not gc.isenabled()  # it was off before: left off
        finally:
            gc.enable()


def test_a_process_serving_others_keeps_its_collector_through_a_report() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert gc.isenabled()  # a web worker's other requests still have their collector
    with dedicated_process():
        pass
    with collector_paused():
        assert gc.isenabled()  # the dedication ended with its block
