"""What an import found: each problem by row and column, the counts, and the refusal that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.core.errors import Plural, TrackerError, render
from tracker.core.i18n import N_

MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or would do: counts, what it creates, and every bad row."""

    import_id: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    skipped: int = 0
    donors_created: list[str] = field(default_factory=list)
    recipients_created: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    bad_row_count: int = 0
    # The bad rows of the chunk being checked: a row's problems all come while its chunk is (see
    # `chunk_settled`), so a file of millions of bad rows counts them without keeping them.
    chunk_bad_rows: set[int] = field(default_factory=set, repr=False)

    def problem(self, row: int, column: str, template: str | Plural, /, **params: Any) -> None:
        """Note a bad row; the message is a gettext template (extracted by babel.cfg's `problem:3`),
        rendered in the current language."""
        self.problem_count += 1
        if row not in self.chunk_bad_rows:
            self.chunk_bad_rows.add(row)
            self.bad_row_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, render(template, params)))

    def chunk_settled(self) -> None:
        """The rows checked so far get no more problems: forget which were bad, keep their count."""
        self.chunk_bad_rows.clear()


class ImportRefused(TrackerError):
    """The file has bad rows: nothing was imported (HTTP 422); `report` lists them."""

    status_code = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            N_("bad rows: {rows}, problems: {problems}; nothing was imported"),
            problems=report.problem_count,
            rows=report.bad_row_count,
        )
        self.report = report
