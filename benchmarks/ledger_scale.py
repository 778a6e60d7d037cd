"""How tracker behaves as the ledger grows: a synthetic ledger of N contributions, then timings and ratios.

    .venv/bin/python benchmarks/ledger_scale.py [--sizes 10000,100000,1000000] [--postgres URL] [--keep DIR] [--reuse]

For each N it builds a fresh database through the project's own paths — exchange rates through
`import_rates` (3 years of daily rates for 16 currencies, JPY and KWD among them), the entries
through the bulk import (`import_contributions`: every row checked, journaled, the maintained
totals kept), then voids, fulfilments and status moves through the ledger services — and prints:

- the dashboard page (GET / through the ASGI app): median and p95 of repeated requests;
- the per-donor report page for a donor with about 1,000 contributions;
- the contributions list, filtered, first page;
- the summary report (from the maintained totals) through the API and the page, for the whole ledger,
  one month and an arbitrary range, and its PDF, CSV and XLSX (`--summary` measures only these, the
  dashboard and the donor report, on a kept ledger);
- recording one contribution through the service, with and without the maintained totals;
- the peak memory of a process that serves the dashboard, and the database's size;

each beside the minimal raw SQL over the ledger that produces the same figures (ratio = page / SQL).
It is deterministic (seeded) and not part of the test run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
CURRENCIES = {  # AZN per unit, a plausible level; each day moves a little around it
    "USD": "1.7", "EUR": "1.82", "TRY": "0.0902", "JPY": "0.0128", "KWD": "5.56", "GBP": "2.12", "RUB": "0.0231",
    "CHF": "1.85", "SAR": "0.453", "AED": "0.463", "CNY": "0.246", "KZT": "0.00379", "GEL": "0.64", "UZS": "0.000149",
    "QAR": "0.467", "AZN": None,
}  # fmt: skip
START = date(2023, 1, 1)
DAYS = 3 * 365
ITEMS = [
    ("Container house", "piece", "SHL", "12000.00"),
    ("Winter tent", "piece", "SHL", "350.00"),
    ("Blanket", "piece", "SHL", "21.00"),
    ("Food parcel", "box", "FSC", "75.00"),
    ("Hygiene kit", "kit", "WSH", "40.00"),
    ("Water, bottled", "litre", "WSH", "0.80"),
    ("Flour", "kg", "FSC", "1.10"),
    ("Medicine kit", "kit", "HEA", "260.00"),
    ("Rescuer", "person-day", "LOG", None),
    ("Doctor", "person-day", "HEA", "150.00"),
    ("Cargo flight", "flight", "LOG", None),
    ("Truck convoy", "truck", "LOG", "2400.00"),
]
APPEALS = 30
DONORS = 5000
RECIPIENTS = 300
IMPORT_FILE_ROWS = 100_000
ROUNDS = 6  # record_times alternates with and without the totals this many times


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database(size: int, postgres: str | None, keep: Path) -> str:
    if not postgres:
        path = keep / f"ledger-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"tracker_bench_{size}"
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(postgres).set(database=name).render_as_string(hide_password=False)


def generate(url: str, size: int, seed: int = 2023, totals_after: bool = False) -> dict[str, object]:
    """The synthetic ledger, written through the project's own paths; returns what the measurements need."""
    from tracker.accounts.users import create_user
    from tracker.catalogue.service import AppealInput, ItemInput, create_appeal, create_item
    from tracker.core.bulk import dedicated_process
    from tracker.core.money import Money
    from tracker.db.engine import make_engine, session_scope, upgrade
    from tracker.db.models import Contribution, Donor, User
    from tracker.importing.service import import_contributions
    from tracker.ledger.service import (
        ContributionInput,
        LineInput,
        advance_status,
        record_fulfilment,
        void_contribution,
    )
    from tracker.rates.service import import_rates
    from tracker.settings.service import SettingsInput, update_settings

    rng = random.Random(seed)
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with session_scope(engine) as session:
        admin = create_user(session, email="bench@example.org", role="admin", password="benchmark-password")
        update_settings(session, SettingsInput(organisation_name="Benchmark", reporting_currency="AZN"), admin)
        for number in range(APPEALS):
            target = Money(Decimal(rng.randrange(1, 50) * 1_000_000), "AZN")
            create_appeal(session, AppealInput(code=f"AP-{number:02d}", name=f"Appeal {number}", target=target), admin)
        for name, unit, cluster, value in ITEMS:
            default = Money(Decimal(value), "AZN") if value else None
            create_item(session, ItemInput(name=name, unit=unit, cluster=cluster, unit_value=default), admin)
        out = io.StringIO()
        out.write("date,currency,rate\n")
        for day in range(DAYS):
            for code, level in CURRENCIES.items():
                if level and rng.random() < 0.97:  # some days have no rate: the window rule takes the day before
                    rate = Decimal(level) * (1 + Decimal(rng.randrange(-300, 300)) / 10000)
                    out.write(f"{START + timedelta(days=day)},{code},{rate.normalize():f}\n")
        import_rates(session, out.getvalue().encode(), "csv", "AZN", admin)
    log(f"  rates and catalogue: {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    heavy = 1000 if size >= 10_000 else size // 10
    from tracker.importing.files import NAMES

    codes = list(CURRENCIES)
    imported = 0
    from tracker.totals.summing import TotalSums

    maintained = TotalSums.add, TotalSums.flush
    if totals_after:  # the same table in the end (the property test holds them equal), in far less time
        TotalSums.add = TotalSums.flush = lambda *args, **kw: None  # type: ignore[method-assign]
    for first in range(0, size, IMPORT_FILE_ROWS):  # several files: each import holds one file's rows in memory
        with tempfile.TemporaryFile() as file:
            text = io.TextIOWrapper(file, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text)
            writer.writerow(NAMES)
            for number in range(first, min(size, first + IMPORT_FILE_ROWS)):
                writer.writerow(synthetic_row(rng, number, heavy, codes))
            file.seek(0)
            with session_scope(engine) as session, dedicated_process():  # as `tracker import` runs
                admin = session.exec(sa.select(User).where(User.email == "bench@example.org")).scalar_one()
                imported += import_contributions(session, file, admin).rows  # type: ignore[arg-type]
        log(f"    {imported:,} rows imported: {time.perf_counter() - started:.1f}s")
    TotalSums.add, TotalSums.flush = maintained  # type: ignore[method-assign]
    if totals_after:
        from tracker.totals.aggregates import rebuild_totals

        with session_scope(engine) as session:
            rebuild_totals(session)
    log(
        f"  import of {imported} rows{' (totals rebuilt after)' if totals_after else ''}: "
        f"{time.perf_counter() - started:.1f}s"
    )

    started = time.perf_counter()
    with session_scope(engine) as session:
        admin = session.execute(sa.select(User).where(User.email == "bench@example.org")).scalar_one()
        ids = [row[0] for row in session.execute(sa.select(Contribution.id).order_by(Contribution.id))]
        changes = max(10, size // 200)
        for contribution_id in rng.sample(ids, changes):
            void_contribution(session, contribution_id, "benchmark: entered twice", admin)
        open_ones = session.execute(
            sa.select(Contribution.id, Contribution.recipient_id, Contribution.value_date)
            .where(Contribution.status == "pledged", Contribution.voided_at.is_(None))
            .limit(changes * 2)
        ).all()
        for contribution_id, _recipient_id, _value_date in open_ones[:changes]:
            if rng.random() < 0.5:
                advance_status(session, contribution_id, "committed", admin)
        from tracker.ledger.service import lines_of

        for contribution_id, recipient_id, value_date in open_ones[changes:]:
            promised = lines_of(session, contribution_id)[0]
            if promised.kind == "money":
                part = Money.from_minor(max(1, promised.value_minor // 2), promised.currency)
                line = LineInput("money", amount=part)
            else:
                half = Decimal(max(1, promised.quantity_milli // 2000))
                line = LineInput(promised.kind, item_id=promised.item_id, quantity=half)
            data = ContributionInput(0, recipient_id, value_date, "paid", [line])
            record_fulfilment(session, contribution_id, data, admin)
        heavy_donor = session.execute(sa.select(Donor.id).where(Donor.name == "Donor 00000")).scalar_one()
    log(f"  {changes} voids, status moves and fulfilments: {time.perf_counter() - started:.1f}s")
    engine.dispose()
    return {"heavy_donor": heavy_donor}


def synthetic_row(rng: random.Random, number: int, heavy: int, codes: list[str]) -> list[str]:
    """One CSV row of the synthetic ledger, in the import's column order."""
    from tracker.importing.files import NAMES

    cells = dict.fromkeys(NAMES, "")
    donor = 0 if number < heavy else rng.randrange(1, DONORS)
    kind = rng.choices(("money", "goods", "service"), (80, 14, 6))[0]
    cells.update(
        key=f"S-{number}",
        date=str(START + timedelta(days=rng.randrange(DAYS))),
        status=rng.choices(("pledged", "committed", "paid"), (15, 25, 60))[0],
        donor=f"Donor {donor:05d}",
        donor_kind=rng.choice(("individual", "organisation", "company", "government", "foundation")),
        recipient=f"Recipient {rng.randrange(RECIPIENTS):03d}",
        recipient_kind="organisation",
        appeal=f"AP-{rng.randrange(APPEALS):02d}",
        kind=kind,
    )
    if kind == "money":
        code = rng.choice(codes)
        whole = rng.randrange(1, 10**6) * (100 if code in ("JPY", "KZT", "UZS") else 1)
        # KWD's three decimals written with a fourth: a lone point before three digits is ambiguous in en.
        cents = {"JPY": "", "UZS": "", "KZT": "", "KWD": f".{rng.randrange(1000):03d}0"}.get(
            code, f".{rng.randrange(100):02d}"
        )
        cells.update(amount=f"{whole}{cents}", currency=code)
    else:
        name, _unit, _cluster, value = rng.choice(ITEMS)
        cells.update(item=name, quantity=str(rng.randrange(1, 500)))
        if value:
            cells.update(unit_value=value, currency="AZN", valuation="standard_cost")
    return [cells[name] for name in NAMES]


def existing(url: str) -> int:
    """Bring a kept ledger's schema up to date; returns its heavy donor's id."""
    from tracker.db.engine import make_engine, upgrade
    from tracker.db.models import Donor

    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sa.select(Donor.id).where(Donor.name == "Donor 00000")).scalar_one()
    engine.dispose()
    return int(found)


def timed(call, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        found.append((time.perf_counter() - started) * 1000)
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


SUMMARY_PERIODS = {  # the whole ledger, one month, and a range of partial months
    "whole": "",
    "month": "from=2024-01-01&to=2024-01-31",
    "range": "from=2024-01-10&to=2024-02-20",
}


def summary_times(client, engine: sa.Engine, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The summary report's medians (ms): API and page per period, and its files for the whole ledger."""
    from tracker.accounts.tokens import create_token
    from tracker.db.engine import session_scope

    with session_scope(engine) as session:
        token = create_token(session, "bench@example.org", "benchmark").secret
    headers = {"Authorization": f"Bearer {token}"}
    found: dict[str, float] = {}

    def get(path: str, **kw: object) -> int:
        response = client.get(path, **kw)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
        return len(response.content)

    for name, query in SUMMARY_PERIODS.items():
        found[f"api_{name}_kb"] = get(f"/api/v1/reports/summary?{query}", headers=headers) / 1024
        found[f"api_{name}_ms"] = statistics.median(
            timed(lambda q=query: get(f"/api/v1/reports/summary?{q}", headers=headers), repeat)
        )
        found[f"page_{name}_ms"] = statistics.median(timed(lambda q=query: get(f"/reports/summary?{q}"), repeat))
    for fmt in ("pdf", "csv", "xlsx"):
        found[f"{fmt}_whole_ms"] = statistics.median(timed(lambda f=fmt: get(f"/reports/summary?format={f}"), 3))
    log(f"  summary: {json.dumps({k: round(v, 1) for k, v in found.items()})}")
    return found


def measure(url: str, size: int, heavy_donor: int, repeat: int, only_summary: bool = False) -> dict[str, object]:
    from fastapi.testclient import TestClient

    from tracker.core import config
    from tracker.db import engine as db
    from tracker.web.app import create_app

    os.environ["TRACKER_DATABASE_URL"] = url
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = db.get_engine()
    results: dict[str, object] = {"size": size}
    with TestClient(create_app()) as client:
        form = client.get("/login").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = client.post(
            "/login", data={"email": "bench@example.org", "password": "benchmark-password", "csrf_token": token}
        )
        assert signed.status_code == 200, signed.status_code

        def page(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        page("/")  # warm: templates compiled, Babel's locale data loaded
        dashboard = timed(lambda: page("/"), repeat)
        donor = timed(lambda: page(f"/reports/donors/{heavy_donor}"), max(3, repeat // 4))
        results.update(summary=summary_times(client, engine, max(3, repeat // 4)))
        if only_summary:
            results.update(
                dashboard_ms=(statistics.median(dashboard), p95(dashboard)), donor_report_ms=statistics.median(donor)
            )
            return results
        listing = timed(lambda: page("/contributions?status=paid&currency=USD"), repeat)

    def sql(statement: str, **params: object) -> None:
        with engine.connect() as conn:
            conn.execute(sa.text(statement), params).all()

    raw_dashboard = timed(
        lambda: sql(
            "SELECT c.status, l.kind, l.currency, sum(l.value_minor), sum(l.quantity_milli) "
            "FROM contribution_line l JOIN contribution c ON c.id = l.contribution_id "
            "WHERE c.voided_at IS NULL GROUP BY c.status, l.kind, l.currency"
        ),
        3,
    )
    raw_donor = timed(
        lambda: sql(
            "SELECT c.number, c.value_date, c.status, l.kind, l.currency, l.value_minor FROM contribution c "
            "JOIN contribution_line l ON l.contribution_id = c.id WHERE c.donor_id = :d ORDER BY c.value_date",
            d=heavy_donor,
        ),
        5,
    )
    raw_list = timed(
        lambda: sql(
            "SELECT c.id FROM contribution c WHERE c.status = 'paid' AND c.voided_at IS NULL AND EXISTS "
            "(SELECT 1 FROM contribution_line l WHERE l.contribution_id = c.id AND l.currency = 'USD') "
            "ORDER BY c.value_date DESC, c.id DESC LIMIT 50"
        ),
        5,
    )
    with_totals, without_totals = record_times(engine, repeat=60)
    results.update(
        dashboard_ms=(statistics.median(dashboard), p95(dashboard)),
        dashboard_raw_sql_ms=statistics.median(raw_dashboard),
        donor_report_ms=statistics.median(donor),
        donor_raw_sql_ms=statistics.median(raw_donor),
        list_ms=statistics.median(listing),
        list_raw_sql_ms=statistics.median(raw_list),
        record_ms=(statistics.median(with_totals), statistics.median(without_totals)),
        serve_peak_mb=serving_memory(url, heavy_donor),
        database_mb=database_size(engine, url),
    )
    engine.dispose()
    db.get_engine.cache_clear()
    return results


def record_times(engine: sa.Engine, repeat: int) -> tuple[list[float], list[float]]:
    """One contribution recorded and committed, as a clerk's form does: with the totals maintained, and without."""
    import tracker.ledger.service as ledger
    from tracker.core.money import Money
    from tracker.db.engine import session_scope
    from tracker.db.models import Donor, Recipient
    from tracker.ledger.service import ContributionInput, LineInput, record_contribution
    from tracker.totals.aggregates import apply_change, contribution_rows

    with engine.connect() as conn:
        donor = conn.execute(sa.select(Donor.id).limit(1)).scalar_one()
        recipient = conn.execute(sa.select(Recipient.id).limit(1)).scalar_one()

    left_out: list[int] = []

    def record() -> int:
        with session_scope(engine) as session:
            lines = [LineInput("money", amount=Money(Decimal("125.50"), "USD"))]
            data = ContributionInput(donor, recipient, date(2025, 6, 2), "paid", lines)
            return record_contribution(session, data, None).id  # type: ignore[return-value]

    record()  # warm
    with_totals: list[float] = []
    without_totals: list[float] = []
    maintained = ledger.apply_change
    for _ in range(ROUNDS):  # alternating blocks: a shared machine's drift hits both sides alike
        with_totals += timed(record, repeat // ROUNDS)
        ledger.apply_change = lambda *args, **kw: None  # type: ignore[assignment]
        try:
            without_totals += timed(lambda: left_out.append(record()), repeat // ROUNDS)
        finally:
            ledger.apply_change = maintained
    # The entries recorded without the totals: add what they add, as recording them would have.
    with session_scope(engine) as session:
        apply_change(session, [], contribution_rows(session, left_out))
    return with_totals, without_totals


def serving_memory(url: str, donor: int) -> float:
    """Peak resident memory (MB) of a fresh process that serves the dashboard 20 times.

    Read from the process's own VmHWM: getrusage's ru_maxrss survives fork and exec on Linux, so
    a child started by this (large) process would report the parent's peak.
    """
    script = """
from fastapi.testclient import TestClient
from tracker.web.app import create_app
with TestClient(create_app()) as c:
    t = c.get('/login').text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    c.post('/login', data={'email': 'bench@example.org', 'password': 'benchmark-password', 'csrf_token': t})
    for _ in range(20):
        assert c.get('/').status_code == 200
print(int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024)
"""
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def database_size(engine: sa.Engine, url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()) / 2**20
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--postgres", help="a PostgreSQL URL to run on instead of SQLite")
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "tracker-bench")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--totals-after-import",
        action="store_true",
        help="generate without the import's totals maintenance and rebuild the totals once after it (large N)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the SQLite ledgers already in --keep (migrated to head) again"
    )
    parser.add_argument(
        "--summary", action="store_true", help="measure only the summary report, the dashboard and the donor report"
    )
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        kept = args.keep / f"ledger-{size}.db"
        if args.reuse and not args.postgres and kept.exists():
            url = f"sqlite:///{kept}"
            log(f"N = {size:,} on sqlite, reusing {kept}")
            heavy_donor = existing(url)
        else:
            url = database(size, args.postgres, args.keep)
            log(f"N = {size:,} on {url.split(':')[0]}")
            made = generate(url, size, totals_after=args.totals_after_import)
            heavy_donor = int(made["heavy_donor"])  # type: ignore[call-overload]
        rows.append(measure(url, size, heavy_donor, args.repeat, args.summary))
        print(json.dumps(rows[-1]), flush=True)
    print_summary_table(rows)
    if not args.summary:
        print_table(rows)


def print_summary_table(rows: list[dict]) -> None:  # type: ignore[type-arg]
    print()
    print(
        "| N | summary API whole / month / range (ms) | page whole / month / range (ms) | API whole (KB) | "
        "PDF / CSV / XLSX whole (ms) | donor report page (ms) |"
    )
    print("|" + "---|" * 6)
    for r in rows:
        s = r["summary"]
        print(
            f"| {r['size']:,} | {s['api_whole_ms']:.0f} / {s['api_month_ms']:.0f} / {s['api_range_ms']:.0f} | "
            f"{s['page_whole_ms']:.0f} / {s['page_month_ms']:.0f} / {s['page_range_ms']:.0f} | "
            f"{s['api_whole_kb']:.0f} | {s['pdf_whole_ms']:.0f} / {s['csv_whole_ms']:.0f} / {s['xlsx_whole_ms']:.0f} | "
            f"{r['donor_report_ms']:.0f} |"
        )


def print_table(rows: list[dict]) -> None:  # type: ignore[type-arg]
    first = rows[0]["dashboard_ms"][0]  # type: ignore[index]
    print()
    print(
        "| N | dashboard median / p95 (ms) | vs N=10k | raw SQL (ms) | ratio | donor report (ms) | raw SQL | "
        "list page (ms) | raw SQL | record with / without totals (ms) | ratio | serving peak (MB) | DB (MB) |"
    )
    print("|" + "---|" * 13)
    for r in rows:
        dash, dash_p95 = r["dashboard_ms"]
        rec, bare = r["record_ms"]
        print(
            f"| {r['size']:,} | {dash:.1f} / {dash_p95:.1f} | {dash / first:.2f}× | {r['dashboard_raw_sql_ms']:.1f} | "
            f"{dash / r['dashboard_raw_sql_ms']:.2f} | {r['donor_report_ms']:.1f} | {r['donor_raw_sql_ms']:.1f} | "
            f"{r['list_ms']:.1f} | {r['list_raw_sql_ms']:.1f} | {rec:.2f} / {bare:.2f} | {rec / bare:.2f} | "
            f"{r['serve_peak_mb']:.0f} | {r['database_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
