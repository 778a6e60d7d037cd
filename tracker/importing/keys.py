"""The row keys of one import file, kept on disk so the import's memory stays flat however long the file.

A row's key is the file's own `key` cell, or, without one, a digest of the row's content
with how many identical rows came before it (two identical rows stay two contributions).
Rows are noted as they are checked and named a chunk at a time: the keys and digests of
the chunks before live in a private temporary SQLite database (a file the operating
system removes when it is closed), not in a set that grows with every row.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from tracker.importing.files import Row

OWN_KEY_CHARS = 70  # a key column longer than this is cut: imported_row.source_key holds 80


class RowKeys:
    """`note` each row as it is read, then `settle` every chunk; `close` at the end."""

    def __init__(self) -> None:
        # "" opens a private database on a temporary file, deleted when the connection closes.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute("CREATE TABLE own (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE copies (digest TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID")
        self.noted: list[tuple[int, str, str | None]] = []  # row number, own key or digest, the key cell

    def __len__(self) -> int:
        return len(self.noted)

    def note(self, row: Row) -> None:
        """Remember this row (a bad row too: its key is taken all the same)."""
        own = row.cells.get("key")
        if own is not None:
            self.noted.append((row.number, "key:" + str(own)[:OWN_KEY_CHARS], str(own)))
            return
        content = json.dumps([[name, str(value)] for name, value in sorted(row.cells.items()) if value is not None])
        self.noted.append((row.number, hashlib.sha256(content.encode("utf-8", "replace")).hexdigest()[:40], None))

    def settle(self) -> tuple[dict[int, str], list[tuple[int, str]]]:
        """The noted rows' keys by row number, and the rows whose own key an earlier row has (row, key cell)."""
        noted, self.noted = self.noted, []
        owns = [key for _, key, cell in noted if cell is not None]
        digests = sorted({digest for _, digest, cell in noted if cell is None})
        taken = {
            key for (key,) in self._select("SELECT key FROM own WHERE key IN (SELECT value FROM json_each(?))", owns)
        }
        counts = dict(self._select("SELECT digest, count FROM copies WHERE digest IN (SELECT value FROM json_each(?))",
                                   digests))  # fmt: skip
        keys: dict[int, str] = {}
        repeated: list[tuple[int, str]] = []
        for number, key, cell in noted:
            if cell is None:
                counts[key] = counts.get(key, 0) + 1
                key = f"row:{key}#{counts[key]}"
            elif key in taken:
                repeated.append((number, cell))
            else:
                taken.add(key)
            keys[number] = key
        self.db.execute("INSERT OR IGNORE INTO own SELECT value FROM json_each(?)", (json.dumps(owns),))
        self.db.execute(
            "INSERT OR REPLACE INTO copies SELECT key, value FROM json_each(?)",
            (json.dumps({digest: counts[digest] for digest in digests}),),
        )
        return keys, repeated

    def close(self) -> None:
        self.db.close()

    def _select(self, sql: str, values: list[str]) -> list[Any]:
        return self.db.execute(sql, (json.dumps(values),)).fetchall() if values else []
