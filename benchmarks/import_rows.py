"""Import speed: a synthetic CSV of N contributions into a fresh database, beside a raw insert of the same rows.

    .venv/bin/python benchmarks/import_rows.py [ROWS] [DATABASE_URL] [--runs 3] [--small 20000]

Each run is its own process with its own fresh database (SQLite in a temporary folder,
or, given a PostgreSQL URL, a database created on that server and dropped after): daily
rates for the file's currencies, 2,000 donors, 20 recipients, then the file, written to
disk and imported from there like `tracker import` does: every row checked, one journal
event and one row key per contribution, the maintained totals kept, all in one
transaction. Then a bare executemany of contribution and line rows (no parsing, checks,
journal or totals) into the same database. Prints each run, the medians, their ratio,
and the peak memory of a run at ROWS beside one at --small rows (flat when the import
streams). Not part of the test run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.catalogue.service import DonorInput, ItemInput, RecipientInput, create_donor, create_item, create_recipient
from tracker.core.bulk import dedicated_process
from tracker.core.money import Money
from tracker.db.columns import utcnow
from tracker.db.engine import make_engine, session_scope, upgrade
from tracker.db.models import Contribution, ContributionLine
from tracker.importing.files import NAMES
from tracker.importing.report import ImportRefused
from tracker.importing.service import import_contributions
from tracker.ledger.verify import run_checks
from tracker.rates.service import import_rates

START = date(2023, 2, 6)
DAYS = 300
RATES = {"AZN": "0.588", "EUR": "1.07", "JPY": "0.0074", "KWD": "3.26"}  # USD per unit, the reporting currency


def synthetic_csv(rows: int, donors: int, seed: int = 2023) -> bytes:
    out = io.StringIO()
    write_synthetic_csv(out, rows, donors, seed)
    return out.getvalue().encode()


def write_synthetic_csv(out: IO[str], rows: int, donors: int, seed: int = 2023) -> None:
    """The file, a row at a time: money in five currencies (JPY with no minor unit, KWD with three), tents."""
    rng = random.Random(seed)
    out.write(",".join(NAMES) + "\n")
    for number in range(rows):
        cells = dict.fromkeys(NAMES, "")
        cells.update(
            key=f"B-{number}",
            date=(START + timedelta(days=rng.randrange(DAYS))).isoformat(),
            status=rng.choice(("pledged", "committed", "paid")),
            donor=f"Donor {rng.randrange(donors)}",
            recipient=f"Recipient {rng.randrange(20)}",
        )
        if rng.random() < 0.7:
            currency = rng.choice(("AZN", "USD", "EUR", "JPY", "KWD"))
            # KWD's three decimals written with a fourth: a lone point before three digits is ambiguous in en.
            amount = str(rng.randrange(1, 10**6)) + {"JPY": "", "KWD": ".1250"}.get(currency, ".50")
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


def prepare(url: str, donors: int) -> None:
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        for number in range(donors):
            create_donor(session, DonorInput(f"Donor {number}", "individual"), None)
        for number in range(20):
            create_recipient(session, RecipientInput(f"Recipient {number}"), None)
        create_item(session, ItemInput("Tent", "piece", "SHL", Money.of("35.20", "USD")), None)
        rates = "".join(
            f"{START - timedelta(days=7) + timedelta(days=day)},{code},{rate}\n"
            for day in range(DAYS + 7)
            for code, rate in RATES.items()
            if day % 6  # a day without a rate now and then: the window rule takes the day before
        )
        import_rates(session, ("date,currency,rate\n" + rates).encode(), "csv", "USD", None)


def executemany(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One driver-level executemany: values go through the columns' own bind processors (dates on
    SQLite), not through SQLAlchemy's per-row statement machinery. The baseline the import is held to."""
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    connection.exec_driver_sql(
        sql,
        [tuple(v if p is None else p(v) for v, p in zip(row.values(), processors, strict=True)) for row in rows],
    )


def raw_insert_rate(url: str, rows: int) -> float:
    """Contributions and lines straight in, one executemany each: no parsing, checks or journal."""
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


def one_run(rows: int, url: str) -> dict[str, object]:
    """One import into a fresh database at `url` (in this process), then the raw insert; the figures as a dict."""
    donors = 2000
    prepare(url, donors)
    engine = make_engine(url)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", newline="") as file:
        write_synthetic_csv(file, rows, donors)
        file.flush()
        size = file.tell()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        try:
            # as `tracker import` runs it: a process of its own, so the speed switches are its (core.bulk)
            with open(file.name, "rb") as source, session_scope(engine) as session, dedicated_process():
                report = import_contributions(session, source, None)
        except ImportRefused as refused:
            sys.exit(f"refused: {refused.report.problems[:5]}")
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.created == rows, report
    with session_scope(engine) as session:
        problems = run_checks(session)
    engine.dispose()
    return {
        "rate": rows / elapsed,
        "seconds": elapsed,
        "raw": raw_insert_rate(url, rows),
        "peak": peak,
        "before": before,
        "file_mb": size / 1e6,
        "verify": "every check passed" if not problems else [str(p) for p in problems[:3]],
    }


def in_child(rows: int, url: str | None) -> dict[str, object]:
    """One run in a fresh process (its own peak memory) with a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        target = f"sqlite:///{Path(folder) / 'bench.db'}"
        created = None
        if url:
            created = f"bench_import_{os.getpid()}_{time.monotonic_ns()}"
            admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{created}"')
            target = sa.engine.make_url(url).set(database=created).render_as_string(hide_password=False)
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(rows), target], check=True, capture_output=True, text=True
            ).stdout
        finally:
            if created:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
                admin.dispose()
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("url", nargs="?", help="a PostgreSQL URL: each run creates its own database there")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=20_000, help="the smaller file the peak memory is compared with")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.rows, args.url)))
        return
    database = "postgresql" if args.url else "sqlite"
    runs = []
    for number in range(args.runs):
        run = in_child(args.rows, args.url)
        runs.append(run)
        print(
            f"run {number + 1}: tracker import {run['rate']:,.0f} rows/s ({run['seconds']:.1f} s), "
            f"raw executemany {run['raw']:,.0f} rows/s, peak {run['peak']:.0f} MiB, verify: {run['verify']}",
            flush=True,
        )
    small = in_child(args.small, args.url)
    rate, raw = statistics.median(r["rate"] for r in runs), statistics.median(r["raw"] for r in runs)  # type: ignore[misc]
    print(f"rows: {args.rows:,}  file: {runs[0]['file_mb']:.1f} MB  database: {database}  runs: {args.runs}")
    print(f"tracker import: {rate:,.0f} rows/s (median)")
    print(f"raw executemany: {raw:,.0f} rows/s (median; contributions and lines only, no checks, journal or totals)")
    print(f"import / raw: {rate / raw:.2f}")
    print(
        f"peak memory of the process: {statistics.median(r['peak'] for r in runs):.0f} MiB at {args.rows:,} rows, "  # type: ignore[misc]
        f"{small['peak']:.0f} MiB at {args.small:,} rows (before the import: {small['before']:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
