"""`tracker report`: files written from the demo ledger; bad input is one readable line."""

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from bs4 import BeautifulSoup
from clikit import one_error_line, run
from pypdf import PdfReader

from tracker.db.engine import make_engine

AZN = {"TRACKER_REPORTING_CURRENCY": "AZN"}


def test_donor_summary_and_letter_files(fresh_url: str, tmp_path: Path) -> None:
    assert run("demo", url=fresh_url, **AZN).returncode == 0
    statement = tmp_path / "ahik.csv"
    made = run("report", "donor", "Caspian Energy LLC", "--format", "csv", "-o", str(statement), url=fresh_url, **AZN)
    assert made.returncode == 0, made.stderr
    rows = list(csv.reader(io.StringIO(statement.read_text(encoding="utf-8-sig"))))
    assert [(r[0], r[2], r[-4], r[-3]) for r in rows[1:]] == [
        ("C-2023-000010", "paid", "100000.00", "USD"),
        ("C-2023-000011", "void", "10000.00", "USD"),
    ]
    summary = tmp_path / "summary.pdf"
    made = run("report", "summary", "--appeal", "SYR-EQ-2023", "--lang", "az", "-o", str(summary), url=fresh_url, **AZN)
    assert made.returncode == 0, made.stderr
    text = " ".join(p.extract_text() for p in PdfReader(summary).pages).replace("\u00a0", " ")
    assert "382.500,00 ₼" in text  # the Syria appeal's funding: 225,000 USD × 1.70
    letter = tmp_path / "letter.html"
    made = run("report", "letter", "Ayşe Yılmaz", "--format", "html", "-o", str(letter), url=fresh_url, **AZN)
    assert made.returncode == 0, made.stderr
    number = made.stdout.split()[-1]
    again = tmp_path / "again.html"
    regenerated = run("report", "letter", "--number", number, "--format", "html", "-o", str(again), url=fresh_url)
    assert regenerated.returncode == 0, regenerated.stderr
    assert BeautifulSoup(letter.read_text(), "html.parser").html["lang"] == "tr"  # the donor's own language
    original, reprint = (BeautifulSoup(f.read_text(), "html.parser") for f in (letter, again))
    assert original.select_one(".copy-mark") is None
    assert reprint.select_one(".copy-mark").get_text() == "KOPYA"  # a reprint says so, in the letter's language
    reprint.select_one(".copy-mark").decompose()
    assert reprint.get_text().split() == original.get_text().split()
    once_more = tmp_path / "once-more.html"
    assert (
        run("report", "letter", "--number", number, "--format", "html", "-o", str(once_more), url=fresh_url).returncode
        == 0
    )
    assert once_more.read_bytes() == again.read_bytes()


def test_a_letter_is_refused_for_nothing_to_thank_for_and_verify_checks_every_letter(
    fresh_url: str, tmp_path: Path
) -> None:
    assert run("demo", url=fresh_url, **AZN).returncode == 0
    out = str(tmp_path / "letter.pdf")
    refused = run("report", "letter", "Ayşe Yılmaz", "--from", "2024-01-01", "-o", out, url=fresh_url)
    assert one_error_line(refused) == (
        "error: period: nothing was received from Ayşe Yılmaz in this period and nothing promised is still to come: "
        "there is nothing to thank for, so no letter is written"
    )
    assert not Path(out).exists()
    made = run("report", "letter", "Ayşe Yılmaz", "--lang", "en", "-o", out, url=fresh_url)
    assert made.returncode == 0, made.stderr
    number = made.stdout.split()[-1]
    verified = run("verify", url=fresh_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text("DROP TRIGGER acknowledgement_print_no_update"))
        else:
            conn.execute(sa.text("ALTER TABLE acknowledgement_print DISABLE TRIGGER acknowledgement_print_append_only"))
        conn.execute(sa.text("UPDATE acknowledgement_print SET content = REPLACE(content, '15000.00', '15000.10')"))
    engine.dispose()
    failed = run("verify", url=fresh_url)
    assert failed.returncode == 1
    assert failed.stdout.strip() == f"problem: letter {number}: its printed content does not match its digest"


def test_reports_take_what_the_settings_page_saved(fresh_url: str, tmp_path: Path) -> None:
    """Without options or environment, a command heads, converts and words its report as the pages do."""
    from sqlmodel import Session

    from tracker.db.engine import make_engine
    from tracker.settings.service import SettingsInput, update_settings

    assert run("demo", url=fresh_url, **AZN).returncode == 0
    engine = make_engine(fresh_url)
    with Session(engine) as session:
        saved = SettingsInput("Yardım Fondu", "Bakı", reporting_currency="AZN", default_locale="az")
        update_settings(session, saved, None)
        session.commit()
    engine.dispose()
    summary = tmp_path / "summary.pdf"
    made = run("report", "summary", "--appeal", "SYR-EQ-2023", "-o", str(summary), url=fresh_url)
    assert made.returncode == 0, made.stderr
    text = " ".join(p.extract_text() for p in PdfReader(summary).pages).replace("\u00a0", " ")
    assert "Yardım Fondu" in text and "Bakı" in text
    assert "382.500,00 ₼" in text  # converted into the saved AZN, written the Azerbaijani way


def test_bad_input_is_one_readable_line(fresh_url: str, tmp_path: Path) -> None:
    out = str(tmp_path / "x.pdf")
    assert one_error_line(run("report", "donor", "nobody", "-o", out, url=fresh_url)) == (
        "error: no donor with id or name 'nobody'"
    )
    assert one_error_line(run("report", "summary", "--format", "doc", "-o", out, url=fresh_url)) == (
        "error: format: must be one of html, pdf, csv, xlsx, got 'doc'"
    )
    assert one_error_line(run("report", "summary", "--from", "2023-02-30", "-o", out, url=fresh_url)) == (
        "error: from: 2023-02-30 is not a date (YYYY-MM-DD)"
    )
    assert one_error_line(run("report", "letter", "--number", "L-1999-000001", "-o", out, url=fresh_url)) == (
        "error: no letter numbered L-1999-000001"
    )


def test_the_output_file_name_chooses_the_format_and_a_contradiction_is_refused(fresh_url: str, tmp_path: Path) -> None:
    assert run("demo", url=fresh_url, **AZN).returncode == 0
    sheet = tmp_path / "summary.csv"
    assert run("report", "summary", "-o", str(sheet), url=fresh_url, **AZN).returncode == 0
    assert not sheet.read_bytes().startswith(b"%PDF")
    assert sheet.read_text(encoding="utf-8-sig").splitlines()[0].count(",") >= 1
    unnamed = tmp_path / "summary"
    assert run("report", "summary", "-o", str(unnamed), url=fresh_url, **AZN).returncode == 0
    assert unnamed.read_bytes().startswith(b"%PDF")  # no known extension: PDF, as documented
    clash = tmp_path / "clash.csv"
    line = one_error_line(run("report", "summary", "-o", str(clash), "--format", "pdf", url=fresh_url, **AZN))
    assert line == (
        f"error: format: --format pdf does not match the file name {clash}; leave --format out or change the name"
    )
    assert not clash.exists()
