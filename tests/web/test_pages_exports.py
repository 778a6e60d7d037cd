"""Downloads from the pages: a viewer exports the filtered list as CSV, XLSX or HXL, and an appeal as IATI XML."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import make_appeal, make_contribution, make_donor, money_line
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select
from webkit import Staff, make_user, page

from tracker.core import config
from tracker.db.models import Appeal
from tracker.demo import load_demo


@pytest.fixture
def viewer(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "viewer")).status_code == 303
    return staff


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_list_offers_downloads_that_carry_its_filters(viewer: Staff, session: Session) -> None:
    ayse, other = make_donor(session, "Ayşe Yılmaz"), make_donor(session, "Other donor")
    mine = make_contribution(session, money_line("10.00 USD"), donor=ayse)
    make_contribution(session, money_line("20.00 USD"), donor=other)
    listed = viewer.get(f"/contributions?donor_id={ayse.id}&status=paid&sort=-date")
    links = {a.get_text(): a["href"] for a in page(listed).find("p", class_="exports").find_all("a")}
    assert list(links) == ["CSV", "XLSX", "HXL"]
    for fmt, href in zip(("csv", "xlsx", "hxl"), links.values(), strict=True):
        parts = urlsplit(href)
        assert parts.path == f"/exports/contributions/{fmt}"
        assert parse_qs(parts.query) == {"donor_id": [str(ayse.id)], "status": ["paid"], "sort": ["-date"]}

    got = viewer.get(links["CSV"])
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="contributions-\d{4}-\d\d-\d\d\.csv"', got.headers["content-disposition"]
    )
    assert [row[0] for row in csv_rows(got.content)[1:]] == [mine.number]  # only the filtered donor's

    sheet = viewer.get(links["XLSX"])
    assert sheet.status_code == 200
    assert sheet.headers["content-disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(sheet.content)).active
    assert [row[2] for row in workbook.iter_rows(min_row=2, values_only=True)] == ["Ayşe Yılmaz"]

    tagged = viewer.get(links["HXL"])
    assert tagged.headers["content-disposition"].endswith('-hxl.csv"')
    rows = csv_rows(tagged.content)
    assert rows[1][:4] == ["#meta+id", "#date", "#date+decision", "#org+name+funder"]
    assert [row[3] for row in rows[2:]] == ["Ayşe Yılmaz"]


def test_a_void_contribution_is_exported_only_when_asked_for(viewer: Staff, session: Session) -> None:
    from tracker.ledger.service import void_contribution

    voided = make_contribution(session, money_line("20.00 USD"))
    void_contribution(session, voided.id, "Entered twice", None)  # type: ignore[arg-type]
    assert csv_rows(viewer.get("/exports/contributions/csv").content)[1:] == []
    marked = csv_rows(viewer.get("/exports/contributions/csv?include_void=1").content)[1:]
    assert [(row[0], row[6]) for row in marked] == [(voided.number, "Entered twice")]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/exports/contributions/csv?from=2023-13-01", "from: '2023-13-01' is not a real date"),
        ("/exports/contributions/xlsx?status=lost", "status: one of pledged, committed, paid, void, overdue, got lost"),
        ("/exports/contributions/hxl?donor_id=x1", "donor_id: x1 is not an id"),
        ("/exports/contributions/pdf", "format: one of csv, xlsx, hxl, got pdf"),
    ],
)
def test_bad_filters_get_a_clear_message_not_a_500(viewer: Staff, url: str, message: str) -> None:
    refused = viewer.get(url)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert message in page(refused).get_text()


def test_each_appeal_has_an_iati_download(viewer: Staff, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    appeal = make_appeal(session, "TUR-EQ-2023")
    make_contribution(session, money_line("500000.00 AZN"), appeal=appeal)
    listed = page(viewer.get("/appeals"))
    hrefs = [urlsplit(a["href"]).path for a in listed.find_all("a") if a.get_text(strip=True).startswith("IATI XML")]
    assert hrefs == [f"/exports/iati/{appeal.id}"]

    monkeypatch.delenv("TRACKER_IATI_ORG_REF", raising=False)
    config.get_settings.cache_clear()
    refused = viewer.get(hrefs[0])
    assert refused.status_code == 422
    assert "an admin sets it on the Settings page (or TRACKER_IATI_ORG_REF)" in page(refused).get_text()

    monkeypatch.setenv("TRACKER_IATI_ORG_REF", "XM-TEST-1")
    config.get_settings.cache_clear()
    got = viewer.get(hrefs[0])
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/xml"
    assert got.headers["content-disposition"] == 'attachment; filename="iati-TUR-EQ-2023.xml"'
    activity = ET.fromstring(got.content).find("iati-activity")
    assert activity is not None
    assert activity.findtext("iati-identifier") == "XM-TEST-1-TUR-EQ-2023"
    assert activity.find("transaction/value").text == "500000.00"  # type: ignore[union-attr]
    assert viewer.get("/exports/iati/999999").status_code == 404


def test_an_admin_sets_the_iati_identity_on_the_settings_page(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_IATI_ORG_REF", raising=False)
    config.get_settings.cache_clear()
    load_demo(session)
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    appeal = session.exec(select(Appeal).where(Appeal.code == "TUR-EQ-2023")).one()
    assert admin.get(f"/exports/iati/{appeal.id}").status_code == 422
    refused = admin.post("/settings", {"iati_org_ref": "XM DAC 41114", "iati_org_type": "22"})
    assert refused.status_code == 422
    assert page(refused).find(id="f-iati_org_ref")["aria-invalid"] == "true"
    assert admin.post("/settings", {"iati_org_ref": "XM-DAC-41114", "iati_org_type": "21"}).status_code == 303
    activity = ET.fromstring(admin.get(f"/exports/iati/{appeal.id}").content).find("iati-activity")
    assert activity.findtext("iati-identifier") == "XM-DAC-41114-TUR-EQ-2023"
    assert (activity.find("reporting-org").get("ref"), activity.find("reporting-org").get("type")) == (
        "XM-DAC-41114",
        "21",
    )
