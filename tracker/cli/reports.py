"""The `tracker report` commands: a donor's statement, the summary, acknowledgement letters, written to a file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.common import chosen_format, option_date, readable_errors
from tracker.core.errors import Invalid
from tracker.core.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.reporting.reports.render import ReportHeading

app = typer.Typer(help="Reports: donor statements, the summary and acknowledgement letters.", no_args_is_help=True)

Output = Annotated[Path, typer.Option("-o", "--output", help="The file to write.")]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="html, pdf, csv or xlsx (default: the output file's extension, else pdf)."),
]
FromOption = Annotated[str | None, typer.Option("--from", help="First value date (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last value date (YYYY-MM-DD).")]
CurrencyOption = Annotated[str | None, typer.Option(help="Convert totals into this currency (default: reporting).")]
LangOption = Annotated[str | None, typer.Option("--lang", help="Report language: en, az, tr or ru.")]
OrganisationOption = Annotated[
    str | None, typer.Option(help="The organisation named at the top of the report (default: the saved settings').")
]
AddressOption = Annotated[
    str | None, typer.Option(help="Its address, \\n between lines (default: the saved settings').")
]


@app.command("donor")
@readable_errors
def donor_command(
    donor: Annotated[str, typer.Argument(help="The donor's id or exact name.")],
    output: Output,
    date_from: FromOption = None,
    date_to: ToOption = None,
    currency: CurrencyOption = None,
    lang: LangOption = None,
    fmt: FormatOption = None,
    organisation: OrganisationOption = None,
    address: AddressOption = None,
) -> None:
    """Write a donor's statement for a period (in the donor's language unless --lang says otherwise)."""
    from tracker.catalogue.service import find_donor
    from tracker.db.engine import session_scope, upgrade
    from tracker.reporting.reports.donor import donor_statement
    from tracker.reporting.reports.formats import FORMATS, donor_file
    from tracker.reporting.reports.translated import statement_in

    start, end = option_date(date_from, "from"), option_date(date_to, "to")
    chosen = chosen_format(fmt, output, FORMATS, "pdf")
    upgrade()
    with session_scope() as session:
        found = find_donor(session, donor)
        language = _language(session, lang, found.locale)
        statement = statement_in(session, donor_statement(session, found, start, end, currency), language)
        data = donor_file(statement, chosen, language, _heading(session, organisation, address))
    _write(output, data)


@app.command("summary")
@readable_errors
def summary_command(
    output: Output,
    appeal: Annotated[str | None, typer.Option(help="Only this appeal (its id or code).")] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    currency: CurrencyOption = None,
    lang: LangOption = None,
    fmt: FormatOption = None,
    top: Annotated[int, typer.Option(help="How many donors to show by name; the rest are added up.")] = 10,
    organisation: OrganisationOption = None,
    address: AddressOption = None,
) -> None:
    """Write the summary report for a period, and optionally one appeal."""
    from tracker.catalogue.service import find_appeal
    from tracker.db.engine import session_scope, upgrade
    from tracker.reporting.reports.formats import FORMATS, summary_file
    from tracker.reporting.reports.summary_totals import summary_report
    from tracker.reporting.reports.translated import summary_in

    start, end = option_date(date_from, "from"), option_date(date_to, "to")
    file_format = chosen_format(fmt, output, FORMATS, "pdf")
    if top < 0:
        raise Invalid("top", "must be 0 or more, got {value}", value=top)
    upgrade()
    with session_scope() as session:
        chosen = find_appeal(session, appeal) if appeal else None
        language = _language(session, lang, None)
        report = summary_in(session, summary_report(session, start, end, chosen, currency, top=top), language)
        data = summary_file(report, file_format, language, _heading(session, organisation, address))
    _write(output, data)


@app.command("letter")
@readable_errors
def letter_command(
    output: Output,
    donor: Annotated[str | None, typer.Argument(help="The donor's id or exact name (for a new letter).")] = None,
    number: Annotated[
        str | None, typer.Option(help="Reprint this letter (L-2026-000001), marked COPY, instead of writing a new one.")
    ] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    lang: LangOption = None,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Show estimated values of goods and services, marked as estimates.")
    ] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="pdf or html (default: the output file's extension, else pdf).")
    ] = None,
    organisation: OrganisationOption = None,
    address: AddressOption = None,
) -> None:
    """Write a new numbered acknowledgement letter for a donor's period, or regenerate one by its number."""
    from tracker.catalogue.service import find_donor
    from tracker.db.engine import session_scope, upgrade
    from tracker.reporting.reports.formats import LETTER_FORMATS, letter_file
    from tracker.reporting.reports.letter import create_letter, find_letter, letter_data

    start, end = option_date(date_from, "from"), option_date(date_to, "to")
    file_format = chosen_format(fmt, output, LETTER_FORMATS, "pdf")
    if (donor is None) == (number is None):
        raise Invalid("donor", "give a donor for a new letter, or --number to regenerate one")
    upgrade()
    with session_scope() as session:
        heading = _heading(session, organisation, address)
        if number is not None:  # a reprint: the letter as issued (its own heading), marked COPY
            letter = find_letter(session, number)
        else:
            assert donor is not None, "checked above: a donor or a number"
            chosen = find_donor(session, donor)
            issued = (heading.name, heading.address)
            letter = create_letter(session, chosen, start, end, lang, show_values, heading=issued)
        content = letter_data(session, letter)
        data = letter_file(content, file_format, heading, copy=number is not None)
    _write(output, data)
    typer.echo(_("letter {number}").format(number=letter.number))
    if content.digest != letter.digest:
        typer.echo(_("warning: the letter no longer matches its check code; the catalogue may have changed"), err=True)


def _language(session: Session, chosen: str | None, donor_locale: str | None) -> str:
    """--lang, else the donor's own language, else the organisation's default (settings page, then environment)."""
    from tracker.core.i18n import LANGUAGES
    from tracker.settings.current import effective_settings

    language = chosen or donor_locale or effective_settings(session).default_locale
    if language not in LANGUAGES:
        raise Invalid("lang", "must be one of {allowed}, got {value!r}", allowed=", ".join(LANGUAGES), value=language)
    return language


def _heading(session: Session, organisation: str | None, address: str | None) -> ReportHeading:
    """What the settings page saved, as the pages head their reports, with what the options replace."""
    from tracker.reporting.reports.render import saved_heading

    saved = saved_heading(session)
    return replace(
        saved,
        name=saved.name if organisation is None else organisation,
        address=saved.address if address is None else address.replace("\\n", "\n"),
    )


def _write(output: Path, data: bytes) -> None:
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise Invalid(
            "output", "cannot write {path}: {reason}", path=str(output), reason=exc.strerror or str(exc)
        ) from None
    typer.echo(_("wrote {path}").format(path=str(output)))
