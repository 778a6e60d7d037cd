"""Reports as print-friendly HTML in a chosen language, and as PDF rendered from that same HTML.

The language of a report is chosen on its own (a donor's own language, say), whatever
language the page or command around it speaks: every renderer takes `lang`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_percent
from markupsafe import Markup
from sqlmodel import Session

from tracker.core.bulk import collector_paused
from tracker.core.formatting import format_money_code, format_quantity
from tracker.core.i18n import current_locale, use_locale
from tracker.core.vocabulary import LineKind, term
from tracker.reporting.reports.donor import DonorStatement
from tracker.reporting.reports.entries import LineView
from tracker.reporting.reports.files import html_to_pdf
from tracker.reporting.reports.letter import LetterData
from tracker.reporting.reports.summary import SummaryReport
from tracker.reporting.templating import environment
from tracker.settings.current import effective_settings


@dataclass(frozen=True)
class ReportHeading:
    """Who issues the report, printed at its top: the organisation's name and address (lines)."""

    name: str = "tracker"
    address: str = ""

    @property
    def address_lines(self) -> list[str]:
        return [line for line in self.address.splitlines() if line.strip()]


DEFAULT_HEADING = ReportHeading()


def saved_heading(session: Session) -> ReportHeading:
    """The heading the settings page saved (name and address), as pages and commands print it."""
    settings = effective_settings(session)
    return ReportHeading(settings.organisation_name or DEFAULT_HEADING.name, settings.organisation_address)


def donor_html(
    statement: DonorStatement,
    lang: str,
    heading: ReportHeading = DEFAULT_HEADING,
    downloads: Mapping[str, str] | None = None,
    today: date | None = None,
    paging: Mapping[str, str] | None = None,
) -> str:
    """The per-donor statement as a print-friendly page (template reports/donor.html); `paging`: the links to
    the previous and next pages of entries ("prev", "next"), when the page shows one page of them."""
    with collector_paused():
        return _render("reports/donor.html", lang, heading, downloads, today, statement=statement, paging=paging)


RATES_PRINTED = 60  # a printed summary lists at most this many rates one by one, else each currency's range


def summary_html(
    report: SummaryReport,
    lang: str,
    heading: ReportHeading = DEFAULT_HEADING,
    downloads: Mapping[str, str] | None = None,
    printed: bool = False,
    rates_printed: int = RATES_PRINTED,
) -> str:
    """The summary report as a print-friendly page (template reports/summary.html). For print (the PDF), a
    long list of rates used is shown per currency instead (three years of daily rates are thousands of
    rows, seconds of layout each hundred); the page, CSV and XLSX list every rate."""
    brief = printed and len(report.rates_used) > rates_printed
    return _render("reports/summary.html", lang, heading, downloads, report.today, report=report, brief_rates=brief)


def letter_html(
    letter: LetterData,
    heading: ReportHeading = DEFAULT_HEADING,
    downloads: Mapping[str, str] | None = None,
    copy: bool = False,
) -> str:
    """An acknowledgement letter in its own language (template reports/letter.html), dated when it was written.

    A letter frozen at issue prints the heading it was issued under, not `heading`; a reprint (`copy`) is
    marked COPY.
    """
    printed = ReportHeading(*letter.heading) if letter.heading is not None else heading
    return _render(
        "reports/letter.html", letter.language, printed, downloads, letter.as_of.date(), letter=letter, copy=copy
    )


def to_pdf(html: str) -> bytes:
    """Any of these pages as a PDF, set in the bundled Noto Sans."""
    return html_to_pdf(html)


def _render(
    name: str,
    lang: str,
    heading: ReportHeading,
    downloads: Mapping[str, str] | None,
    today: date | None,
    **context: Any,
) -> str:
    with use_locale(lang):
        return (
            environment()
            .get_template(name)
            .render(
                heading=heading,
                downloads=dict(downloads or {}),
                today=today or date.today(),
                css_string=css_string,
                percent=percent,
                month=month,
                line_text=line_text,
                **context,
            )
        )


def line_text(line: LineView) -> str:
    """One line of a contribution in words: `1.000,00 AZN`, or `10 ədəd · Container house · 120.000,00 AZN (…)`."""
    return _line_text(line, current_locale())


@lru_cache(maxsize=4096)
def _line_text(line: LineView, locale: str) -> str:
    """Goods lines repeat across a donor's contributions (the same item, quantity and value): each is written once."""
    if line.kind == LineKind.MONEY:
        return format_money_code(line.value) if line.value else ""
    text = (format_quantity(line.quantity, line.unit or "") if line.quantity is not None else "") + " · "
    text += line.item_name or ""
    if line.value:
        text += f" · {format_money_code(line.value)} ({term(line.valuation, 'valuation')})"
    return text


def css_string(text: str) -> Markup:
    """Text as a CSS string literal, for @page content (page footers) inside a <style> element."""
    # Every character but a letter, a digit or a space as a hex escape: no quote, backslash, line break
    # (CR, LF, FF end a CSS string), "<" or ";" of the text can end the string or the <style> element.
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text)
    return Markup(f'"{escaped}"')  # noqa: S704 - escaped for CSS above; never HTML


def percent(fraction: Decimal | None) -> str:
    """A share to one decimal, rounded half up, in the locale's pattern: en `47.9%`, tr `%47,9`, ru `47,9 %`."""
    if fraction is None:
        return ""
    rounded = fraction.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize()
    return format_percent(rounded, locale=current_locale(), decimal_quantization=False)


def month(key: str) -> str:
    """A month key (2023-02) in words: en `February 2023`, az `fevral 2023`."""
    year, number = (int(part) for part in key.split("-"))
    return format_date(date(year, number, 1), format="LLLL y", locale=current_locale())
