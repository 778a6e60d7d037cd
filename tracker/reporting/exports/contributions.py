"""The contributions export use case: filters in, one file out (CSV, XLSX or HXL), for the pages, CLI and API."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

from sqlmodel import Session

from tracker.core.errors import Invalid, Plural
from tracker.core.vocabulary import Status
from tracker.ledger.filters import ContributionFilters
from tracker.reporting.exports.hxl import write_hxl
from tracker.reporting.exports.rows import ExportSet, count_rows, export_rows
from tracker.reporting.exports.sheets import write_csv, write_xlsx


@dataclass(frozen=True)
class ExportFormat:
    """A file format: how to write it, its media type, and the end of its file name."""

    write: Callable[[ExportSet, IO[bytes], bool], int]
    media_type: str
    suffix: str
    max_rows: int | None = None


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(lambda export, out, void: write_csv(export, out), "text/csv; charset=utf-8", ".csv"),
    "xlsx": ExportFormat(
        lambda export, out, void: write_xlsx(export, out),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
        max_rows=1_048_575,  # a sheet's 1,048,576 rows, less the heading
    ),
    "hxl": ExportFormat(write_hxl, "text/csv; charset=utf-8", "-hxl.csv"),
}


def export_format(name: str) -> ExportFormat:
    """The format called `name`, or a refusal listing the ones there are."""
    found = FORMATS.get((name or "").strip().lower())
    if found is None:
        raise Invalid("format", "one of {choices}, got {value}", choices=", ".join(FORMATS), value=name)
    return found


def export_contributions(
    session: Session, filters: ContributionFilters, fmt: str, out: IO[bytes], include_void: bool = False
) -> int:
    """Write the filtered contributions' lines to `out` in format `fmt`; returns how many rows were written.

    Void contributions are left out unless `include_void` is set (or the filter asks for void ones);
    in the CSV and XLSX they carry their void reason, in the HXL file a `#description+void` column.
    """
    chosen = export_format(fmt)
    include_void = include_void or filters.status == Status.VOID
    if chosen.max_rows is not None and count_rows(session, filters, include_void) > chosen.max_rows:
        rule = Plural(
            "an XLSX sheet holds at most {limit} row; narrow the filters or export CSV",
            "an XLSX sheet holds at most {limit} rows; narrow the filters or export CSV",
            chosen.max_rows,
        )
        raise Invalid("format", rule, limit=chosen.max_rows)
    return chosen.write(export_rows(session, filters, include_void), out, include_void)


def contributions_file(session: Session, filters: ContributionFilters, fmt: str, include_void: bool = False) -> bytes:
    """The same export as bytes, for callers that answer with a body rather than a stream."""
    out = io.BytesIO()
    export_contributions(session, filters, fmt, out, include_void)
    return out.getvalue()


def export_filename(fmt: str, today: date) -> str:
    """contributions-2025-03-07.csv, .xlsx, or -hxl.csv."""
    return "contributions-" + today.isoformat() + export_format(fmt).suffix
