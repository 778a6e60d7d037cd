"""One entry point per report for every file format: HTML, PDF, CSV, XLSX (letters: HTML and PDF).

PDFs are the HTML through WeasyPrint, except the donor statement's, written directly (`statement_pdf`).
"""

from __future__ import annotations

from collections.abc import Callable

from tracker.core.bulk import collector_paused
from tracker.core.errors import Invalid
from tracker.reporting.reports.donor import DonorStatement
from tracker.reporting.reports.letter import LetterData
from tracker.reporting.reports.render import (
    DEFAULT_HEADING,
    ReportHeading,
    donor_html,
    letter_html,
    summary_html,
    to_pdf,
)
from tracker.reporting.reports.statement_pdf import donor_pdf
from tracker.reporting.reports.summary import SummaryReport
from tracker.reporting.reports.tables import donor_csv, donor_xlsx, summary_csv, summary_xlsx

FORMATS = ("html", "pdf", "csv", "xlsx")
LETTER_FORMATS = ("html", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(name: str, allowed: tuple[str, ...] = FORMATS) -> str:
    found = name.strip().lower()
    if found not in allowed:
        raise Invalid("format", "must be one of {allowed}, got {value!r}", allowed=", ".join(allowed), value=name)
    return found


def donor_file(statement: DonorStatement, fmt: str, lang: str, heading: ReportHeading = DEFAULT_HEADING) -> bytes:
    """The per-donor statement in one format, in the report language `lang`."""
    with collector_paused():
        return _pick(
            check_format(fmt),
            html=lambda: donor_html(statement, lang, heading).encode(),
            pdf=lambda: donor_pdf(statement, lang, heading),  # written directly: statements run to thousands of rows
            csv=lambda: donor_csv(statement, lang),
            xlsx=lambda: donor_xlsx(statement, lang),
        )


def summary_file(report: SummaryReport, fmt: str, lang: str, heading: ReportHeading = DEFAULT_HEADING) -> bytes:
    """The summary report in one format, in the report language `lang`."""
    return _pick(
        check_format(fmt),
        html=lambda: summary_html(report, lang, heading).encode(),
        pdf=lambda: to_pdf(summary_html(report, lang, heading, printed=True)),
        csv=lambda: summary_csv(report, lang),
        xlsx=lambda: summary_xlsx(report, lang),
    )


def letter_file(letter: LetterData, fmt: str, heading: ReportHeading = DEFAULT_HEADING, copy: bool = False) -> bytes:
    """An acknowledgement letter as HTML or PDF, in the letter's own language; a reprint (`copy`) says COPY.

    The same frozen letter gives the same bytes every time: its content, date and heading are all frozen.
    """
    return _pick(check_format(fmt, LETTER_FORMATS), html=lambda: letter_html(letter, heading, copy=copy).encode())


def _pick(fmt: str, html: Callable[[], bytes], **others: Callable[[], bytes]) -> bytes:
    if fmt == "html":
        return html()
    if fmt == "pdf" and "pdf" not in others:
        return to_pdf(html().decode())
    return others[fmt]()
