"""`tracker import FILE`: contributions from CSV or XLSX, previewed with --dry-run, then all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from tracker.cli.common import readable_errors

if TYPE_CHECKING:  # imported where it is raised, so the other commands start without the importer
    from tracker.importing.report import ImportRefused

app = typer.Typer(help="Import contributions from a CSV or XLSX file.")


@app.command("import")
@readable_errors
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv (UTF-8, comma or semicolon) or .xlsx file.", exists=True, dir_okay=False, readable=True
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and show what would be created.")] = False,
    user: Annotated[str | None, typer.Option(help="Email of the user the import is recorded as.")] = None,
) -> None:
    """Import contributions; a file with any bad row imports nothing and lists every bad row."""
    from sqlmodel import func, select

    from tracker.db.engine import session_scope, upgrade
    from tracker.db.models import User
    from tracker.importing.report import ImportRefused
    from tracker.importing.service import import_contributions

    upgrade()
    size = file.stat().st_size
    with file.open("rb") as source, session_scope() as session:
        actor = None
        if user:
            actor = session.exec(select(User).where(func.lower(User.email) == user.strip().lower())).first()
            if actor is None:
                raise typer.BadParameter(f"no user with email {user}", param_hint="--user")
        with typer.progressbar(length=_count_rows(source) or size, label="checking rows") as bar:
            done = [0]

            def progress(rows: int) -> None:
                bar.update(rows - done[0])
                done[0] = rows

            try:
                report = import_contributions(session, source, actor, dry_run=dry_run, progress=progress)
            except ImportRefused as refused:
                _print_problems(refused)
                raise typer.Exit(1) from None
        if dry_run:
            session.rollback()
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{report.rows} rows read; {verb} {report.created} contributions; {report.skipped} already imported")
    for label, names in (("donors", report.donors_created), ("recipients", report.recipients_created)):
        if names:
            typer.echo(f"{'would create' if dry_run else 'created'} {len(names)} {label}: {', '.join(names[:20])}"
                       + (" ..." if len(names) > 20 else ""))  # fmt: skip


def _count_rows(source: BinaryIO) -> int | None:
    """Roughly how many data rows a CSV file has (its line count), for the progress bar; None for XLSX."""
    from tracker.importing.files import is_xlsx

    lines = None
    if not is_xlsx(source.read(4)):
        source.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: source.read(1 << 20), b""))
    source.seek(0)
    return max(1, lines - 1) if lines is not None else None


def _print_problems(refused: ImportRefused) -> None:
    report = refused.report
    for problem in report.problems:
        where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
        typer.echo(f"{where}: {problem.message}", err=True)
    if report.problem_count > len(report.problems):
        typer.echo(f"... and {report.problem_count - len(report.problems)} more", err=True)
    typer.echo(f"error: {refused}", err=True)
