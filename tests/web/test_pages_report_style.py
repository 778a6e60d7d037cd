"""The report pages' layout: a static stylesheet the CSP allows, the same file the PDFs are set with."""

from __future__ import annotations

import io
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select
from webkit import Staff, make_user

from tracker.db.models import Donor
from tracker.demo import load_demo

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_a_statement_page_links_the_report_stylesheet_and_has_no_inline_style(
    client: TestClient, session: Session
) -> None:
    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    donor = session.exec(select(Donor).where(Donor.name.startswith("Azərbaycan Həmkarlar"))).one()
    for path in (f"/reports/donors/{donor.id}", "/reports/summary?report_lang=en"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
        html = BeautifulSoup(answer.text, "html.parser")
        assert html.find("style") is None and html.find(attrs={"style": True}) is None, path
        assert [link["href"] for link in html.find_all("link", rel="stylesheet")] == ["/static/report.css"]
        assert html.find("nav", class_="downloads").get_text(" ", strip=True) == "PDF · CSV · XLSX"
    sheet = client.get("/static/report.css")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    assert "border-bottom: 1px solid" in sheet.text


def test_no_report_template_carries_an_inline_style() -> None:
    for template in sorted((TEMPLATES / "reports").glob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text and "style=" not in text, template.name


def test_the_pdf_keeps_its_footer_and_the_summary_its_landscape_page(client: TestClient, session: Session) -> None:
    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    donor = session.exec(select(Donor).where(Donor.name.startswith("Azərbaycan Həmkarlar"))).one()
    statement = PdfReader(io.BytesIO(client.get(f"/reports/donors/{donor.id}?format=pdf").content))
    first = statement.pages[0]
    assert first.mediabox.width < first.mediabox.height  # A4 upright: 595 × 842 points
    assert f"Səhifə 1 / {len(statement.pages)}" in first.extract_text()  # the az footer, from the stylesheet
    summary = PdfReader(io.BytesIO(client.get("/reports/summary?report_lang=tr&format=pdf").content))
    page = summary.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    assert f"Sayfa 1 / {len(summary.pages)}" in page.extract_text()
