"""Benchmark: a donor with 10,000 contributions; time to compute and render each report in each format.

Builds a throwaway SQLite database (or uses TRACKER_DATABASE_URL if it points at an
empty PostgreSQL database), loads the demo ledger, imports three years of daily rates
for 15 currencies (through `import_rates`), then bulk-inserts two donors' contributions
and lines with SQLAlchemy Core (this script only; the figures still come from the real
report functions) and rebuilds the maintained totals:

- the big donor: 10,000 contributions in February 2023, a money line and a goods line each;
- a donor with 1,000 contributions spread over the three years in the 15 currencies, whose
  report page is requested through the ASGI app (signed in), as a person would open it.

Prints the median of a few runs per step, and every figure the targets speak of.
Not part of the test run:

    .venv/bin/python benchmarks/report_donor.py [--contributions 10000] [--runs 3] [--skip-pdf]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

RATES = {  # AZN per unit, a plausible level; each day moves a little around it
    "USD": "1.7", "EUR": "1.82", "TRY": "0.0902", "JPY": "0.0128", "KWD": "5.56", "GBP": "2.12", "RUB": "0.0231",
    "CHF": "1.85", "SAR": "0.453", "AED": "0.463", "CNY": "0.246", "KZT": "0.00379", "GEL": "0.64", "UZS": "0.000149",
    "QAR": "0.467",
}  # fmt: skip
RATES_START = date(2023, 4, 1)  # after the demo's and the big donor's February 2023
RATE_DAYS = 3 * 365
PAGE_DONOR = "Page donor"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page-contributions", type=int, default=1_000)
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the PDF of the whole statement")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="tracker-bench-")
    os.environ.setdefault("TRACKER_DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.db'}")
    os.environ["TRACKER_REPORTING_CURRENCY"] = "AZN"

    from tracker.db.engine import session_scope, upgrade
    from tracker.demo import load_demo
    from tracker.totals.aggregates import rebuild_totals

    upgrade()
    with session_scope() as session:
        load_demo(session)
        _rates(session)
        donor_id = _big_donor(session, args.contributions)
        page_donor = _spread_donor(session, args.page_contributions)
        rebuild_totals(session)
    print(f"database: {os.environ['TRACKER_DATABASE_URL']}")
    print(f"donor with {args.contributions} contributions (2 lines each), median of {args.runs} runs\n")
    figures = _measure(donor_id, args.runs, args.skip_pdf)
    _page(figures, page_donor, args.page_contributions, max(args.runs, 5))
    _targets(figures)


def _rates(session) -> None:  # type: ignore[no-untyped-def]
    """Three years of daily rates for 15 currencies, a few days missing (the window rule then looks back)."""
    from tracker.rates.service import import_rates

    rng = random.Random(2023)
    out = io.StringIO()
    out.write("date,currency,rate\n")
    for day in range(RATE_DAYS):
        for code, level in RATES.items():
            if rng.random() < 0.97:
                rate = Decimal(level) * (1 + Decimal(rng.randrange(-300, 300)) / 10000)
                out.write(f"{RATES_START + timedelta(days=day)},{code},{rate.normalize():f}\n")
    import_rates(session, out.getvalue().encode(), "csv", "AZN", None)


def _big_donor(session, count: int) -> int:  # type: ignore[no-untyped-def]
    """The donor's contributions in February 2023: a paid money line and a paid goods line each, some voided."""
    currencies = [("AZN", 2), ("USD", 2), ("EUR", 2), ("TRY", 2), ("KWD", 3)]
    return _insert_donor(
        session,
        "Benchmark donor",
        count,
        "C-2099-",
        lambda n: date(2023, 2, 1) + timedelta(days=n % 58),
        lambda n: currencies[n % len(currencies)],
        lambda n: "paid",
    )


def _spread_donor(session, count: int) -> int:  # type: ignore[no-untyped-def]
    """The donor of the page: contributions over three years, in the 15 currencies, paid, committed or pledged."""
    from tracker.core.money import minor_digits

    codes = ["AZN", *RATES]
    step = RATE_DAYS / count
    return _insert_donor(
        session,
        PAGE_DONOR,
        count,
        "C-2098-",
        lambda n: RATES_START + timedelta(days=int(n * step)),
        lambda n: (codes[n % len(codes)], minor_digits(codes[n % len(codes)])),
        lambda n: ("paid", "paid", "paid", "committed", "pledged")[n % 5],
    )


def _insert_donor(session, name, count, prefix, day_of, currency_of, status_of) -> int:  # type: ignore[no-untyped-def]
    """Insert a donor's contributions in bulk: a money line and a goods line each, one in 50 voided."""
    import sqlalchemy as sa
    from sqlmodel import select

    from tracker.catalogue.service import DonorInput, create_donor
    from tracker.db.columns import utcnow
    from tracker.db.models import Contribution, ContributionLine, Item, Recipient

    donor = create_donor(session, DonorInput(name=name, kind="organisation", locale="az"), None)
    recipients = [r.id for r in session.exec(select(Recipient)).all()]
    houses = session.exec(select(Item).where(Item.name == "Container house")).one()
    headers, lines = [], []
    now = utcnow()
    start = session.execute(sa.select(sa.func.max(Contribution.id))).scalar() or 0
    for n in range(count):
        cid = start + n + 1
        day = day_of(n)
        void = n % 50 == 49
        headers.append(
            {
                "id": cid,
                "number": f"{prefix}{n + 1:06d}",
                "donor_id": donor.id,
                "recipient_id": recipients[n % len(recipients)],
                "appeal_id": None,
                "value_date": day,
                "status": status_of(n),
                "reference": "",
                "notes": "",
                "recorded_at": now,
                "voided_at": now if void else None,
                "void_reason": "benchmark correction" if void else None,
            }
        )
        currency, digits = currency_of(n)
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


def _measure(donor_id: int, runs: int, skip_pdf: bool) -> dict[str, float]:
    """Each step's median in ms, by name; the steps are printed as they are measured."""
    from tracker.db.engine import session_scope
    from tracker.db.models import Donor
    from tracker.reporting.reports.donor import donor_statement
    from tracker.reporting.reports.formats import donor_file, letter_file, summary_file
    from tracker.reporting.reports.letter import create_letter, regenerated_letter
    from tracker.reporting.reports.summary_totals import summary_report

    figures: dict[str, float] = {}
    with session_scope() as session:
        donor = session.get(Donor, donor_id)
        assert donor is not None
        statement = _timed(
            figures, "compute", "donor statement: compute (SQL + conversion)", runs,
            lambda: donor_statement(session, donor, None, None),
        )  # fmt: skip
        paid = statement.converted.paid.total.total
        print(f"  {len(statement.entries)} entries, {len(statement.corrections)} corrections, paid {paid}")
        for fmt in ("html", "csv", "xlsx") + (() if skip_pdf else ("pdf",)):
            data = _timed(
                figures, fmt, f"donor statement: render {fmt}", runs, lambda f=fmt: donor_file(statement, f, "az")
            )
            print(f"  {len(data):,} bytes")
        report = _timed(figures, "summary", "summary: compute", runs, lambda: summary_report(session))
        for fmt in ("html", "pdf", "csv", "xlsx"):
            _timed(
                figures, f"summary {fmt}", f"summary: render {fmt}", runs, lambda f=fmt: summary_file(report, f, "az")
            )
        letter = create_letter(session, donor, None, None, show_values=True)
        content = _timed(
            figures, "letter", "letter: compute as of its cutoff", runs, lambda: regenerated_letter(session, letter)
        )
        print(
            f"  {content.contributions} contributions acknowledged, digest matches: {content.digest == letter.digest}"
        )
        for fmt in ("html", "pdf"):
            _timed(figures, f"letter {fmt}", f"letter: render {fmt}", runs, lambda f=fmt: letter_file(content, f))
        session.rollback()
    return figures


def _page(figures: dict[str, float], donor_id: int, count: int, runs: int) -> None:
    """The donor report page through the ASGI app, signed in as a viewer would be; the median in ms."""
    from fastapi.testclient import TestClient
    from sqlmodel import select

    from tracker.accounts.users import create_user
    from tracker.db.engine import session_scope
    from tracker.db.models import Donor
    from tracker.reporting.reports.donor import donor_statement
    from tracker.web.app import create_app

    with session_scope() as session:
        create_user(session, email="bench@example.org", role="viewer", password="benchmark-password")
        donor = session.exec(select(Donor).where(Donor.id == donor_id)).one()
        statement = donor_statement(session, donor, None, None)
        print(f"\ndonor with {count} contributions over three years in {len(RATES) + 1} currencies:")
        print(f"  {len(statement.entries)} entries, {len(statement.rates_used)} rates used")
    with TestClient(create_app()) as client:
        form = client.get("/login").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = client.post(
            "/login", data={"email": "bench@example.org", "password": "benchmark-password", "csrf_token": token}
        )
        assert signed.status_code == 200, signed.status_code

        def page() -> bytes:
            response = client.get(f"/reports/donors/{donor_id}")
            assert response.status_code == 200, response.status_code
            return response.content

        page()  # warm: templates compiled, Babel's locale data loaded
        size = len(_timed(figures, "page", "donor report page (GET, median)", runs, page))
        print(f"  {size:,} bytes")


def _targets(figures: dict[str, float]) -> None:
    """Each figure the targets name, beside its target: compute + render per format, the letter, the page."""
    print("\ntargets (10,000-contribution donor: compute + render each under 1,000 ms, aim 500 ms;")
    print("         page of the 1,000-contribution donor: 150 ms); wall time, and this process's CPU time")
    rows = [(f"statement {fmt}: compute + render", ("compute", fmt), 1000.0)
            for fmt in ("html", "csv", "xlsx", "pdf") if fmt in figures]  # fmt: skip
    rows += [(f"letter {fmt}: compute + render", ("letter", f"letter {fmt}"), 1000.0) for fmt in ("html", "pdf")]
    rows.append(("donor report page, 1,000 contributions", ("page",), 150.0))
    for label, keys, target in rows:
        wall = sum(figures[key] for key in keys)
        cpu = sum(figures[key + " cpu"] for key in keys)
        verdict = "ok" if wall <= target else "OVER"
        ratio = f"{wall / target:>5.2f}×"
        print(f"  {label:<42} {wall:>8.1f} ms  (CPU {cpu:>7.1f} ms)  target {target:>5.0f} ms  {ratio}  {verdict}")


def _timed(figures: dict[str, float], key: str, label: str, runs: int, work: Callable[[], object]):  # type: ignore[no-untyped-def]
    """The median wall time of `runs` runs in figures[key] (ms), and the median CPU time of this process in
    figures[key + " cpu"]: on a shared machine the wall time also counts the waits for a core."""
    times, cpu, result = [], [], None
    for _ in range(max(runs, 1)):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    figures[key] = statistics.median(times) * 1000
    figures[key + " cpu"] = statistics.median(cpu) * 1000
    print(f"{label:<48} {figures[key]:>10.1f} ms   (CPU {figures[key + ' cpu']:.1f} ms)")
    return result


if __name__ == "__main__":
    main()
