"""The export endpoints on the demo ledger: the contributions as CSV, XLSX and HXL with the list's filters, IATI XML."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from report_support import donor_named
from sqlmodel import Session, select

from tracker.core import config
from tracker.db.models import Appeal
from tracker.demo import load_demo

Headers = dict[str, dict[str, str]]
URL = "/api/v1/exports/contributions"


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def demo(session: Session) -> None:
    load_demo(session)


def test_the_confederations_lines_as_csv(api: TestClient, auth: Headers, session: Session, demo: None) -> None:
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    answer = api.get(URL + f"?donor_id={ahik.id}", headers=auth["viewer"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="contributions-')
    rows = read_csv(answer.content)
    assert rows[0][:7] == ["Number", "Value date", "Donor", "Recipient", "Appeal", "Status", "Void reason"]
    assert [(r[0], r[5], r[7], r[8], r[9], r[12], r[13]) for r in rows[1:]] == [
        # the pledge of 20 houses counts for the 10 still to come (C-2023-000002 delivered the others)
        ("C-2023-000001", "pledged", "goods", "Container house", "10", "120000.00", "AZN"),
        ("C-2023-000002", "paid", "goods", "Container house", "10", "120000.00", "AZN"),
        ("C-2023-000003", "paid", "money", "", "", "500000.00", "AZN"),
    ]


def test_void_ones_only_when_asked_for(api: TestClient, auth: Headers, session: Session, demo: None) -> None:
    caspian = donor_named(session, "Caspian")
    plain = read_csv(api.get(URL + f"?donor_id={caspian.id}", headers=auth["viewer"]).content)
    assert [r[0] for r in plain[1:]] == ["C-2023-000010"]
    marked = read_csv(api.get(URL + f"?donor_id={caspian.id}&include_void=true", headers=auth["viewer"]).content)
    assert [(r[0], r[6]) for r in marked[1:]] == [  # by value date: the duplicate was dated the 11th
        ("C-2023-000011", "Entered twice: the transfer of 12 February already covers it"),
        ("C-2023-000010", ""),
    ]


def test_xlsx_and_hxl(api: TestClient, auth: Headers, demo: None) -> None:
    xlsx = api.get(URL + "?format=xlsx&currency=KWD", headers=auth["viewer"])
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [(r[0], r[13]) for r in rows[1:]] == [("C-2023-000006", "KWD")]
    hxl = api.get(URL + "?format=hxl&status=committed", headers=auth["viewer"])
    assert hxl.headers["content-disposition"].endswith('-hxl.csv"')
    tagged = read_csv(hxl.content)
    assert tagged[1][0].startswith("#")
    assert len(tagged) == 3  # the header, the hashtags, and the JICA commitment


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?format=pdf", "format"),
        ("?status=lost", "status"),
        ("?from=2023-03-01&to=2023-02-01", "to"),
        ("?page=2", "page"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(api: TestClient, auth: Headers, query: str, field: str) -> None:
    answer = api.get(URL + query, headers=auth["viewer"])
    assert answer.status_code == 422, answer.text
    assert [problem["field"] for problem in answer.json()["detail"]] == [field]


def test_an_appeal_as_iati_xml(
    api: TestClient, auth: Headers, session: Session, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_IATI_ORG_REF", "XM-TEST-1")
    config.get_settings.cache_clear()
    turkiye = session.exec(select(Appeal).where(Appeal.code == "TUR-EQ-2023")).one()
    answer = api.get(f"/api/v1/exports/iati/{turkiye.id}", headers=auth["viewer"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert answer.headers["content-disposition"] == 'attachment; filename="iati-TUR-EQ-2023.xml"'
    activity = ET.fromstring(answer.content).find("iati-activity")
    assert activity is not None
    assert activity.findtext("iati-identifier") == "XM-TEST-1-TUR-EQ-2023"
    assert api.get("/api/v1/exports/iati/999999", headers=auth["viewer"]).status_code == 404


def test_iati_without_the_organisations_identifier_is_refused(
    api: TestClient, auth: Headers, session: Session, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_IATI_ORG_REF", raising=False)
    config.get_settings.cache_clear()
    turkiye = session.exec(select(Appeal).where(Appeal.code == "TUR-EQ-2023")).one()
    answer = api.get(f"/api/v1/exports/iati/{turkiye.id}", headers=auth["viewer"])
    assert answer.status_code == 422
    assert [problem["field"] for problem in answer.json()["detail"]] == ["org_ref"]


def test_exports_need_a_token(api: TestClient) -> None:
    assert api.get(URL).status_code == 401
    assert api.get("/api/v1/exports/iati/1").status_code == 401
