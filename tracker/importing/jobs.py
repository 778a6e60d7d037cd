"""Imports run in the background for the web page: the uploaded file kept between preview and commit, and its job.

An upload is kept as `<id>.upload` in the import folder (`TRACKER_IMPORT_DIR`), its state as
`<id>.json`: whose it is, its phase, rows done of rows total, and the preview's or the commit's
result. The state lives in files, not in one process's memory, so with several workers any of
them can answer a progress poll, without the database. A job runs in a process of its own
(given the database URL; it writes the state file itself), so it may pause the cycle
collector and shorten the switch interval (`core.bulk`) without touching the requests its
worker serves meanwhile; the preview and the commit are both `import_contributions`, so the
commit is all or nothing exactly as the CLI's and the API's.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.bulk import dedicated_process
from tracker.core.config import get_settings
from tracker.core.errors import Invalid, NotFound
from tracker.core.i18n import gettext as _
from tracker.core.i18n import use_locale
from tracker.db.columns import stored_id
from tracker.db.engine import make_engine, reading
from tracker.db.models import User
from tracker.importing.files import check_archive, is_xlsx
from tracker.importing.report import ImportRefused
from tracker.importing.service import import_contributions

log = logging.getLogger(__name__)

ID_SHAPE = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600  # an upload and its result are removed a day after their last change
STALE_SECONDS = 600  # a running job silent this long died with its worker (progress comes every chunk)
# A job's states: checking (the preview runs) → ready (clean) or refused (bad rows, nothing imported);
# ready → importing (the commit runs) → imported, or refused (the ledger changed since the preview); failed: a bug.
CHECKING, READY, REFUSED = "checking", "ready", "refused"
IMPORTING, IMPORTED, FAILED = "importing", "imported", "failed"
RUNNING = (CHECKING, IMPORTING)
# A job's process is forked from a fork server, a process of the worker's that does nothing but
# import this module once and fork: a job starts in milliseconds instead of the second a fresh
# interpreter takes to import the app (it still runs the program's main script again, as
# multiprocessing does: 20 ms for `tracker serve`'s). Never forked from the worker itself: a fork
# would copy its threads' locks mid-use (the database pool's among them). Spawned where there is
# no fork server.
if "forkserver" in multiprocessing.get_all_start_methods():
    _processes: ForkServerContext | SpawnContext = multiprocessing.get_context("forkserver")
    _processes.set_forkserver_preload([__name__])
else:
    _processes = multiprocessing.get_context("spawn")
_live: dict[str, BaseProcess] = {}  # the job processes this worker started and still watches


@dataclass
class Job:
    """One uploaded file: where its preview or commit stands, and what it found or did."""

    id: str
    user_id: int
    user: dict[str, str]  # email, name and role at upload: the page shows them without the database
    language: str
    filename: str
    size: int
    state: str = CHECKING
    rows_done: int = 0
    rows_total: int | None = None
    result: dict[str, Any] | None = None  # rows, created, skipped, donors_created, recipients_created, import_id
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, message
    problem_count: int = 0
    bad_rows: int = 0
    error: str = ""  # a problem with the whole file (its header, its format) or the job itself
    pid: int = 0
    host: str = ""
    updated_at: float = 0.0

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def percent(self) -> int | None:
        if not self.running:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)  # 100 only once the job has finished

    def status(self) -> dict[str, Any]:
        """What the progress poll answers."""
        return {
            "state": self.state,
            "running": self.running,
            "rows_done": self.rows_done,
            "rows_total": self.rows_total,
            "percent": self.percent,
        }


def import_folder() -> Path:
    """The folder uploads wait in, made private to this user on first use."""
    configured = get_settings().import_dir
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "tracker-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def keep_upload(folder: Path, source: IO[bytes], filename: str, user: User, language: str) -> Job:
    """Store the uploaded file under a fresh random id (never a name the client chose) and its state."""
    sweep(folder)
    job_id = secrets.token_hex(16)
    with (folder / f"{job_id}.upload").open("xb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        size = target.tell()
    owner = {"email": user.email, "name": user.name or "", "role": user.role}
    job = Job(job_id, stored_id(user), owner, language, Path(filename).name[:200], size)
    _save(folder, job)
    return job


def load(folder: Path, job_id: str, user_id: int | None) -> Job:
    """The user's own upload; anyone else's, an expired one or a malformed id are all 'not found'."""
    missing = NotFound("no import {id}: it was never uploaded by you, or it expired", id=job_id[:40])
    if not ID_SHAPE.match(job_id) or user_id is None:
        raise missing
    try:
        data = json.loads((folder / f"{job_id}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        raise missing from None
    data["problems"] = [tuple(problem) for problem in data.get("problems", [])]
    job = Job(**data)
    if job.user_id != user_id:
        raise missing
    if job.running and _died(job):
        job.state = FAILED
        job.error = _("The import stopped before it finished (the server restarted); upload the file again.")
    return job


def start_preview(engine: sa.Engine, folder: Path, job: Job) -> None:
    _start(engine, folder, job, dry_run=True)


def claim_commit(folder: Path, job: Job) -> bool:
    """Take the one right to commit this upload: a second click, tab or worker gets False and starts nothing."""
    if job.state != READY:
        return False
    try:
        os.close(os.open(folder / f"{job.id}.commit", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    job.state, job.rows_done = IMPORTING, 0
    _save(folder, job)
    return True


def start_commit(engine: sa.Engine, folder: Path, job: Job) -> None:
    _start(engine, folder, job, dry_run=False)


def sweep(folder: Path, now: float | None = None) -> None:
    """Remove the uploads and results of every id untouched for a day."""
    cutoff = (now or time.time()) - KEEP_SECONDS
    by_id: dict[str, list[Path]] = {}
    for path in folder.iterdir():
        if ID_SHAPE.match(path.stem):
            by_id.setdefault(path.stem, []).append(path)
    for paths in by_id.values():
        state = next((p for p in paths if p.suffix == ".json"), None)
        newest = (state or max(paths, key=_mtime)).stat().st_mtime if paths else 0
        if newest < cutoff:
            for path in paths:
                path.unlink(missing_ok=True)


def count_rows(source: IO[bytes]) -> int | None:
    """How many data rows the file has, for the progress bar: a CSV's lines, an XLSX sheet's stated size."""
    head = source.read(4)
    source.seek(0)
    try:
        if is_xlsx(head):
            from openpyxl import load_workbook

            check_archive(source)  # a file past the limits is not opened here either: the import says why
            book = load_workbook(source, read_only=True)
            try:
                last = book.worksheets[0].max_row
            finally:
                book.close()
            return max(0, last - 1) if last else None
        lines, last_byte = 0, b"\n"
        for chunk in iter(lambda: source.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            last_byte = chunk[-1:]
        return max(0, lines - 1 + (last_byte != b"\n"))
    except Exception:  # an unreadable file: the import itself says what is wrong with it
        return None
    finally:
        source.seek(0)


# -- the job -------------------------------------------------------------------------------------


def _start(engine: sa.Engine, folder: Path, job: Job, *, dry_run: bool) -> None:
    """Run the job in a process of its own, and watch it from a thread here: a process that ends
    without saying how (killed, out of memory) leaves its job failed, not running for ever."""
    url = engine.url.render_as_string(hide_password=False)
    environment = {name: value for name, value in os.environ.items() if name.startswith("TRACKER_")}
    process = _processes.Process(
        target=_work, args=(url, environment, str(folder), job, dry_run), name=f"import-{job.id}", daemon=True
    )
    _live[job.id] = process
    try:
        process.start()
    except BaseException:
        _live.pop(job.id, None)  # never started: `load` reports it failed once its state is a few seconds old
        raise
    threading.Thread(target=_watch, args=(process, folder, job), name=f"import-watch-{job.id}", daemon=True).start()


def _work(url: str, environment: dict[str, str], folder: str, job: Job, dry_run: bool) -> None:
    """The job's process: it does nothing else, so the import may take the process-wide speed switches."""
    for name in [name for name in os.environ if name.startswith("TRACKER_")]:
        del os.environ[name]
    os.environ.update(environment)  # the worker's settings now, not the fork server's when it started
    get_settings.cache_clear()
    engine = make_engine(url)
    try:
        with dedicated_process():
            _run(engine, Path(folder), job, dry_run)
    finally:
        engine.dispose()


def _watch(process: BaseProcess, folder: Path, job: Job) -> None:
    process.join()  # and reaped: a finished process no longer answers to its pid
    _live.pop(job.id, None)
    if process.exitcode == 0:
        return  # it saved its own end
    log.error("import %s: its process %s ended with exit code %s", job.id, process.pid, process.exitcode)
    try:
        data = json.loads((folder / f"{job.id}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return
    if data.get("state") in RUNNING:
        job.state = FAILED
        job.rows_done, job.rows_total = data.get("rows_done", 0), data.get("rows_total")
        with use_locale(job.language):
            job.error = _("The import failed unexpectedly; nothing was imported. The error is in the server's log.")
        _save(folder, job)


def _run(engine: sa.Engine, folder: Path, job: Job, dry_run: bool) -> None:
    upload = folder / f"{job.id}.upload"
    try:
        with use_locale(job.language), upload.open("rb") as source:
            job.rows_total = count_rows(source)
            _save(folder, job)

            def progress(rows: int) -> None:
                job.rows_done = rows
                _save(folder, job)

            try:
                with _session(engine, dry_run) as session:
                    report = import_contributions(
                        session,
                        source,
                        session.get(User, job.user_id),
                        dry_run=dry_run,
                        locale=job.language,  # the uploader's: the numbers are read as their forms read them
                        progress=progress,
                    )
            except ImportRefused as refused:
                job.state = REFUSED
                job.problems = [(p.row, p.column, p.message) for p in refused.report.problems]
                job.problem_count, job.bad_rows = refused.report.problem_count, refused.report.bad_row_count
            except Invalid as exc:
                job.state, job.error = REFUSED, exc.message
            else:
                job.state = READY if dry_run else IMPORTED
                job.rows_done = job.rows_total = report.rows
                job.result = {
                    "import_id": report.import_id,
                    "rows": report.rows,
                    "created": report.created,
                    "skipped": report.skipped,
                    "donors_created": report.donors_created,
                    "recipients_created": report.recipients_created,
                }
    except Exception:
        log.exception("import %s failed", job.id)
        job.state = FAILED
        with use_locale(job.language):
            job.error = _("The import failed unexpectedly; nothing was imported. The error is in the server's log.")
    finally:
        if job.state != READY:
            upload.unlink(missing_ok=True)  # imported, or refused: the file is of no more use
        _save(folder, job)


@contextmanager
def _session(engine: sa.Engine, dry_run: bool) -> Iterator[Session]:
    """The job's own session: committed at the end of a clean commit, always rolled back after a preview.
    A preview only reads, so on SQLite it reads a snapshot and does not hold the write lock for its run."""
    with Session(reading(engine) if dry_run else engine, expire_on_commit=False) as session:
        try:
            yield session
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise


def _save(folder: Path, job: Job) -> None:
    """Write the state whole and atomically: a poll reads the old state or the new one, never half of one."""
    job.pid, job.host, job.updated_at = os.getpid(), socket.gethostname(), time.time()
    temporary = folder / f"{job.id}-{os.getpid()}-{threading.get_ident()}.tmp"  # the job's process, or a watcher
    temporary.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / f"{job.id}.json")


def _died(job: Job) -> bool:
    if job.id in _live:
        return False  # this worker's own job process: its watcher saves how it ends
    if job.pid == os.getpid():
        return time.time() - job.updated_at > 5  # saved here, its process never started (or about to)
    if job.host == socket.gethostname():
        try:
            os.kill(job.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    return time.time() - job.updated_at > STALE_SECONDS


def _mtime(path: Path) -> float:
    return path.stat().st_mtime
