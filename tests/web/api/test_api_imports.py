"""POST /api/v1/imports: the file is the body; a dry run previews, a bad row refuses the file naming it."""

from __future__ import annotations

import gc
import sys

import pytest
from factories import make_donor, make_recipient
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tracker.db.models import Contribution

Headers = dict[str, dict[str, str]]
HEADER = "key,date,status,donor,recipient,kind,amount,currency\r\n"
CSV = {"Content-Type": "text/csv"}


def test_an_import_is_previewed_then_committed(api: TestClient, auth: Headers, session: Session) -> None:
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    body = (HEADER + "K-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,75250.5,KWD\r\n").encode()
    preview = api.post("/api/v1/imports?dry_run=true", content=body, headers={**auth["admin"], **CSV})
    assert preview.status_code == 200, preview.text
    answer = preview.json()
    assert {k: v for k, v in answer.items() if k != "import_id"} == {
        "dry_run": True,
        "rows": 1,
        "created": 1,
        "skipped": 0,
        "donors_created": [],
        "recipients_created": [],
    }
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 0
    done = api.post("/api/v1/imports", content=body, headers={**auth["admin"], **CSV, "Idempotency-Key": "file-1"})
    assert done.status_code == 201
    assert (done.json()["created"], done.json()["dry_run"]) == (1, False)
    listed = api.get("/api/v1/contributions?currency=KWD", headers=auth["viewer"]).json()["items"]
    assert [line["amount"] for c in listed for line in c["lines"]] == [{"amount": "75250.500", "currency": "KWD"}]
    again = api.post("/api/v1/imports", content=body, headers={**auth["admin"], **CSV})
    assert (again.status_code, again.json()["created"], again.json()["skipped"]) == (201, 0, 1)


def test_a_bad_row_is_named_and_nothing_is_imported(api: TestClient, auth: Headers, session: Session) -> None:
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    body = (HEADER + "K-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,10,USD\r\n"
            "K-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,1.5,JPY\r\n").encode()  # fmt: skip
    refused = api.post("/api/v1/imports", content=body, headers={**auth["admin"], **CSV})
    assert refused.status_code == 422
    assert refused.json() == {"detail": [{"field": "rows[3].amount", "message": "JPY has no minor units, got 1.5"}]}
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 0
    header = api.post("/api/v1/imports", content=b"date,status\n", headers={**auth["admin"], **CSV})
    assert header.json() == {"detail": [{"field": "header", "message": "the column donor is missing"}]}


def test_imports_are_for_clerks_and_the_template_for_everyone(api: TestClient, auth: Headers) -> None:
    assert api.post("/api/v1/imports", content=HEADER.encode(), headers={**auth["viewer"], **CSV}).status_code == 403
    clerk = api.post("/api/v1/imports?dry_run=true", content=HEADER.encode(), headers={**auth["clerk"], **CSV})
    assert clerk.status_code == 200 and clerk.json()["rows"] == 0
    template = api.get("/api/v1/imports/template", headers=auth["viewer"])
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert template.headers["content-disposition"] == 'attachment; filename="contributions-template.csv"'
    assert template.content.startswith(b"\xef\xbb\xbfkey,date,status,donor,")


def test_amounts_are_read_in_the_locale_asked_for(api: TestClient, auth: Headers, session: Session) -> None:
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    body = (HEADER + 'T-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,"1.500,50",TRY\r\n'
            "T-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,1.500,TRY\r\n").encode()  # fmt: skip
    english = api.post("/api/v1/imports", content=body, headers={**auth["clerk"], **CSV})  # en unless asked
    assert english.status_code == 422
    assert english.json() == {
        "detail": [
            {
                "field": "rows[3].amount",
                "message": "'1.500' is ambiguous: it could be 1.5 or 1,500; type it without doubt",
            }
        ]
    }
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 0
    turkish = api.post("/api/v1/imports?locale=tr", content=body, headers={**auth["clerk"], **CSV})
    assert (turkish.status_code, turkish.json()["created"]) == (201, 2)
    listed = api.get("/api/v1/contributions?currency=TRY", headers=auth["viewer"]).json()["items"]
    assert sorted(line["amount"]["amount"] for c in listed for line in c["lines"]) == ["1500.00", "1500.50"]


def test_an_amount_ambiguous_in_the_locale_is_a_row_error(api: TestClient, auth: Headers, session: Session) -> None:
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    body = (HEADER + "K-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,10,USD\r\n"
            'K-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,money,"1,500",TRY\r\n').encode()  # fmt: skip
    refused = api.post("/api/v1/imports?locale=az&dry_run=true", content=body, headers={**auth["clerk"], **CSV})
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [
            {
                "field": "rows[3].amount",
                "message": "'1,500' is ambiguous: it could be 1,5 or 1.500; type it without doubt",
            }
        ]
    }
    unknown = api.post("/api/v1/imports?locale=de", content=body, headers={**auth["clerk"], **CSV})
    assert unknown.status_code == 422
    assert [problem["field"] for problem in unknown.json()["detail"]] == ["locale"]
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 0


def test_an_import_request_leaves_the_workers_switches_alone(
    api: TestClient, auth: Headers, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector and the switch interval are the whole worker's: the API's import, answered within its
    request, takes neither (the import page's jobs take them in a process of their own)."""
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    taken: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: taken.append("gc.disable"))
    monkeypatch.setattr(sys, "setswitchinterval", lambda interval: taken.append("sys.setswitchinterval"))
    rows = "".join(f"W-{n},2023-02-10,paid,Kuwait Red Crescent,AFAD,money,1.00,USD\r\n" for n in range(9000))
    for query in ("?dry_run=true", ""):
        done = api.post(f"/api/v1/imports{query}", content=(HEADER + rows).encode(), headers={**auth["clerk"], **CSV})
        assert (done.status_code, done.json()["created"]) == (200 if query else 201, 9000), done.text
    assert taken == []
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 9000


def test_a_truncated_workbook_is_422_naming_the_file(api: TestClient, auth: Headers) -> None:
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["date", "status", "donor", "recipient", "kind", "amount", "currency"])
    out = io.BytesIO()
    book.save(out)
    source, broken = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            target.writestr(name, part[: len(part) // 2] if name == "xl/worksheets/sheet1.xml" else part)
    response = api.post("/api/v1/imports?dry_run=true", content=broken.getvalue(), headers=auth["clerk"])
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]
    assert problem["field"] == "file"
    assert problem["message"].startswith("is not a readable XLSX file: ")
