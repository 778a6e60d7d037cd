"""Import speed: a synthetic CSV of N contributions into a fresh database, beside a raw insert of the same rows.

    .venv/bin/python benchmarks/import_rows.py [ROWS] [DATABASE_URL]

Prints rows/s for `tracker import` (every row checked, one journal event per contribution)
and for a bare executemany of the same contribution and line rows with no checks and no
journal: the ratio says what the checks and the journal cost. Not part of the test run.
"""

from __future__ import annotations

import io
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from tracker.catalogue import DonorInput, ItemInput, RecipientInput, create_donor, create_item, create_recipient
from tracker.db import make_engine, session_scope, upgrade
from tracker.import_files import NAMES
from tracker.import_writer import executemany
from tracker.importing import ImportRefused, import_contributions
from tracker.models import Contribution, ContributionLine, utcnow
from tracker.money import Money
from tracker.verify import run_checks


def synthetic_csv(rows: int, donors: int, seed: int = 2023) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write(",".join(NAMES) + "\n")
    start = date(2023, 2, 6)
    for number in range(rows):
        cells = dict.fromkeys(NAMES, "")
        cells.update(
            key=f"B-{number}",
            date=(start + timedelta(days=rng.randrange(300))).isoformat(),
            status=rng.choice(("pledged", "committed", "paid")),
            donor=f"Donor {rng.randrange(donors)}",
            recipient=f"Recipient {rng.randrange(20)}",
        )
        if rng.random() < 0.7:
            currency = rng.choice(("AZN", "USD", "EUR", "JPY", "KWD"))
            amount = str(rng.randrange(1, 10**6)) + {"JPY": "", "KWD": ".125"}.get(currency, ".50")
            cells.update(kind="money", amount=amount, currency=currency)
        else:
            cells.update(
                kind="goods",
                item="Tent",
                quantity=str(rng.randrange(1, 500)),
                unit_value="35.20",
                currency="USD",
                valuation="invoice",
            )
        out.write(",".join(cells[name] for name in NAMES) + "\n")
    return out.getvalue().encode()


def prepare(url: str, donors: int) -> None:
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        for number in range(donors):
            create_donor(session, DonorInput(f"Donor {number}", "individual"), None)
        for number in range(20):
            create_recipient(session, RecipientInput(f"Recipient {number}"), None)
        create_item(session, ItemInput("Tent", "piece", "SHL", Money.of("35.20", "USD")), None)


def raw_insert_rate(url: str, rows: int) -> float:
    """Contributions and lines straight in, with the import's own executemany: no parsing, checks or journal."""
    engine = make_engine(url)
    now = utcnow()
    started = time.perf_counter()
    with Session(engine) as session:
        first = (session.execute(sa.select(sa.func.max(Contribution.id))).scalar() or 0) + 1
        headers = [
            {
                "id": first + n,
                "number": f"R-{n}",
                "donor_id": 1,
                "recipient_id": 1,
                "appeal_id": None,
                "value_date": date(2023, 3, 1),
                "status": "paid",
                "reference": "",
                "notes": "",
                "fulfils_id": None,
                "recorded_at": now,
                "recorded_by_id": None,
            }
            for n in range(rows)
        ]
        lines = [
            {
                "contribution_id": first + n,
                "position": 1,
                "kind": "money",
                "item_id": None,
                "quantity_milli": None,
                "unit_value_minor": None,
                "valuation": "not_valued",
                "currency": "USD",
                "minor_digits": 2,
                "value_minor": 1050,
            }
            for n in range(rows)
        ]
        executemany(session, Contribution.__table__, headers)  # type: ignore[attr-defined]
        executemany(session, ContributionLine.__table__, lines)  # type: ignore[attr-defined]
        session.commit()
    engine.dispose()
    return rows / (time.perf_counter() - started)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(folder) / 'bench.db'}"
        donors = 2000
        prepare(url, donors)
        data = synthetic_csv(rows, donors)
        engine = make_engine(url)
        started = time.perf_counter()
        try:
            with session_scope(engine) as session:
                report = import_contributions(session, io.BytesIO(data), None)
        except ImportRefused as refused:
            sys.exit(f"refused: {refused.report.problems[:5]}")
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert report.created == rows, report
        with session_scope(engine) as session:
            problems = run_checks(session)
        engine.dispose()
        raw = raw_insert_rate(url, rows)
        print(f"rows: {rows:,}  file: {len(data) / 1e6:.1f} MB  database: {url.split(':')[0]}")
        print(f"tracker import: {rows / elapsed:,.0f} rows/s ({elapsed:.1f} s)")
        print(f"raw executemany: {raw:,.0f} rows/s (contributions and lines only: no parsing, checks or journal)")
        print(f"peak memory after the import: {peak:.0f} MiB (the file itself is held in memory here)")
        print(f"verify after import: {'every check passed' if not problems else problems[:3]}")


if __name__ == "__main__":
    main()
