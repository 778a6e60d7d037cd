"""Report files: PDFs set in the bundled font, CSV that spreadsheets cannot turn into formulas."""

import csv
import io
from decimal import Decimal

from pypdf import PdfReader

from tracker.core.money import parse_money
from tracker.reporting.reports.files import html_to_pdf, plain_amount, safe_cell, to_csv


def test_a_pdf_keeps_the_manat_sign_azerbaijani_letters_and_cyrillic() -> None:
    html = "<html><body><h1>Hesabat</h1><p>Cəmi: 500.000,00 ₼ — ğ ı ş İ — Открытые сердца</p></body></html>"
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Cəmi: 500.000,00 ₼" in text
    assert "ğ ı ş İ" in text
    assert "Открытые сердца" in text
    fonts = {str(f) for page in PdfReader(io.BytesIO(pdf)).pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # text is set in an embedded font


def test_csv_neutralises_formulas_and_starts_with_a_bom() -> None:
    data = to_csv(
        ["donor", "amount", "currency"],
        [
            ['=HYPERLINK("http://evil.example","click")', parse_money("500000.00 AZN"), "AZN"],
            ["+1 555", parse_money("50000000 JPY"), "JPY"],
            ["-minus", parse_money("75250.500 KWD"), "KWD"],
            ["@sum", Decimal("1"), "x"],
            ["\tTab", None, "y"],
            ["Ayşe Yılmaz", parse_money("15000.00 TRY"), "TRY"],
        ],
    )
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["donor", "amount", "currency"],
        ['\'=HYPERLINK("http://evil.example","click")', "500000.00", "AZN"],
        ["'+1 555", "50000000", "JPY"],
        ["'-minus", "75250.500", "KWD"],
        ["'@sum", "1", "x"],
        ["'\tTab", "", "y"],
        ["Ayşe Yılmaz", "15000.00", "TRY"],
    ]


def test_plain_amounts_use_the_currency_digits() -> None:
    assert [plain_amount(parse_money(t)) for t in ("500000 AZN", "1 KWD", "50000000 JPY")] == [
        "500000.00",
        "1.000",
        "50000000",
    ]
    assert safe_cell("plain") == "plain"
