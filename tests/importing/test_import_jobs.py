"""The import page's job files: counting rows for the progress bar, percentages, ids, and the daily sweep."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from tracker.core.errors import NotFound
from tracker.importing.jobs import IMPORTING, Job, count_rows, load, sweep


def test_a_csv_file_counts_its_data_rows_with_or_without_a_last_newline() -> None:
    assert count_rows(io.BytesIO(b"date,status\r\n2023-02-10,paid\r\n2023-02-11,paid\r\n")) == 2
    assert count_rows(io.BytesIO(b"date,status\n2023-02-10,paid\n2023-02-11,paid")) == 2
    assert count_rows(io.BytesIO(b"date,status\n")) == 0


def test_a_running_job_is_at_most_99_percent_until_it_ends() -> None:
    job = Job("a" * 32, 1, {}, "en", "f.csv", 10, state=IMPORTING, rows_done=1000, rows_total=4000)
    assert (job.percent, job.running) == (25, True)
    job.rows_done = 4100  # a CSV's line count can be short of its rows (a quoted newline counts twice)
    assert job.percent == 99
    job.rows_total = None
    assert job.percent is None


def test_only_well_formed_ids_are_looked_up(tmp_path: Path) -> None:
    for job_id in ("../../etc/passwd", "A" * 32, "a" * 31, ""):
        with pytest.raises(NotFound):
            load(tmp_path, job_id, 1)


def test_the_sweep_removes_what_was_untouched_for_a_day(tmp_path: Path) -> None:
    old, fresh = "a" * 32, "b" * 32
    for job_id in (old, fresh):
        for suffix in (".json", ".upload", ".commit"):
            (tmp_path / f"{job_id}{suffix}").write_text("{}")
    day_ago = time.time() - 24 * 3600 - 60
    for suffix in (".json", ".upload", ".commit"):
        os.utime(tmp_path / f"{old}{suffix}", (day_ago, day_ago))
    os.utime(tmp_path / f"{fresh}.upload", (day_ago, day_ago))  # its state is recent: a preview waiting
    (tmp_path / "notes.txt").write_text("not ours")
    sweep(tmp_path)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == [f"{fresh}.commit", f"{fresh}.json", f"{fresh}.upload", "notes.txt"]
