"""`tracker export`, run as a real process: files written whole, refusals in one line and no file."""

from __future__ import annotations

import io
from pathlib import Path

import hxl
import xmlschema
from clikit import one_error_line, run

SCHEMA = Path(__file__).parent.parent / "data" / "iati-2.03" / "iati-activities-schema.xsd"


def test_export_writes_hxl_with_filters_and_iati_per_appeal(fresh_url: str, tmp_path: Path) -> None:
    assert run("demo", url=fresh_url).returncode == 0
    tagged = tmp_path / "syria.csv"
    result = run(
        "export", "contributions", "--format", "hxl", "--appeal", "SYR-EQ-2023", "-o", str(tagged), url=fresh_url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"4 rows written to {tagged}"
    rows = list(hxl.data(io.BytesIO(tagged.read_bytes()), hxl.InputOptions(encoding="utf-8-sig")))
    shown = ("#value+total", "#currency+code", "#value+total+c_azn")
    assert sorted(tuple(r.get(tag) or "" for tag in shown) for r in rows) == [
        ("", "", ""),  # 1,000 food parcels, not valued
        ("150000.00", "USD", "255000.00"),  # the 200,000 USD pledge less the 50,000 USD that fulfils it
        ("175000.00", "USD", "297500.00"),  # 500 winter tents at 350 USD, 1.70 AZN per dollar
        ("50000.00", "USD", "85000.00"),
    ]

    paid = tmp_path / "paid.xlsx"
    result = run(
        "export",
        "contributions",
        "--format",
        "xlsx",
        "--status",
        "paid",
        "--kind",
        "goods",
        "-o",
        str(paid),
        url=fresh_url,
    )
    assert result.returncode == 0, result.stderr
    # paid goods: 10 container houses, 2,000 blankets, 500 winter tents, 1,000 food parcels
    assert result.stdout.strip() == f"4 rows written to {paid}"

    activity = tmp_path / "turkiye.xml"
    result = run("export", "iati", "TUR-EQ-2023", "--org-ref", "XM-TEST-1", "-o", str(activity), url=fresh_url)
    assert result.returncode == 0, result.stderr
    assert xmlschema.XMLSchema(str(SCHEMA)).is_valid(activity.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_refusals_are_one_line_and_leave_no_file(fresh_url: str, tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    no_ref = run("export", "iati", "TUR-EQ-2023", "-o", str(target), url=fresh_url, TRACKER_IATI_ORG_REF="")
    assert one_error_line(no_ref).startswith("error: org_ref: the IATI export needs the organisation's IATI identifier")
    unknown = run("export", "iati", "NOPE", "--org-ref", "XM-TEST-1", "-o", str(target), url=fresh_url)
    assert one_error_line(unknown) == "error: no appeal with code NOPE"
    bad_date = run("export", "contributions", "--from", "2023-02-30", "-o", str(target), url=fresh_url)
    assert one_error_line(bad_date) == "error: from: 2023-02-30 is not a date (YYYY-MM-DD)"
    bad_format = run("export", "contributions", "--format", "pdf", "-o", str(target), url=fresh_url)
    assert one_error_line(bad_format) == "error: format: one of csv, xlsx, hxl, got pdf"
    assert list(tmp_path.iterdir()) == []
