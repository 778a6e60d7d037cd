"""The `tracker export` commands: contributions as CSV, XLSX or HXL with filters, an appeal as IATI XML."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO, Annotated

import typer

from tracker.cli.common import readable_errors
from tracker.core.errors import Invalid
from tracker.core.i18n import _, ngettext
from tracker.db.columns import stored_id

app = typer.Typer(help="Exports: contributions as CSV, XLSX or HXL; appeals as IATI XML.", no_args_is_help=True)

Output = Annotated[Path, typer.Option("--output", "-o", help="The file to write (replaced only when complete).")]


@app.command("contributions")
@readable_errors
def contributions_command(
    output: Output,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or hxl.")] = "csv",
    donor_id: Annotated[str | None, typer.Option("--donor-id", help="Only this donor's contributions.")] = None,
    recipient_id: Annotated[str | None, typer.Option("--recipient-id", help="Only for this recipient.")] = None,
    appeal: Annotated[str | None, typer.Option(help="Only this appeal's contributions (its code).")] = None,
    status: Annotated[str | None, typer.Option(help="pledged, committed, paid, void or overdue.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only lines of this kind: money, goods or service.")] = None,
    currency: Annotated[str | None, typer.Option(help="Only lines in this currency.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Value dates from this day (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Value dates up to this day (YYYY-MM-DD).")] = None,
    text: Annotated[str | None, typer.Option("--search", help="Number, reference, name or notes with this.")] = None,
    include_void: Annotated[bool, typer.Option("--include-void", help="Add void contributions, marked.")] = False,
) -> None:
    """Write the contributions' lines, filtered as on the contributions list, one row per line."""
    from tracker.db.engine import session_scope, upgrade
    from tracker.ledger.filters import ContributionFilters
    from tracker.reporting.exports.contributions import export_contributions, export_format
    from tracker.reporting.exports.iati import appeal_by_code

    export_format(fmt)
    params = {
        "donor_id": donor_id,
        "recipient_id": recipient_id,
        "status": status,
        "kind": kind,
        "currency": currency,
        "from": date_from,
        "to": date_to,
        "q": text,
    }
    filters = ContributionFilters.read(params)
    upgrade()
    with session_scope() as session:
        if appeal is not None:
            filters = replace(filters, appeal_id=appeal_by_code(session, appeal).id)
        rows = _write(output, lambda out: export_contributions(session, filters, fmt, out, include_void))
    message = ngettext("{count} row written to {path}", "{count} rows written to {path}", rows)
    typer.echo(message.format(count=rows, path=output))


@app.command("iati")
@readable_errors
def iati_command(
    appeal_code: Annotated[str, typer.Argument(metavar="APPEAL_CODE", help="The appeal's code, such as TUR-EQ-2023.")],
    output: Output,
    org_ref: Annotated[
        str | None, typer.Option("--org-ref", help="The organisation's IATI identifier (over the settings page's).")
    ] = None,
) -> None:
    """Write the appeal as an IATI 2.03 activity: its contributions as incoming transactions."""
    from tracker.db.engine import session_scope, upgrade
    from tracker.reporting.exports.iati import appeal_by_code, appeal_iati_xml, organisation_ref

    upgrade()
    with session_scope() as session:
        organisation_ref(session, org_ref)  # refused before anything is read
        appeal = appeal_by_code(session, appeal_code)
        body = appeal_iati_xml(session, stored_id(appeal), org_ref)
    _write(output, lambda out: out.write(body))
    typer.echo(_("IATI activity for appeal {code} written to {path}").format(code=appeal.code, path=output))


def _write(path: Path, write: Callable[[IO[bytes]], int]) -> int:
    """Write through a temporary file beside `path`, renamed over it only when complete: never half a file."""
    folder = path.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + path.name + ".", suffix=".part")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise Invalid("output", "cannot write {path}: {reason}", path=str(path), reason=reason) from None
    try:
        with os.fdopen(handle, "wb") as out:
            written = write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
