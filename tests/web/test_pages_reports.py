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


def test_a_long_statement_lists_its_entries_a_page_at_a_time_and_its_files_list_them_all(
    client: TestClient, session: Session
) -> None:
    from datetime import date, timedelta
    from decimal import Decimal

    from factories import make_donor, make_recipient

    from tracker.core.money import Money
    from tracker.ledger.service import ContributionInput, LineInput, record_contribution

    donor, recipient = make_donor(session, "Long Donor"), make_recipient(session)
    for number in range(230):  # 1.00 AZN on day 0, 2.00 AZN on day 1, ...
        lines = [LineInput("money", amount=Money(Decimal(number + 1), "AZN"))]
        data = ContributionInput(donor.id, recipient.id, date(2023, 1, 1) + timedelta(days=number), "paid", lines)  # type: ignore[arg-type]
        record_contribution(session, data, None)
    session.commit()
    Staff(client).sign_in(make_user(session, "viewer"))

    def rows(html: BeautifulSoup) -> list[str]:
        return [tr.find("td").get_text() for tr in html.select("#contributions tbody tr")]

    first = BeautifulSoup(client.get(f"/reports/donors/{donor.id}?report_lang=en&currency=AZN").text, "html.parser")
    assert len(rows(first)) == 100
    assert "100 of 230 contributions" in first.get_text()
    # The totals are the whole period's: 1 + 2 + ... + 230 = 230 × 231 / 2 = 26,565 AZN.
    assert "26,565.00" in first.select_one("#totals").get_text()
    assert first.select_one("a[rel=next]")["href"].endswith("page=2")
    assert first.select_one("a[rel=prev]") is None
    last = BeautifulSoup(
        client.get(first.select_one("a[rel=next]")["href"].replace("page=2", "page=3")).text, "html.parser"
    )
    assert len(rows(last)) == 30
    assert "Page 3 of 3" in last.get_text()
    assert "26,565.00" in last.select_one("#totals").get_text()
    assert set(rows(first)).isdisjoint(rows(last))
    csv = client.get(f"/reports/donors/{donor.id}?format=csv&page=2").content.decode("utf-8-sig")
    assert sum(1 for row in csv.splitlines() if row.startswith("C-")) == 230  # every entry, whatever the page
