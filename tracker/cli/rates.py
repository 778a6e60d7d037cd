"""The `tracker rates` commands: import a rates file, list rates, set one by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import option_date, readable_errors
from tracker.core.errors import Invalid
from tracker.core.i18n import gettext as _
from tracker.core.parsing import iso_date
from tracker.settings.current import effective_settings

app = typer.Typer(help="Exchange rates: import files, list, set one by hand.", no_args_is_help=True)


@app.command("import")
@readable_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="A CBAR XML, ECB XML or CSV, or date,currency,rate CSV file.")],
    source: Annotated[str | None, typer.Option(help="cbar, ecb or csv; detected from the file when left out.")] = None,
    skip_unknown: Annotated[
        bool,
        typer.Option(
            "--skip-unknown", help="Skip and count codes that are no ISO 4217 code (such as USX) instead of refusing."
        ),
    ] = False,
) -> None:
    """Import a rates file into the reporting currency, all or nothing; print what was added.

    Codes outside the allow-list that ISO 4217 knows (XDR, withdrawn ones such as CYP) are
    skipped and counted; a code ISO never had refuses the file unless --skip-unknown.
    """
    from tracker.db.engine import session_scope, upgrade
    from tracker.rates.publications import MAX_FILE_BYTES
    from tracker.rates.service import import_rates

    try:
        with file.open("rb") as opened:
            data = opened.read(MAX_FILE_BYTES + 1)  # a larger file is refused by its size, unread
    except OSError as exc:
        raise Invalid("file", "cannot read {path}: {reason}", path=str(file), reason=exc.strerror or str(exc)) from None
    upgrade()
    with session_scope() as session:
        reporting = effective_settings(session).reporting_currency
        result = import_rates(session, data, source, reporting, None, skip_unknown=skip_unknown)
    if result.first_date:
        typer.echo(
            _("rates from {source} in {currency}, {first} to {last}").format(
                source=result.source, currency=result.quote_currency, first=result.first_date, last=result.last_date
            )
        )
    else:
        typer.echo(_("rates from {source} in {currency}").format(source=result.source, currency=result.quote_currency))
    typer.echo(
        _("added {added}, unchanged {unchanged}, skipped {skipped}").format(
            added=result.added, unchanged=result.unchanged, skipped=result.skipped
        )
    )


@app.command("list")
@readable_errors
def list_command(
    currency: Annotated[str | None, typer.Option(help="Only this currency.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From this date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Up to this date (YYYY-MM-DD).")] = None,
    quote: Annotated[str | None, typer.Option(help="Only rates quoted in this currency.")] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Also show superseded versions (marked superseded).")
    ] = False,
) -> None:
    """List rates, newest date first: date, currency, rate, quote currency, source, when recorded."""
    from tracker.db.engine import session_scope, upgrade
    from tracker.rates.reads import list_rates, plain

    start, end = option_date(date_from, "from"), option_date(date_to, "to")
    upgrade()
    with session_scope() as session:
        rates = list_rates(
            session, currency=currency, quote_currency=quote, date_from=start, date_to=end, all_versions=all_versions
        )
    for rate in rates:
        recorded = rate.recorded_at.strftime("%Y-%m-%d %H:%M")
        mark = "" if rate.in_force else "  " + _("superseded")
        typer.echo(
            f"{rate.rate_date}  {rate.currency}  {plain(rate.rate):>20}  {rate.quote_currency}"
            f"  {rate.source:<8}  {recorded}{mark}"
        )
    if not rates:
        typer.echo(_("no rates"))


# "-1" is a (negative) rate, not an unknown option: it reaches record_rate, which says why it is refused.
@app.command("set", context_settings={"ignore_unknown_options": True})
@readable_errors
def set_command(
    rate_date: Annotated[str, typer.Argument(metavar="DATE", help="The rate's date (YYYY-MM-DD).")],
    currency: Annotated[str, typer.Argument(help="The currency, such as USD.")],
    rate: Annotated[str, typer.Argument(help="Reporting-currency units per 1 unit, such as 1.7.")],
    source: Annotated[str, typer.Option(help="Where the rate comes from.")] = "manual",
) -> None:
    """Record a rate by hand, or correct one (the earlier version stays readable)."""
    from tracker.db.engine import session_scope, upgrade
    from tracker.rates.reads import plain
    from tracker.rates.service import record_rate

    day = iso_date(rate_date.strip(), "date")
    upgrade()
    with session_scope() as session:
        reporting = effective_settings(session).reporting_currency
        row = record_rate(session, day, currency, rate, source, reporting, None)
    typer.echo(f"{row.currency} on {row.rate_date}: {plain(Decimal(row.rate))} {row.quote_currency} ({row.source})")
