"""`tracker import`, run as a real process: a preview, an import, a re-import that adds nothing, a bad row named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRACKER = str(Path(sys.executable).parent / "tracker")


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TRACKER_DATABASE_URL": url}
    return subprocess.run(
        [TRACKER, *args], env=environment, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def test_import_previews_then_imports_and_names_bad_rows(fresh_url: str, tmp_path: Path) -> None:
    header = "key,date,status,donor,donor_kind,recipient,recipient_kind,kind,amount,currency\n"
    good = tmp_path / "good.csv"
    good.write_text(header + "G-1,2023-02-10,paid,Ayşe Yılmaz,individual,AFAD,organisation,money,100,TRY\n")
    preview = run("import", str(good), "--dry-run", url=fresh_url)
    assert preview.returncode == 0, preview.stderr
    assert "1 rows read; would import 1 contributions; 0 already imported" in preview.stdout
    assert "would create 1 donors: Ayşe Yılmaz" in preview.stdout
    done = run("import", str(good), url=fresh_url)
    assert "1 rows read; imported 1 contributions; 0 already imported" in done.stdout
    assert "1 rows read; imported 0 contributions; 1 already imported" in run("import", str(good), url=fresh_url).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "B-1,2023-02-10,paid,Ayşe Yılmaz,,AFAD,,money,1.5,JPY\n")
    refused = run("import", str(bad), url=fresh_url)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "row 2, amount: JPY has no minor units, got 1.5",
        "error: bad rows: 1, problems: 1; nothing was imported",
    ]
    assert run("verify", url=fresh_url).returncode == 0
