"""The import page's background jobs: their cost beside a direct import, and what other requests see meanwhile.

    .venv/bin/python benchmarks/import_page.py [ROWS] [RUNS]

1. A preview and a commit of ROWS rows as page jobs (the upload kept on disk, a process of its
   own, the state file written at every chunk) beside `import_contributions` called directly in
   a dedicated process (as the CLI runs it: collector paused, quick switch interval), each on a
   fresh SQLite database: the ratio is what the jobs cost. Also directly in a process serving
   others (no process-wide switches: how the API's import runs, within its request).
2. While a commit job runs: how long the page's progress poll takes (it reads the state
   file only) and how long a page that reads the database (`/`) takes (on SQLite it waits
   for the write lock the import's transaction holds).
3. While a preview job runs: how long another writer waits for SQLite's write lock, with the
   preview on its deferred read transaction (as shipped) and on the app's engine, whose
   transactions take the write lock at BEGIN (as a naive job would).
Medians of RUNS runs (the machine may be shared: compare the ratios). Not part of the test run.
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from import_rows import prepare, synthetic_csv
from sqlmodel import Session

from tracker.accounts.users import create_user
from tracker.core import config
from tracker.core.bulk import dedicated_process
from tracker.db.engine import make_engine, session_scope
from tracker.db.models import User
from tracker.importing import jobs as import_jobs
from tracker.importing.service import import_contributions

if TYPE_CHECKING:  # imported when used: a job's process runs this script again (multiprocessing), as it
    from fastapi.testclient import TestClient  # would `tracker serve`'s, which costs 20 ms, not 200

PASSWORD = "correct horse battery"
DONORS = 2000


def fresh(folder: Path, name: str) -> tuple[str, sa.Engine, User]:
    url = f"sqlite:///{folder / name}.db"
    prepare(url, DONORS)
    engine = make_engine(url)
    with session_scope(engine) as session:
        user = create_user(session, email="clerk@example.org", role="clerk", password=PASSWORD)
        session.expunge(user)
    return url, engine, user


def direct(engine: sa.Engine, data: bytes, dry_run: bool, dedicated: bool = True) -> float:
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session, dedicated_process() if dedicated else nullcontext():
        import_contributions(session, io.BytesIO(data), None, dry_run=dry_run)
        session.rollback() if dry_run else session.commit()
    return time.perf_counter() - started


def wait(folder: Path, job_id: str, user_id: int, during: Callable[[], None] | None = None) -> import_jobs.Job:
    while (job := import_jobs.load(folder, job_id, user_id)).running:
        if during:
            during()
        else:
            time.sleep(0.005)
    return job


def as_jobs(engine: sa.Engine, folder: Path, user: User, data: bytes) -> tuple[float, float]:
    started = time.perf_counter()
    job = import_jobs.keep_upload(folder, io.BytesIO(data), "bench.csv", user, "en")
    import_jobs.start_preview(engine, folder, job)
    job = wait(folder, job.id, user.id)  # type: ignore[arg-type]
    preview = time.perf_counter() - started
    assert job.state == import_jobs.READY, (job.state, job.problems[:3], job.error)
    started = time.perf_counter()
    assert import_jobs.claim_commit(folder, job)
    import_jobs.start_commit(engine, folder, job)
    job = wait(folder, job.id, user.id)  # type: ignore[arg-type]
    assert job.state == import_jobs.IMPORTED, job.error
    return preview, time.perf_counter() - started


def signed_in(url: str, folder: Path) -> TestClient:
    import os

    from fastapi.testclient import TestClient

    os.environ["TRACKER_DATABASE_URL"] = url
    os.environ["TRACKER_IMPORT_DIR"] = str(folder)
    config.get_settings.cache_clear()
    from tracker.db.engine import get_engine
    from tracker.web.app import create_app

    get_engine.cache_clear()
    client = TestClient(create_app())
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/login", data={"email": "clerk@example.org", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client


Latencies = tuple[list[float], list[float]]


def during_commit(url: str, engine: sa.Engine, folder: Path, user: User, data: bytes) -> Latencies:
    """Latencies of the progress poll and of the dashboard, each asked in its own loop, while a commit job runs."""
    pollster, reader = signed_in(url, folder), signed_in(url, folder)
    job = import_jobs.keep_upload(folder, io.BytesIO(data), "bench.csv", user, "en")
    import_jobs.start_preview(engine, folder, job)
    job = wait(folder, job.id, user.id)  # type: ignore[arg-type]
    assert import_jobs.claim_commit(folder, job)
    import_jobs.start_commit(engine, folder, job)
    polls: list[float] = []
    pages: list[float] = []

    def ask(client: TestClient, path: str, into: list[float]) -> None:
        while import_jobs.load(folder, job.id, user.id).running:  # type: ignore[arg-type]
            started = time.perf_counter()
            try:
                ok = client.get(path).status_code == 200
            except Exception:  # the app's own error: on SQLite, "database is locked" after the busy timeout
                ok = False
            into.append(time.perf_counter() - started if ok else float("inf"))
            time.sleep(0.02)

    threads = [
        threading.Thread(target=ask, args=(pollster, f"/imports/{job.id}/status", polls)),
        threading.Thread(target=ask, args=(reader, "/", pages)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pollster.close()
    reader.close()
    return polls, pages


def writer_waits_during_preview(
    engine: sa.Engine, folder: Path, user: User, data: bytes, locking: bool = False
) -> list[float]:
    """How long one-statement write transactions wait for the lock while a preview job runs; `locking`:
    the job's work run here in a thread, on the writers' engine (a patch that cannot reach a job's process)."""
    job = import_jobs.keep_upload(folder, io.BytesIO(data), "bench.csv", user, "en")
    waits: list[float] = []

    def write() -> None:
        started = time.perf_counter()
        with engine.begin() as conn:  # BEGIN IMMEDIATE: the write lock
            conn.exec_driver_sql("SELECT 1")
        waits.append(time.perf_counter() - started)
        time.sleep(0.01)

    if locking:
        shipped_reading = import_jobs.reading
        import_jobs.reading = lambda engine: engine  # the preview takes the lock at BEGIN
        try:
            threading.Thread(target=import_jobs._run, args=(engine, folder, job, True)).start()
            time.sleep(0.1)  # its state saved before the loop reads it
            wait(folder, job.id, user.id, during=write)  # type: ignore[arg-type]
        finally:
            import_jobs.reading = shipped_reading
    else:
        import_jobs.start_preview(engine, folder, job)
        wait(folder, job.id, user.id, during=write)  # type: ignore[arg-type]
    return waits


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    data = synthetic_csv(rows, DONORS)
    figures: dict[str, list[float]] = {}
    poll_ms: list[float] = []
    page_ms: list[float] = []
    waits_reader: list[float] = []
    waits_locking: list[float] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            uploads = folder / "uploads"
            uploads.mkdir()
            _, engine, _ = fresh(folder, f"direct{run}")
            figures.setdefault("direct preview", []).append(direct(engine, data, dry_run=True))
            figures.setdefault("direct commit", []).append(direct(engine, data, dry_run=False))
            engine.dispose()
            _, engine, _ = fresh(folder, f"shared{run}")
            figures.setdefault("shared preview", []).append(direct(engine, data, dry_run=True, dedicated=False))
            figures.setdefault("shared commit", []).append(direct(engine, data, dry_run=False, dedicated=False))
            engine.dispose()
            _, engine, user = fresh(folder, f"jobs{run}")
            preview, commit = as_jobs(engine, uploads, user, data)
            figures.setdefault("job preview", []).append(preview)
            figures.setdefault("job commit", []).append(commit)
            engine.dispose()
            url, engine, user = fresh(folder, f"busy{run}")
            polls, pages = during_commit(url, engine, uploads, user, data)
            poll_ms += [1000 * p for p in polls]
            page_ms += [1000 * p for p in pages]
            waits_reader += [1000 * w for w in writer_waits_during_preview(engine, uploads, user, data)]
            waits_locking += [1000 * w for w in writer_waits_during_preview(engine, uploads, user, data, True)]
            engine.dispose()
    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"rows: {rows:,}  runs: {runs}  database: sqlite  threads alive: {threading.active_count()}")
    for phase in ("preview", "commit"):
        job, plain = median[f"job {phase}"], median[f"direct {phase}"]
        print(
            f"{phase}: direct {plain:.2f} s ({rows / plain:,.0f} rows/s), as a page job {job:.2f} s "
            f"({rows / job:,.0f} rows/s); job/direct {job / plain:.2f}"
        )
        shared = median[f"shared {phase}"]
        print(
            f"  {phase} in a process serving others (no collector pause, usual switch interval): {shared:.2f} s "
            f"({rows / shared:,.0f} rows/s); shared/direct {shared / plain:.2f}"
        )
    asked = {"poll": poll_ms, "page": page_ms}
    failed = {name: sum(1 for v in values if v == float("inf")) for name, values in asked.items()}
    answered = {name: [v for v in values if v != float("inf")] or [0.0] for name, values in asked.items()}
    print(
        f"during a commit: progress poll median {statistics.median(answered['poll']):.1f} ms "
        f"(max {max(answered['poll']):.1f}, n={len(poll_ms)}, failed {failed['poll']}); "
        f"dashboard median {statistics.median(answered['page']):.0f} ms (max {max(answered['page']):.0f}, "
        f"n={len(page_ms)}, failed {failed['page']})"
    )
    print(
        f"a writer during a preview: waits median {statistics.median(waits_reader):.1f} ms "
        f"(max {max(waits_reader):.1f}, n={len(waits_reader)}) with the deferred reader; "
        f"{statistics.median(waits_locking):.0f} ms (max {max(waits_locking):.0f}, n={len(waits_locking)}) "
        "if the preview took the write lock"
    )


if __name__ == "__main__":
    main()
