"""Benchmark: a donor with 10,000 contributions; time to compute and render each report in each format.

Builds a throwaway SQLite database (or uses TRACKER_DATABASE_URL if it points at an
empty PostgreSQL database), loads the demo ledger, then bulk-inserts the big donor's
contributions and lines with SQLAlchemy Core (this script only; the figures still
come from the real report functions) and rebuilds the maintained totals. Prints the
median of a few runs per step. Not part of the test run:

    .venv/bin/python benchmarks/report_donor.py [--contributions 10000] [--runs 3] [--skip-pdf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the (slow) PDF of the whole statement")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="tracker-bench-")
    os.environ.setdefault("TRACKER_DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.db'}")
    os.environ["TRACKER_REPORTING_CURRENCY"] = "AZN"

    from tracker.aggregates import rebuild_totals
    from tracker.db import session_scope, upgrade
    from tracker.demo import load_demo

    upgrade()
    with session_scope() as session:
        load_demo(session)
        donor_id = _big_donor(session, args.contributions)
        rebuild_totals(session)
    print(f"database: {os.environ['TRACKER_DATABASE_URL']}")
    print(f"donor with {args.contributions} contributions (2 lines each), median of {args.runs} runs\n")
    _measure(donor_id, args.runs, args.skip_pdf)


def _big_donor(session, count: int) -> int:  # type: ignore[no-untyped-def]
    """Insert the donor's contributions in bulk: a paid money line and a paid goods line each, some voided."""
    import sqlalchemy as sa
    from sqlmodel import select

    from tracker.catalogue import DonorInput, create_donor
    from tracker.models import Contribution, ContributionLine, Item, Recipient, utcnow

    donor = create_donor(session, DonorInput(name="Benchmark donor", kind="organisation", locale="az"), None)
    recipients = [r.id for r in session.exec(select(Recipient)).all()]
    houses = session.exec(select(Item).where(Item.name == "Container house")).one()
    currencies = [("AZN", 2), ("USD", 2), ("EUR", 2), ("TRY", 2), ("KWD", 3)]
    headers, lines = [], []
    now = utcnow()
    start = session.execute(sa.select(sa.func.max(Contribution.id))).scalar() or 0
    for n in range(count):
        cid = start + n + 1
        day = date(2023, 2, 1) + timedelta(days=n % 58)
        void = n % 50 == 49
        headers.append(
            {
                "id": cid,
                "number": f"C-2099-{n + 1:06d}",
                "donor_id": donor.id,
                "recipient_id": recipients[n % len(recipients)],
                "appeal_id": None,
                "value_date": day,
                "status": "paid",
                "reference": "",
                "notes": "",
                "recorded_at": now,
                "voided_at": now if void else None,
                "void_reason": "benchmark correction" if void else None,
            }
        )
        currency, digits = currencies[n % len(currencies)]
        lines.append(
            {
                "contribution_id": cid,
                "position": 1,
                "kind": "money",
                "item_id": None,
                "quantity_milli": None,
                "unit_value_minor": None,
                "valuation": "not_valued",
                "currency": currency,
                "minor_digits": digits,
                "value_minor": 10 ** (digits + 3) + n,
            }
        )
        lines.append(
            {
                "contribution_id": cid,
                "position": 2,
                "kind": "goods",
                "item_id": houses.id,
                "quantity_milli": 1000,
                "unit_value_minor": 1_200_000,
                "valuation": "donor_declared",
                "currency": "AZN",
                "minor_digits": 2,
                "value_minor": 1_200_000,
            }
        )
    for part in range(0, len(headers), 2000):
        session.execute(sa.insert(Contribution.__table__), headers[part : part + 2000])  # type: ignore[attr-defined]
    for part in range(0, len(lines), 4000):
        session.execute(sa.insert(ContributionLine.__table__), lines[part : part + 4000])  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT setval('contribution_id_seq', (SELECT max(id) FROM contribution))"))
    session.flush()
    assert donor.id is not None
    return donor.id


def _measure(donor_id: int, runs: int, skip_pdf: bool) -> None:
    from tracker.db import session_scope
    from tracker.models import Donor
    from tracker.reports.donor import donor_statement
    from tracker.reports.formats import donor_file, letter_file, summary_file
    from tracker.reports.letter import create_letter, letter_data
    from tracker.reports.summary import summary_report

    with session_scope() as session:
        donor = session.get(Donor, donor_id)
        assert donor is not None
        statement = _timed(
            "donor statement: compute (SQL + conversion)", runs, lambda: donor_statement(session, donor, None, None)
        )
        paid = statement.converted.paid.total.total
        print(f"  {len(statement.entries)} entries, {len(statement.corrections)} corrections, paid {paid}")
        for fmt in ("html", "csv", "xlsx") + (() if skip_pdf else ("pdf",)):
            data = _timed(
                f"donor statement: render {fmt}",
                1 if fmt == "pdf" else runs,
                lambda f=fmt: donor_file(statement, f, "az"),
            )
            print(f"  {len(data):,} bytes")
        report = _timed("summary: compute", runs, lambda: summary_report(session))
        for fmt in ("html", "pdf", "csv", "xlsx"):
            _timed(f"summary: render {fmt}", runs, lambda f=fmt: summary_file(report, f, "az"))
        letter = create_letter(session, donor, None, None, show_values=True)
        content = _timed("letter: compute as of its cutoff", runs, lambda: letter_data(session, letter))
        print(
            f"  {content.contributions} contributions acknowledged, digest matches: {content.digest == letter.digest}"
        )
        for fmt in ("html", "pdf"):
            _timed(f"letter: render {fmt}", runs, lambda f=fmt: letter_file(content, f))
        session.rollback()


def _timed(label: str, runs: int, work: Callable[[], object]):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    print(f"{label:<48} {statistics.median(times) * 1000:>10.1f} ms")
    return result


if __name__ == "__main__":
    main()
