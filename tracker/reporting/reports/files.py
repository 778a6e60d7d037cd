"""Report file formats: PDF from the report's HTML, CSV with neutralised cells, XLSX with real numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from tracker.core.money import Money, minor_digits, round_half_up

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
FONTS = STATIC / "fonts"
# The reports' layout, the same file their web pages link (templates/reports/_report_base.html).
REPORT_CSS = STATIC / "report.css"

# A cell that starts with one of these is read as a formula by spreadsheet programs
# (CSV injection); such text is prefixed with an apostrophe so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PDF_STYLE = f"""
@font-face {{ font-family: "Tracker Sans"; src: url("{(FONTS / "NotoSans-Regular.ttf").as_uri()}"); }}
@font-face {{ font-family: "Tracker Sans"; font-weight: bold; src: url("{(FONTS / "NotoSans-Bold.ttf").as_uri()}"); }}
body {{ font-family: "Tracker Sans"; }}
"""


@cache
def _font_config() -> Any:  # a weasyprint FontConfiguration (weasyprint ships no types)
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def own_file(url: str) -> Path | None:
    """The app's own static file (a font, an image) that `url` names, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(unquote(parts.path))).resolve()
    return path if path.is_file() and path.is_relative_to(STATIC) else None


def _own_files_only() -> Any:  # a weasyprint URLFetcher (weasyprint ships no types); one per PDF
    return _own_files_fetcher_class()(allowed_protocols=("file", "data"), allow_redirects=False)


@cache
def _own_files_fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFilesOnly(URLFetcher):
        """Fetches the app's own fonts and images and nothing else: no network, no other file, nothing a
        report's text could name (a name smuggled into CSS or HTML must not make the server fetch a URL)."""

        def fetch(self, url: str, headers: object = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)  # the bytes are in the URL itself: nothing is fetched
            path = own_file(url)
            if path is None:
                raise ValueError("a report may use only the app's own fonts and images")
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return OwnFilesOnly


def html_to_pdf(html: str) -> bytes:
    """The same HTML a browser shows, as a PDF set in the bundled Noto Sans (it has ₼, ə, ğ, ı, ş and Cyrillic).
    WeasyPrint may fetch only the app's own fonts and images while it does (see _own_files_only)."""
    from weasyprint import CSS, HTML

    fonts, fetcher = _font_config(), _own_files_only()
    stylesheets = [_layout(), CSS(string=PDF_STYLE, font_config=fonts, url_fetcher=fetcher)]
    return HTML(string=html, base_url=str(FONTS), url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )


@cache
def _layout() -> Any:  # a weasyprint CSS, read once; it may fetch nothing but the app's own files
    from weasyprint import CSS

    return CSS(string=REPORT_CSS.read_text(encoding="utf-8"), font_config=_font_config(), url_fetcher=_own_files_only())


def safe_cell(value: object) -> str:
    """A cell's text, with anything a spreadsheet would run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return plain_amount(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def plain_amount(value: Money) -> str:
    """A plain decimal with the currency's own digits: 500000.00, 50000000, 75250.500."""
    return f"{round_half_up(value.amount, value.currency)}"


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM (so spreadsheet programs read az/tr/ru names right), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_number_format(currency: str) -> str:
    """A number format with the currency's own digits and its code: '#,##0.00 "AZN"'."""
    digits = minor_digits(currency)
    return ("#,##0." + "0" * digits if digits else "#,##0") + f' "{currency}"'
