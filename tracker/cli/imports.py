"""`tracker import FILE`: contributions from CSV or XLSX, previewed with --dry-run, then all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from tracker.cli.common import existing_file, fail, readable_errors
from tracker.core.errors import Invalid
from tracker.core.i18n import _, ngettext
from tracker.importing.report import ImportReport

if TYPE_CHECKING:  # imported where it is raised, so the other commands start without the importer
    pass

app = typer.Typer(help="Import contributions from a CSV or XLSX file.")


@app.command("import")
@readable_errors
def import_command(
    file: Annotated[
        Path,
        typer.Argument(help="A .csv (UTF-8, comma or semicolon) or .xlsx file."),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and show what would be created.")] = False,
    user: Annotated[str | None, typer.Option(help="Email of the user the import is recorded as.")] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            help="en, az, tr or ru: amounts written as text are read as the entry form reads them in this "
            "language (default: TRACKER_DEFAULT_LOCALE, the language of this command's messages)."
        ),
    ] = None,
) -> None:
    """Import contributions; a file with any bad row imports nothing and lists every bad row."""
    from sqlmodel import func, select

    from tracker.core.i18n import current_locale
    from tracker.db.engine import get_engine, reading, session_scope, upgrade
    from tracker.db.models import User
    from tracker.importing.report import ImportRefused
    from tracker.importing.service import import_contributions

    existing_file(file, "file")
    upgrade()
    size = file.stat().st_size
    # A dry run reads a snapshot: on SQLite it does not hold the write lock from the app's writers for its run.
    engine = reading(get_engine()) if dry_run else None
    with file.open("rb") as source, session_scope(engine) as session:
        actor = None
        if user:
            actor = session.exec(select(User).where(func.lower(User.email) == user.strip().lower())).first()
            if actor is None:
                raise Invalid("user", "no user with email {email}", email=user)
        with typer.progressbar(length=_count_rows(source) or size, label=_("checking rows")) as bar:
            done = [0]

            def progress(rows: int) -> None:
                bar.update(rows - done[0])
                done[0] = rows

            try:
                report = import_contributions(
                    session, source, actor, dry_run=dry_run, locale=locale or current_locale(), progress=progress
                )
            except ImportRefused as refused:
                _print_problems(refused.report)
                fail(refused.message)
        if dry_run:
            session.rollback()
    if dry_run:
        summary = _("rows read: {rows}; contributions to import: {created}; imported before, skipped: {skipped}")
    else:
        summary = _("rows read: {rows}; contributions imported: {created}; imported before, skipped: {skipped}")
    typer.echo(summary.format(rows=report.rows, created=report.created, skipped=report.skipped))
    if report.donors_created:
        made = _("donors to create ({count}): {names}") if dry_run else _("donors created ({count}): {names}")
        typer.echo(made.format(count=len(report.donors_created), names=_names(report.donors_created)))
    if report.recipients_created:
        made = _("recipients to create ({count}): {names}") if dry_run else _("recipients created ({count}): {names}")
        typer.echo(made.format(count=len(report.recipients_created), names=_names(report.recipients_created)))


def _names(names: list[str]) -> str:
    """The first twenty names, for one line."""
    return ", ".join(names[:20]) + (", …" if len(names) > 20 else "")


def _count_rows(source: BinaryIO) -> int | None:
    """Roughly how many data rows a CSV file has (its line count), for the progress bar; None for XLSX."""
    from tracker.importing.files import is_xlsx

    lines = None
    if not is_xlsx(source.read(4)):
        source.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: source.read(1 << 20), b""))
    source.seek(0)
    return max(1, lines - 1) if lines is not None else None


def _print_problems(report: ImportReport) -> None:
    """Every problem of a refused file, a line each, before the command's one error line."""
    for problem in report.problems:
        if problem.column:
            line = _("row {row}, {column}: {message}").format(
                row=problem.row, column=problem.column, message=problem.message
            )
        else:
            line = _("row {row}: {message}").format(row=problem.row, message=problem.message)
        typer.echo(line, err=True)
    more = report.problem_count - len(report.problems)
    if more > 0:
        typer.echo(
            ngettext("… and {count} more problem", "… and {count} more problems", more).format(count=more), err=True
        )
