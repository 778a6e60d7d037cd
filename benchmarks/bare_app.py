"""The yardstick for web_load.py: a bare FastAPI app doing one equivalent insert or select per request.

    BARE_DATABASE_URL=sqlite:////tmp/x.db .venv/bin/uvicorn bare_app:create_app --factory --workers 2

Same stack (FastAPI, uvicorn, sync endpoints in the thread pool), same database settings as
tracker (SQLite WAL, synchronous=FULL, foreign keys, busy_timeout, BEGIN IMMEDIATE for a
write; PostgreSQL with psycopg), one connection per worker thread, nothing else: no token,
no ORM, no journal, no totals. POST /entries inserts one row and answers it as JSON; GET
/entries?limit=50 answers the last 50 rows. Not part of the test run.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000")
SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bare_entry (id INTEGER PRIMARY KEY, donor TEXT NOT NULL, "
    "amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, value_date TEXT NOT NULL)"
)
POSTGRES_TABLE = SQLITE_TABLE.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")


class Database:
    """One DBAPI connection per thread, opened on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self.local = threading.local()
        with self.lock_free() as conn:
            conn.execute(SQLITE_TABLE if self.sqlite else POSTGRES_TABLE)
            if not self.sqlite:
                conn.commit()

    def connect(self) -> Any:
        if self.sqlite:
            import sqlite3

            conn = sqlite3.connect(self.url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
            for pragma in PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            return conn
        import psycopg

        return psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))

    def lock_free(self) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.connect()
        return _Same(conn)

    def insert(self, donor: str, amount_minor: int, currency: str, value_date: str) -> dict[str, Any]:
        conn = self.lock_free().conn
        row = (donor, amount_minor, currency, value_date)
        if self.sqlite:
            conn.execute("BEGIN IMMEDIATE")
            new_id = conn.execute(
                "INSERT INTO bare_entry (donor, amount_minor, currency, value_date) VALUES (?, ?, ?, ?) RETURNING id",
                row,
            ).fetchone()[0]
            conn.execute("COMMIT")
        else:
            new_id = conn.execute(
                "INSERT INTO bare_entry (donor, amount_minor, currency, value_date) VALUES (%s, %s, %s, %s) "
                "RETURNING id",
                row,
            ).fetchone()[0]
            conn.commit()
        return {"id": str(new_id), "donor": donor, "amount": amount_minor, "currency": currency, "date": value_date}

    def latest(self, limit: int) -> list[dict[str, Any]]:
        conn = self.lock_free().conn
        marker = "?" if self.sqlite else "%s"
        if self.sqlite:
            conn.execute("BEGIN")
        rows = conn.execute(
            f"SELECT id, donor, amount_minor, currency, value_date FROM bare_entry ORDER BY id DESC LIMIT {marker}",
            (limit,),
        ).fetchall()
        conn.execute("COMMIT") if self.sqlite else conn.commit()
        return [{"id": str(r[0]), "donor": r[1], "amount": r[2], "currency": r[3], "date": r[4]} for r in rows]


class _Same:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __enter__(self) -> Any:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        return None


def create_app() -> FastAPI:
    database = Database(os.environ["BARE_DATABASE_URL"])
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/entries", status_code=201)
    def create_entry(body: dict[str, Any]) -> Response:
        line = body["lines"][0]["amount"]
        minor = int(line["amount"].replace(".", ""))
        entry = database.insert(str(body["donor_id"]), minor, line["currency"], str(body["date"]))
        return Response(json.dumps(entry), status_code=201, media_type="application/json")

    @app.get("/entries")
    def list_entries(request: Request, limit: int = 50) -> Response:
        return Response(json.dumps({"items": database.latest(limit)}), media_type="application/json")

    return app
