"""The import page through the real app, with real background jobs committing to a database of their own."""

from __future__ import annotations

import gc
import io
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from factories import make_donor, make_recipient
from fastapi import Request
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from webkit import Staff, make_user, page

from tracker.core import config
from tracker.db.engine import make_engine, reading, session_scope
from tracker.db.models import Contribution, ContributionLine, Donor, JournalEvent
from tracker.web.deps import READ_METHODS

HEADER = "key,date,status,donor,donor_kind,recipient,kind,amount,currency\r\n"
CLEAN = (
    HEADER + "K-1,2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,75250.5,KWD\r\n"
    "K-2,2023-02-11,pledged,Kuwait Red Crescent,,AFAD,money,500000.00,AZN\r\n"
    "K-3,2023-02-12,paid,Türk Kızılay,organisation,AFAD,money,1200.25,AZN\r\n"
)


class Site:
    """The app on a database it commits to, with staff signed in through the real form."""

    def __init__(self, client: TestClient, engine: sa.Engine, folder: Path) -> None:
        self.client, self.engine, self.folder = client, engine, folder
        self.staff: dict[str, Staff] = {}

    def as_(self, role: str) -> Staff:
        if role not in self.staff:
            one = Staff(TestClient(self.client.app))
            assert one.sign_in(f"{role}@example.org").status_code == 303
            self.staff[role] = one
        return self.staff[role]

    def upload(self, staff: Staff, content: bytes, name: str = "contributions.csv") -> str:
        """Upload a file; the id of its job, from where the page sends us."""
        answer = staff.client.post(
            "/imports", data={"csrf_token": staff.token}, files={"file": (name, content)}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        return answer.headers["location"].rsplit("/", 1)[1]

    def wait(self, staff: Staff, job: str) -> dict:  # type: ignore[type-arg]
        deadline = time.monotonic() + 60
        while True:
            status = staff.get(f"/imports/{job}/status").json()
            if not status["running"]:
                return status  # type: ignore[no-any-return]
            assert time.monotonic() < deadline, status
            time.sleep(0.05)

    def count(self, model: type) -> int:
        with Session(self.engine) as session:
            return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def site(fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    from tracker.web.app import create_app
    from tracker.web.deps import get_session

    folder = tmp_path / "uploads"
    monkeypatch.setenv("TRACKER_DATABASE_URL", fresh_url)
    monkeypatch.setenv("TRACKER_IMPORT_DIR", str(folder))
    monkeypatch.setenv("TRACKER_IMPORT_MAX_MB", "4")
    config.get_settings.cache_clear()
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        for role in ("viewer", "clerk", "admin"):
            make_user(session, role)
        make_donor(session, "Kuwait Red Crescent")
        make_recipient(session, "AFAD")
    app = create_app()

    def committed(request: Request) -> Iterator[Session]:
        # As the app's own: a GET reads a snapshot, which on SQLite never waits for a running import.
        with session_scope(reading(engine) if request.method in READ_METHODS else engine) as session:
            yield session

    app.dependency_overrides[get_session] = committed
    with TestClient(app) as client:
        yield Site(client, engine, folder)
    engine.dispose()
    config.get_settings.cache_clear()


def test_a_clean_file_is_previewed_then_committed_once(site: Site) -> None:
    clerk = site.as_("clerk")
    job = site.upload(clerk, CLEAN.encode())
    assert site.wait(clerk, job) == {
        "state": "ready",
        "running": False,
        "rows_done": 3,
        "rows_total": 3,
        "percent": 100,
    }
    preview = page(clerk.get(f"/imports/{job}"))
    facts = dict(
        zip(
            [dt.get_text() for dt in preview.select("dl.facts dt")],
            [dd.get_text() for dd in preview.select("dl.facts dd")],
            strict=True,
        )
    )
    assert facts == {
        "Rows read": "3",
        "Contributions to import": "3",
        "Rows imported before, skipped": "0",
        "New donors": "1: Türk Kızılay",
        "New recipients": "none",
    }
    assert preview.find("button", string="Commit import") is not None
    assert (site.count(Contribution), site.count(Donor)) == (0, 1)  # a preview writes nothing

    answer = clerk.post(f"/imports/{job}/commit")
    assert (answer.status_code, answer.headers["location"]) == (303, f"/imports/{job}")
    assert site.wait(clerk, job)["state"] == "imported"
    result = page(clerk.get(f"/imports/{job}"))
    assert result.select_one("p.confirmation").get_text() == "Imported 3 contributions."
    assert result.find("a", string="See the contributions")["href"] == "http://testserver/contributions"
    with Session(site.engine) as session:
        totals = session.exec(
            select(ContributionLine.currency, func.sum(ContributionLine.value_minor)).group_by(
                ContributionLine.currency
            )
        ).all()
    assert sorted(totals) == [("AZN", 50120025), ("KWD", 75250500)]
    assert site.count(Donor) == 2
    assert list(site.folder.glob("*.upload")) == []  # the file is gone once imported

    again = clerk.post(f"/imports/{job}/commit")
    assert again.status_code == 303
    notice = page(clerk.get(f"/imports/{job}")).select_one("p.notice").get_text()
    assert notice == "This file is being imported or was imported already; it is imported once."
    assert site.count(Contribution) == 3


def test_one_bad_row_among_a_thousand_is_named_and_nothing_is_stored(site: Site) -> None:
    rows = [f"R-{n},2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,10.00,USD\r\n" for n in range(2, 1002)]
    rows[499] = "R-501,2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,1.5,JPY\r\n"  # row 501 of the sheet
    admin = site.as_("admin")
    journal = site.count(JournalEvent)
    job = site.upload(admin, (HEADER + "".join(rows)).encode())
    status = site.wait(admin, job)
    assert status == {"state": "refused", "running": False, "rows_done": 1000, "rows_total": 1000, "percent": 100}
    shown = page(admin.get(f"/imports/{job}"))
    problems = [[td.get_text() for td in tr.find_all("td")] for tr in shown.select("table.problems tbody tr")]
    assert problems == [["501", "amount", "JPY has no minor units, got 1.5"]]
    assert shown.select_one("p.error").get_text() == "Nothing was imported. Correct the file and upload it again."
    assert shown.find("button", string="Commit import") is None
    assert admin.post(f"/imports/{job}/commit").status_code == 303  # refused: nothing starts
    assert page(admin.get(f"/imports/{job}")).select_one("p.notice").get_text() == (
        "Only a file whose preview found no problems can be imported."
    )
    assert (site.count(Contribution), site.count(JournalEvent)) == (0, journal)
    assert list(site.folder.glob("*.upload")) == []


def test_a_file_with_a_bad_header_is_refused_whole(site: Site) -> None:
    clerk = site.as_("clerk")
    job = site.upload(clerk, b"date,status\r\n2023-02-10,paid\r\n")
    assert site.wait(clerk, job)["state"] == "refused"
    errors = [p.get_text() for p in page(clerk.get(f"/imports/{job}")).select("p.error")]
    assert errors == [
        "Nothing was imported. Correct the file and upload it again.",
        "header: the column donor is missing",
    ]


def test_problems_are_written_in_the_uploaders_language(site: Site) -> None:
    clerk = site.as_("clerk")
    clerk.get("/imports?lang=ru")
    job = site.upload(clerk, (HEADER + "K-1,2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,1.5,JPY\r\n").encode())
    site.wait(clerk, job)
    shown = page(clerk.get(f"/imports/{job}"))
    assert shown.select_one("h1").get_text() == "Файл contributions.csv нельзя импортировать"
    assert [td.get_text() for td in shown.select("table.problems td")] == [
        "2",
        "amount",
        "у JPY нет дробных единиц, получено 1.5",
    ]


def test_the_upload_form_documents_the_columns_and_links_the_template(site: Site) -> None:
    clerk = site.as_("clerk")
    shown = page(clerk.get("/imports"))
    names = [code.get_text() for code in shown.select("table.columns code")]
    assert names[:4] == ["key", "date", "status", "donor"] and len(names) == 18
    link = shown.find("a", string="Download the template (CSV, with two example rows)")
    template = clerk.get(link["href"])
    assert template.headers["content-disposition"] == 'attachment; filename="contributions-template.csv"'
    assert template.content.startswith(b"\xef\xbb\xbfkey,date,status,donor,")
    nav = [a.get_text() for a in shown.select("header nav a")]
    assert "Imports" in nav
    assert "Imports" not in [
        a.get_text() for a in page(site.as_("viewer").get("/contributions")).select("header nav a")
    ]


def test_viewers_may_not_import(site: Site) -> None:
    viewer = site.as_("viewer")
    assert viewer.get("/imports").status_code == 403
    refused = viewer.client.post(
        "/imports", data={"csrf_token": viewer.token}, files={"file": ("a.csv", CLEAN.encode())}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert list(site.folder.glob("*")) == [] if site.folder.exists() else True


def test_an_upload_without_the_csrf_token_is_refused_and_keeps_nothing(site: Site) -> None:
    clerk = site.as_("clerk")
    refused = clerk.client.post("/imports", files={"file": ("a.csv", CLEAN.encode())}, follow_redirects=False)
    assert refused.status_code == 403
    job = site.upload(clerk, CLEAN.encode())
    site.wait(clerk, job)
    forged = clerk.client.post(f"/imports/{job}/commit", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert site.count(Contribution) == 0
    assert [p.name for p in site.folder.glob("*.upload")] == [f"{job}.upload"]  # still there, waiting for a commit


def test_an_import_is_only_its_uploaders(site: Site) -> None:
    job = site.upload(site.as_("clerk"), CLEAN.encode())
    site.wait(site.as_("clerk"), job)
    admin = site.as_("admin")
    assert admin.get(f"/imports/{job}").status_code == 404
    assert admin.get(f"/imports/{job}/status").status_code == 404
    assert admin.post(f"/imports/{job}/commit").status_code == 404
    assert admin.get("/imports/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert site.count(Contribution) == 0


def test_a_missing_empty_or_too_large_file_is_refused(site: Site) -> None:
    clerk = site.as_("clerk")
    missing = page(clerk.post("/imports"))
    assert missing.select_one(".field-error").get_text() == "choose a CSV or XLSX file to import"
    empty = clerk.client.post("/imports", data={"csrf_token": clerk.token}, files={"file": ("a.csv", b"")})
    assert (empty.status_code, page(empty).select_one(".field-error").get_text()) == (422, "the file is empty")
    big = HEADER.encode() + b"x" * (4 * 1024 * 1024 + 70 * 1024)
    too_large = clerk.client.post("/imports", data={"csrf_token": clerk.token}, files={"file": ("a.csv", big)})
    assert too_large.status_code == 413
    assert page(too_large).select_one("p.error").get_text() == "the file is larger than 4 MiB"
    assert not site.folder.exists() or list(site.folder.glob("*.upload")) == []


def test_the_progress_poll_follows_a_running_commit_to_its_end(site: Site) -> None:
    total = 20_000
    rows = "".join(f"P-{n},2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,1.00,USD\r\n" for n in range(total))
    clerk = site.as_("clerk")
    job = site.upload(clerk, (HEADER + rows).encode())
    assert site.wait(clerk, job)["state"] == "ready"
    assert clerk.post(f"/imports/{job}/commit").status_code == 303
    seen, pages = [], []
    deadline = time.monotonic() + 120
    while (status := clerk.get(f"/imports/{job}/status").json())["running"]:
        seen.append(status)
        if len(pages) < 3 and status["rows_done"]:  # answered while the import holds the ledger: no database needed
            pages.append(page(clerk.get(f"/imports/{job}")))
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert status == {"state": "imported", "running": False, "rows_done": total, "rows_total": total, "percent": 100}
    midway = [s for s in seen if s["rows_total"] == total and 0 < s["rows_done"] < total]
    assert midway, seen  # the bar moved: some polls saw part of the file done
    assert all(s["percent"] == s["rows_done"] * 100 // total for s in midway)
    done = [s["rows_done"] for s in seen]
    assert done == sorted(done)
    assert pages, seen
    bar = pages[0].select_one("progress#import-bar")
    assert bar["max"] == str(total) and 0 < int(bar["value"]) < total
    assert pages[0].select_one("#import-count").get_text().startswith("Rows: ")
    assert pages[0].select_one("noscript meta")["http-equiv"] == "refresh"
    assert site.count(Contribution) == total
    finished = page(clerk.get(f"/imports/{job}"))
    assert finished.select_one("progress") is None and finished.select_one("noscript") is None


def test_an_xlsx_file_is_imported(site: Site) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "status", "donor", "recipient", "kind", "amount", "currency"])
    sheet.append(["2023-02-10", "paid", "Kuwait Red Crescent", "AFAD", "money", 1500.5, "EUR"])
    content = io.BytesIO()
    book.save(content)
    clerk = site.as_("clerk")
    job = site.upload(clerk, content.getvalue(), "contributions.xlsx")
    assert site.wait(clerk, job)["rows_total"] == 1
    clerk.post(f"/imports/{job}/commit")
    assert site.wait(clerk, job)["state"] == "imported"
    with Session(site.engine) as session:
        assert session.exec(select(ContributionLine.currency, ContributionLine.value_minor)).all() == [("EUR", 150050)]


def test_amounts_are_read_in_the_uploaders_language(site: Site) -> None:
    clerk = site.as_("clerk")
    hint = page(clerk.get("/imports?lang=tr")).select_one("#import-numbers").get_text()
    assert hint.startswith("Metin olarak yazılmış tutarlar, miktarlar ve birim değerleri bu sayfanın dilinde (Türkçe)")
    rows = (HEADER + 'T-1,2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,"1.500,50",TRY\r\n'
            "T-2,2023-02-11,paid,Kuwait Red Crescent,,AFAD,money,1.500,TRY\r\n")  # fmt: skip
    job = site.upload(clerk, rows.encode())
    assert site.wait(clerk, job)["state"] == "ready"
    clerk.post(f"/imports/{job}/commit")
    assert site.wait(clerk, job)["state"] == "imported"
    with Session(site.engine) as session:
        lines = session.exec(select(ContributionLine.value_minor, ContributionLine.currency)).all()
    assert sorted(lines) == [(150000, "TRY"), (150050, "TRY")]  # 1,500.50 and 1,500 Turkish liras


def test_an_amount_ambiguous_in_the_uploaders_language_is_named(site: Site) -> None:
    clerk = site.as_("clerk")
    clerk.get("/imports?lang=az")
    rows = (HEADER + "K-1,2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,10,USD\r\n"
            'K-2,2023-02-11,paid,Kuwait Red Crescent,,AFAD,money,"1,500",TRY\r\n')  # fmt: skip
    job = site.upload(clerk, rows.encode())
    assert site.wait(clerk, job)["state"] == "refused"
    shown = page(clerk.get(f"/imports/{job}"))
    problems = [[td.get_text() for td in tr.find_all("td")] for tr in shown.select("table.problems tbody tr")]
    assert problems == [
        ["3", "amount", "'1,500' birmənalı deyil: 1,5 və ya 1.500 ola bilər; şübhəyə yer qoymadan yazın"]
    ]
    assert site.count(Contribution) == 0


def test_a_missing_donor_is_named_in_the_uploaders_language(site: Site) -> None:
    clerk = site.as_("clerk")
    clerk.get("/imports?lang=az")
    job = site.upload(clerk, (HEADER + "K-1,2023-02-10,paid,Nobody,,AFAD,money,10,USD\r\n").encode())
    assert site.wait(clerk, job)["state"] == "refused"
    shown = page(clerk.get(f"/imports/{job}"))
    problems = [[td.get_text() for td in tr.find_all("td")] for tr in shown.select("table.problems tbody tr")]
    assert problems == [
        ["2", "donor", "e-poçtu və ya adı 'Nobody' olan donor yoxdur; onu yaratmaq üçün donor_kind verin"]
    ]


def _state(site: Site, job: str) -> dict:  # type: ignore[type-arg]
    """The job's state file as the job wrote it (the page shows none of pid and host)."""
    return json.loads((site.folder / f"{job}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_job_runs_in_its_own_process_and_leaves_the_web_processs_switches_alone(site: Site) -> None:
    rows = "".join(f"S-{n},2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,1.00,USD\r\n" for n in range(8000))
    clerk = site.as_("clerk")
    collector, interval = gc.isenabled(), sys.getswitchinterval()
    assert collector  # the test process collects cycles, as a web worker does
    job = site.upload(clerk, (HEADER + rows).encode())
    assert site.wait(clerk, job)["state"] == "ready"
    assert clerk.post(f"/imports/{job}/commit").status_code == 303
    seen = []
    deadline = time.monotonic() + 120
    while clerk.get(f"/imports/{job}/status").json()["running"]:
        seen.append((gc.isenabled(), sys.getswitchinterval()))  # as a request served meanwhile finds them
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert seen, "the commit ended before any poll"
    assert set(seen) == {(collector, interval)}
    state = _state(site, job)
    assert state["state"] == "imported" and state["pid"] not in (0, os.getpid())  # written by the job's process
    assert site.count(Contribution) == 8000


def test_a_job_whose_process_is_killed_is_reported_failed(site: Site) -> None:
    rows = "".join(f"D-{n},2023-02-10,paid,Kuwait Red Crescent,,AFAD,money,1.00,USD\r\n" for n in range(20_000))
    clerk = site.as_("clerk")
    job = site.upload(clerk, (HEADER + rows).encode())
    assert site.wait(clerk, job)["state"] == "ready"
    assert clerk.post(f"/imports/{job}/commit").status_code == 303
    deadline = time.monotonic() + 60
    while (state := _state(site, job))["pid"] == os.getpid():  # until the job's own process has written
        assert time.monotonic() < deadline, "the job never left the web process"
        time.sleep(0.005)
    assert state["state"] == "importing", state
    os.kill(state["pid"], signal.SIGKILL)
    status = site.wait(clerk, job)
    assert (status["state"], status["running"], status["rows_total"]) == ("failed", False, 20_000)
    error = page(clerk.get(f"/imports/{job}")).select_one("p.error").get_text()
    assert error == "The import failed unexpectedly; nothing was imported. The error is in the server's log."
    assert site.count(Contribution) == 0
