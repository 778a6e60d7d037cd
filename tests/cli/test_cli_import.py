"""`tracker import`, run as a real process: a preview, an import, a re-import that adds nothing, a bad row named."""

from __future__ import annotations

from pathlib import Path

from clikit import run
from sqlmodel import Session, select

from tracker.db.engine import make_engine
from tracker.db.models import ContributionLine


def test_import_previews_then_imports_and_names_bad_rows(fresh_url: str, tmp_path: Path) -> None:
    header = "key,date,status,donor,donor_kind,recipient,recipient_kind,kind,amount,currency\n"
    good = tmp_path / "good.csv"
    good.write_text(header + "G-1,2023-02-10,paid,Ayşe Yılmaz,individual,AFAD,organisation,money,100,TRY\n")
    preview = run("import", str(good), "--dry-run", url=fresh_url)
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.strip().splitlines()[-3:] == [
        "rows read: 1; contributions to import: 1; imported before, skipped: 0",
        "donors to create (1): Ayşe Yılmaz",
        "recipients to create (1): AFAD",
    ]
    done = run("import", str(good), url=fresh_url)
    assert "rows read: 1; contributions imported: 1; imported before, skipped: 0" in done.stdout
    again = run("import", str(good), url=fresh_url).stdout
    assert "rows read: 1; contributions imported: 0; imported before, skipped: 1" in again
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "B-1,2023-02-10,paid,Ayşe Yılmaz,,AFAD,,money,1.5,JPY\n")
    refused = run("import", str(bad), url=fresh_url)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "row 2, amount: JPY has no minor units, got 1.5",
        "error: bad rows: 1, problems: 1; nothing was imported",
    ]
    assert run("verify", url=fresh_url).returncode == 0


def test_import_reads_amounts_in_the_locale_asked_for(fresh_url: str, tmp_path: Path) -> None:
    header = "key,date,status,donor,donor_kind,recipient,recipient_kind,kind,amount,currency\n"
    rows = tmp_path / "tr.csv"
    rows.write_text(
        header + 'T-1,2023-02-10,paid,Ayşe Yılmaz,individual,AFAD,organisation,money,"1.500,50",TRY\n'
        "T-2,2023-02-11,paid,Ayşe Yılmaz,individual,AFAD,organisation,money,1.500,TRY\n"
    )
    english = run("import", str(rows), "--locale", "en", url=fresh_url)
    assert english.returncode == 1
    assert english.stderr.strip().splitlines() == [
        "row 3, amount: '1.500' is ambiguous: it could be 1.5 or 1,500; type it without doubt",
        "error: bad rows: 1, problems: 1; nothing was imported",
    ]
    turkish = run("import", str(rows), "--locale", "tr", url=fresh_url)
    assert turkish.returncode == 0, turkish.stderr
    engine = make_engine(fresh_url)
    with Session(engine) as session:
        lines = session.exec(select(ContributionLine.value_minor, ContributionLine.currency)).all()
    engine.dispose()
    assert sorted(lines) == [(150000, "TRY"), (150050, "TRY")]  # 1,500.50 and 1,500 Turkish liras


def test_import_reads_amounts_in_the_default_language_without_locale(fresh_url: str, tmp_path: Path) -> None:
    rows = tmp_path / "tr.csv"
    rows.write_text(
        "key,date,status,donor,donor_kind,recipient,recipient_kind,kind,amount,currency\n"
        'T-1,2023-02-10,paid,Ayşe Yılmaz,individual,AFAD,organisation,money,"1,500",TRY\n'
    )
    refused = run("import", str(rows), url=fresh_url, TRACKER_DEFAULT_LOCALE="tr")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "satır 2, amount: '1,500' belirsiz: 1,5 ya da 1.500 olabilir; şüpheye yer bırakmadan yazın",
        "hata: hatalı satır: 1, sorun: 1; hiçbir şey içe aktarılmadı",
    ]
    assert run("import", str(rows), url=fresh_url).returncode == 0  # en: one thousand five hundred
