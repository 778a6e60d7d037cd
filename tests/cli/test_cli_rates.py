"""`tracker rates` as a real process: import, list, set; bad input is one readable line."""

from pathlib import Path

import pytest
from clikit import one_error_line, run

DATA = Path(__file__).parent.parent / "data" / "rates"


def test_import_prints_counts_and_a_second_import_adds_nothing(fresh_url: str) -> None:
    cbar = str(DATA / "cbar-2025-03-07.xml")
    first = run("rates", "import", cbar, url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "rates from cbar in AZN, 2025-03-07 to 2025-03-07",
        "added 7, unchanged 0, skipped 2",
    ]
    again = run("rates", "import", "--source", "cbar", cbar, url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")
    assert again.stdout.splitlines()[-1] == "added 0, unchanged 7, skipped 2"
    listed = run("rates", "list", "--currency", "jpy", url=fresh_url)
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.split()[:5] == ["2025-03-07", "JPY", "0.0115", "AZN", "cbar"]


def test_set_corrects_a_rate_and_list_shows_both_versions(fresh_url: str) -> None:
    env = {"TRACKER_REPORTING_CURRENCY": "USD"}
    imported = run("rates", "import", str(DATA / "eurofxref-hist.csv"), url=fresh_url, **env)
    assert imported.stdout.splitlines() == [
        "rates from ecb in USD, 2008-01-02 to 2025-03-07",
        "added 16, unchanged 0, skipped 1",
    ]
    corrected = run("rates", "set", "2025-03-07", "TRY", "0.0275", url=fresh_url, **env)
    assert corrected.returncode == 0, corrected.stderr
    assert corrected.stdout.strip() == "TRY on 2025-03-07: 0.0275 USD (manual)"
    versions = run("rates", "list", "--currency", "TRY", "--from", "2025-03-07", "--all-versions", url=fresh_url)
    rows = [line.split() for line in versions.stdout.splitlines()]
    # 1.0830 / 39.4900 = 0.02742466447202... (12 significant digits)
    assert [(row[2], row[4], row[-1]) for row in rows] == [
        ("0.0275", "manual", rows[0][-1]),
        ("0.027424664472", "ecb", "superseded"),
    ]
    assert rows[0][-1] != "superseded"
    in_force = run("rates", "list", "--currency", "TRY", "--from", "2025-03-07", url=fresh_url)
    assert [line.split()[2] for line in in_force.stdout.splitlines()] == ["0.0275"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rates", "set", "2025-13-01", "USD", "1.7"), "error: date: 2025-13-01 is not a date (YYYY-MM-DD)"),
        (
            ("rates", "set", "2023-02-08", "USD", "1,7"),
            "error: rate: '1,7' is not a plain decimal number such as 1.7 or 0.0115",
        ),
        (
            ("rates", "set", "2023-02-08", "AZN", "1"),
            "error: currency: AZN is the reporting currency; it is always worth 1",
        ),
        (
            ("rates", "import", str(DATA / "ecb-daily.xml")),
            "error: file: ECB rates cannot be expressed in AZN: the file has no AZN rate",
        ),
        (
            ("rates", "import", "--source", "ecb", str(DATA / "cbar-2025-03-07.xml")),
            "error: file: not an ECB rates file: no Cube element in the ECB namespace",
        ),
        (
            ("rates", "import", "--source", "fed", str(DATA / "plain.csv")),
            "error: source: must be one of cbar, ecb, csv, got 'fed'",
        ),
        (
            ("rates", "import", "/nonexistent/rates.xml"),
            "error: file: cannot read /nonexistent/rates.xml: No such file or directory",
        ),
        (("rates", "list", "--to", "yesterday"), "error: to: yesterday is not a date (YYYY-MM-DD)"),
    ],
)
def test_bad_rates_input_is_one_readable_line(fresh_url: str, args: tuple[str, ...], message: str) -> None:
    assert one_error_line(run(*args, url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")) == message


def test_a_malformed_file_names_its_line_and_stores_nothing(fresh_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "rates.csv"
    bad.write_text("date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,EUR,1..8\n", encoding="utf-8")
    result = run("rates", "import", str(bad), url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")
    assert one_error_line(result) == "error: file: line 3: rate '1..8' is not a number"
    assert run("rates", "list", url=fresh_url).stdout.strip() == "no rates"


def test_a_rates_file_over_the_limit_is_one_readable_line(fresh_url: str, tmp_path: Path) -> None:
    huge = tmp_path / "rates.csv"
    with huge.open("wb") as out:  # 17 MiB, sparse: only its size matters, it is never read past 16 MiB
        out.write(b"date,currency,rate\n")
        out.truncate(17 * 1024 * 1024)
    result = run("rates", "import", str(huge), url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")
    assert one_error_line(result) == "error: file: is larger than 16 MiB, more than any bank publishes; split it"


def test_a_mistyped_currency_refuses_the_file_naming_line_and_code_unless_skipped(
    fresh_url: str, tmp_path: Path
) -> None:
    typo = tmp_path / "rates.csv"
    typo.write_text("date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,USX,1.8\n", encoding="utf-8")
    refused = run("rates", "import", str(typo), url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")
    assert one_error_line(refused) == "error: file: line 3: USX is not a currency code"
    assert run("rates", "list", url=fresh_url).stdout.strip() == "no rates"
    skipped = run("rates", "import", "--skip-unknown", str(typo), url=fresh_url, TRACKER_REPORTING_CURRENCY="AZN")
    assert skipped.returncode == 0, skipped.stderr
    assert skipped.stdout.splitlines()[-1] == "added 1, unchanged 0, skipped 1"


def test_a_negative_rate_is_refused_as_not_more_than_zero_in_set_and_import(fresh_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_REPORTING_CURRENCY": "AZN"}
    assert one_error_line(run("rates", "set", "2023-02-08", "USD", "-1", url=fresh_url, **env)) == (
        "error: rate: a rate must be more than zero, got -1"
    )
    assert one_error_line(run("rates", "set", "2023-02-08", "USD", "0", url=fresh_url, **env)) == (
        "error: rate: a rate must be more than zero, got 0"
    )
    negative = tmp_path / "rates.csv"
    negative.write_text("date,currency,rate\n2023-02-08,USD,1.7\n2023-02-08,EUR,-1\n", encoding="utf-8")
    assert one_error_line(run("rates", "import", str(negative), url=fresh_url, **env)) == (
        "error: file: line 3: rate must be more than zero, got -1"
    )
    assert run("rates", "list", url=fresh_url).stdout.strip() == "no rates"
