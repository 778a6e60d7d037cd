"""Report pages: a donor's statement and the summary as pages and files; a letter written and read back."""

import gc
import io

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select
from webkit import Staff, make_user

from tracker.db.models import Donor
from tracker.demo import load_demo


def confederation(session: Session) -> Donor:
    return session.exec(select(Donor).where(Donor.name.startswith("Azərbaycan Həmkarlar"))).one()


def test_a_viewer_reads_a_statement_in_the_donors_language_and_downloads_it(
    client: TestClient, session: Session
) -> None:
    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    donor = confederation(session)
    page = client.get(f"/reports/donors/{donor.id}?from=2023-02-01&to=2023-02-28")
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert html.html["lang"] == "az"  # the confederation's own language, whatever the page's
    assert "500.000,00\xa0₼" in html.get_text()
    pdf = client.get(f"/reports/donors/{donor.id}?from=2023-02-01&to=2023-02-28&format=pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="statement-{donor.id}.pdf"'
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\xa0", " ")
    assert "500.000,00 AZN" in text and "620.000,00 ₼" in text and "ə" in text  # paid: 500,000 + 10 houses
    english = BeautifulSoup(client.get(f"/reports/donors/{donor.id}?report_lang=en").text, "html.parser")
    assert english.html["lang"] == "en"
    assert client.get(f"/reports/donors/{donor.id}?format=docx").status_code == 422


def test_the_summary_for_one_appeal(client: TestClient, session: Session) -> None:
    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    page = client.get("/reports/summary?appeal=SYR-EQ-2023&report_lang=en")
    assert page.status_code == 200
    assert "Syria earthquake 2023" in page.text
    csv = client.get("/reports/summary?appeal=SYR-EQ-2023&format=csv")
    assert csv.content.startswith("\ufeff".encode())
    assert client.get("/reports/summary?appeal=NOPE").status_code == 404


def test_a_clerk_writes_a_letter_and_its_number_reads_it_back(client: TestClient, session: Session) -> None:
    load_demo(session)
    clerk = Staff(client)
    clerk.sign_in(make_user(session, "clerk"))
    donor = confederation(session)
    made = clerk.post("/reports/letters", {"donor_id": str(donor.id), "from": "2023-02-01", "to": "2023-02-28"})
    assert made.status_code == 303
    number = made.headers["location"].rsplit("/", 1)[-1]
    assert number.startswith("L-")
    first = clerk.get(f"/reports/letters/{number}")
    again = clerk.get(f"/reports/letters/{number}")
    assert first.status_code == 200 and first.text == again.text
    assert BeautifulSoup(first.text, "html.parser").html["lang"] == "az"
    assert "500.000,00" in first.text


def test_a_report_request_leaves_the_workers_collector_alone(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector is the whole worker's: a report pausing it would pause it for every request served meanwhile."""
    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    donor = confederation(session)
    paused: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: paused.append("gc.disable"))
    for path in (
        f"/reports/donors/{donor.id}",
        f"/reports/donors/{donor.id}?format=csv",
        f"/reports/donors/{donor.id}?format=xlsx",
        "/reports/summary",
        "/reports/summary?format=csv",
    ):
        assert client.get(path).status_code == 200, path
    assert paused == []
    assert gc.isenabled()
