"""Load on `tracker serve` over loopback, beside a bare FastAPI app on the same database settings.

    .venv/bin/python benchmarks/web_load.py [--size 1000] [--postgres URL] [--workers 1,2]
        [--concurrency 1,10,50] [--seconds 10] [--runs 2] [--targets post,list,dashboard,summary]

For each database (SQLite always; PostgreSQL when --postgres is given) it builds a fresh
ledger of --size contributions with benchmarks/ledger_scale.py's generator (rates,
catalogue, a bulk import, voids and fulfilments through the project's own services), then
for each worker count starts `tracker serve` and `bare_app.py` (uvicorn, the same workers)
and drives each target at each concurrency for --seconds, --runs times, with wrk (a
bounded number of keep-alive connections, each sending its next request when the last is
answered; `apt-get install wrk`). Targets:

- post:      POST /api/v1/contributions, one money line (bare: POST /entries, one INSERT + COMMIT)
- list:      GET /api/v1/contributions?limit=50          (bare: GET /entries?limit=50, one SELECT)
- dashboard: GET / signed in, the HTML dashboard          (bare: the same SELECT)
- summary:   GET /api/v1/reports/summary, the whole ledger (bare: the same SELECT)

It prints one line per point: req/s, p50 and p99 in ms, errors (refused connections, 4xx and 5xx,
timeouts past 5 s), the server's CPU time per request (all its processes, from /proc: less
noisy than req/s on a shared machine), and the ratio tracker / bare for req/s. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark-password"  # ledger_scale's admin
BODY = {
    "donor_id": "{donor}",
    "recipient_id": "{recipient}",
    "date": "2025-06-02",
    "status": "paid",
    "lines": [{"kind": "money", "amount": {"amount": "125.50", "currency": "USD"}}],
}
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


TIMEOUT = "5s"  # a request unanswered by then counts as an error


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Target:
    """One request to drive: method, path, headers and body, for tracker and for the bare app."""

    name: str
    method: str
    path: str
    bare_path: str
    body: str = ""


@dataclass
class Point:
    """One measured run."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server at {base} stopped")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    time.sleep(1)  # every worker up, not just the first
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server at {base} did not come up")


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and all its descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        stats[pid] = fields
        children.setdefault(int(fields[1]), []).append(pid)
    total, pending = 0.0, [root_pid]
    while pending:
        pid = pending.pop()
        if pid in stats:
            total += (int(stats[pid][11]) + int(stats[pid][12])) / ticks
        pending.extend(children.get(pid, []))
    return total


def start(command: list[str], env: dict[str, str], base: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    wait_until_up(base, server)
    return server


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wrk(base: str, target: Target, path: str, headers: dict[str, str], clients: int, seconds: int) -> dict:  # type: ignore[type-arg]
    """One wrk run; its Lua `done` hook prints the figures as JSON."""
    lines = [f'wrk.method = "{target.method}"']
    if target.body:
        lines.append(f"wrk.body = {json.dumps(target.body)}")
    lines += [f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n" + WRK_REPORT)
    try:
        threads = min(2, clients)
        command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", TIMEOUT, "-s", script.name]
        done = subprocess.run(
            [*command, base + path],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(
    server: subprocess.Popen[bytes], base: str, target: Target, path: str, headers: dict[str, str], clients: int,
    seconds: int,
) -> Point:  # fmt: skip
    before = cpu_seconds(server.pid)
    got = wrk(base, target, path, headers, clients, seconds)
    used = cpu_seconds(server.pid) - before
    errors = got["connect"] + got["read"] + got["write"] + got["status"] + got["timeout"]
    return Point(
        requests_per_second=got["requests"] / got["seconds"],
        p50_ms=got["p50_us"] / 1000,
        p99_ms=got["p99_us"] / 1000,
        errors=errors,
        cpu_ms_per_request=used * 1000 / max(1, got["requests"]),
    )


def prepare(url: str, size: int) -> dict[str, str]:
    """A fresh ledger of `size` contributions, an admin token, and ids a POST can use."""
    import sqlalchemy as sa
    from ledger_scale import generate

    from tracker.accounts.tokens import create_token
    from tracker.db.engine import make_engine, session_scope
    from tracker.db.models import Donor, Recipient

    generate(url, size)
    engine = make_engine(url)
    with session_scope(engine) as session:
        secret = create_token(session, "bench@example.org", "web load").secret
        donor = session.execute(sa.select(Donor.id).order_by(Donor.id)).scalars().first()
        recipient = session.execute(sa.select(Recipient.id).order_by(Recipient.id)).scalars().first()
    engine.dispose()
    return {"token": secret, "donor": str(donor), "recipient": str(recipient)}


def signed_in_cookie(base: str) -> str:
    """Sign in through the real form; the session cookie a browser would send."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = urllib.parse.urlencode({"email": "bench@example.org", "password": PASSWORD, "csrf_token": token})
    opener.open(f"{base}/login", data=form.encode())
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def database_url(kind: str, postgres: str | None, keep: Path, size: int) -> str:
    """A fresh database of this benchmark's own (never one ledger_scale.py may be using at the same time)."""
    import sqlalchemy as sa

    if kind == "sqlite":
        path = keep / f"web-load-{size}.db"
        for suffix in ("", "-wal", "-shm", "-writer"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert postgres
    name = f"tracker_web_load_{size}"
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(postgres).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="contributions in the fresh ledger")
    parser.add_argument("--postgres", help="also run on PostgreSQL (a URL; a database per run is made beside it)")
    parser.add_argument("--only-postgres", action="store_true", help="skip SQLite")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--concurrency", default="1,10,50")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2, help="runs per point (the machine is noisy: at least 2)")
    parser.add_argument("--targets", default="post,list,dashboard,summary")
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "tracker-web-load")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    args.keep.mkdir(parents=True, exist_ok=True)
    kinds = ([] if args.only_postgres else ["sqlite"]) + (["postgresql"] if args.postgres else [])
    wanted = args.targets.split(",")
    results = []
    for kind in kinds:
        url = database_url(kind, args.postgres, args.keep, args.size)
        log(f"{kind}: a fresh ledger of {args.size:,} contributions")
        ids = prepare(url, args.size)
        body = json.dumps(BODY).replace("{donor}", ids["donor"]).replace("{recipient}", ids["recipient"])
        targets = [
            Target("post", "POST", "/api/v1/contributions", "/entries", body),
            Target("list", "GET", "/api/v1/contributions?limit=50", "/entries?limit=50"),
            Target("dashboard", "GET", "/", "/entries?limit=50"),
            Target("summary", "GET", "/api/v1/reports/summary", "/entries?limit=50"),
        ]
        for workers in (int(w) for w in args.workers.split(",")):
            port, bare_port = free_port(), free_port()
            base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
            env = {"TRACKER_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
            tracker = start(
                [sys.executable, "-m", "tracker.cli.main", "serve", "--port", str(port), "--workers", str(workers)],
                env,
                base,
            )
            bare = start(
                [sys.executable, "-m", "uvicorn", "bare_app:create_app", "--factory", "--port", str(bare_port),
                 "--workers", str(workers), "--log-level", "warning", "--app-dir", str(HERE)],
                {"BARE_DATABASE_URL": url},
                bare_base,
            )  # fmt: skip
            try:
                cookie = signed_in_cookie(base)
                for target in (t for t in targets if t.name in wanted):
                    headers = {"Content-Type": "application/json"} if target.body else {}
                    ours = {**headers, "Authorization": f"Bearer {ids['token']}"}
                    if target.name == "dashboard":
                        ours = {"Cookie": cookie}
                    for clients in (int(c) for c in args.concurrency.split(",")):
                        for run in range(1, args.runs + 1):
                            mine = measure(tracker, base, target, target.path, ours, clients, args.seconds)
                            yard = measure(bare, bare_base, target, target.bare_path, headers, clients, args.seconds)
                            row = {
                                "database": kind, "workers": workers, "target": target.name, "clients": clients,
                                "run": run, "tracker": mine.__dict__, "bare": yard.__dict__,
                                "ratio": mine.requests_per_second / max(yard.requests_per_second, 1e-9),
                            }  # fmt: skip
                            results.append(row)
                            print(json.dumps(row), flush=True)
                            log(line(row))
            finally:
                stop(tracker)
                stop(bare)
    print_table(results)


def line(row: dict) -> str:  # type: ignore[type-arg]
    mine, yard = row["tracker"], row["bare"]
    return (
        f"{row['database']:10} w={row['workers']} {row['target']:9} c={row['clients']:<3} run {row['run']}: "
        f"{mine['requests_per_second']:7.1f} req/s p50 {mine['p50_ms']:7.1f} p99 {mine['p99_ms']:7.1f} ms "
        f"err {mine['errors']:4} cpu {mine['cpu_ms_per_request']:5.2f} ms/req | "
        f"bare {yard['requests_per_second']:7.1f} req/s p99 {yard['p99_ms']:6.1f} "
        f"cpu {yard['cpu_ms_per_request']:5.2f} | ratio {row['ratio']:.3f}"
    )


def print_table(results: list[dict]) -> None:  # type: ignore[type-arg]
    print()
    print(
        "| database | workers | target | c | req/s | p50 ms | p99 ms | errors | CPU ms/req | bare req/s | bare p99 ms "
        "| bare CPU ms/req | ratio |"
    )
    print("|" + "---|" * 13)
    for r in results:
        m, b = r["tracker"], r["bare"]
        print(
            f"| {r['database']} | {r['workers']} | {r['target']} | {r['clients']} | {m['requests_per_second']:.0f} | "
            f"{m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['errors']} | {m['cpu_ms_per_request']:.2f} | "
            f"{b['requests_per_second']:.0f} | {b['p99_ms']:.1f} | {b['cpu_ms_per_request']:.2f} | {r['ratio']:.3f} |"
        )


if __name__ == "__main__":
    main()
