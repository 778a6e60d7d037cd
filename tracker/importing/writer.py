"""Writing checked import rows in bulk: contributions, lines, row keys and their journal events as rows of values.

Each contribution still gets its own `contribution.recorded` event, chained by hash in
the order written, its line values and facts built by `tracker.ledger.recording` as a
single entry's are, so `tracker verify` cannot tell an imported contribution from one
entered by hand.

Chunks go through a pipeline of one: a chunk is built (numbers, journal, totals) while
the chunk before it is being inserted (`import_inserts`), and the database is read only
while nothing is being inserted — the rates a chunk needs, the last hash and numbers —
so the import sees its own transaction exactly as a single writer would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.core.money import minor_digits
from tracker.db.columns import table_of, utcnow
from tracker.db.dialect import allocate_ids, conflict_insert, on_postgresql
from tracker.db.journal import Chain, last_hash
from tracker.db.models import Contribution, JournalEvent, NumberSequence, User
from tracker.importing.checks import Planned
from tracker.importing.inserts import Batch, Inserter
from tracker.ledger import recording
from tracker.ledger.figures import figure_row
from tracker.ledger.recording import Facts, line_values, recorded_json
from tracker.ledger.service import contribution_number, reserve_numbers
from tracker.totals.summing import TotalSums
from tracker.totals.writes import add_rows, totals_state


class ChunkWriter:
    """Writes an import's clean chunks into the session's transaction: `write` each, then `finish`; `close` always.

    On SQLite this transaction holds the write lock from its start, so contribution ids
    and numbers are counted on in memory (the number sequences are written by `finish`);
    on PostgreSQL they come from the database, chunk by chunk, as other writers' do."""

    def __init__(self, session: Session, user: User | None, import_id: str) -> None:
        self.session = session
        self.user_id = user.id if user else None
        self.import_id = import_id
        state = totals_state(session)
        self.totals = TotalSums(state.reporting_currency, state.window_days, ordered=on_postgresql(session))
        self.inserter = Inserter(session)
        self.counted_here = self.inserter.threaded
        self.prev: str | None = None  # the journal's last hash, once read
        self.next_id: int | None = None
        self.last_number: dict[int, int] = {}
        self.built: list[Batch] = []  # the last chunk built, waiting for its inserts to start
        dialect = session.connection().dialect
        self.bind_date = _binder(table_of(Contribution).c.value_date, dialect)
        self.bind_stamp = _binder(table_of(JournalEvent).c.at, dialect)
        self.dates: dict[date, Any] = {}

    def write(self, ready: list[tuple[Planned, int, int]]) -> int:
        """Write a clean chunk (row, donor id, recipient id); rows imported before are left out. How many were."""
        if not ready:
            return 0
        self.inserter.wait()  # nothing runs on the connection now: read what this chunk needs
        if self.prev is None:
            # The journal's chain lock first (PostgreSQL): a concurrent import of the same file then
            # waits here and sees this one's row keys once it commits, instead of colliding on them.
            self.prev = last_hash(self.session)
        if self.totals.full:
            self.totals.flush(self.session)
        self.totals.need(self.session, {(p.line.value.currency, p.value_date) for p, _, _ in ready if p.line.value})
        if self.counted_here and self.next_id is None:
            self.next_id = (self.session.execute(sa.select(sa.func.max(Contribution.id))).scalar() or 0) + 1
            numbered = sa.select(col(NumberSequence.year), col(NumberSequence.last))
            self.last_number = dict(self.session.execute(numbered).all())
        # The chunk before starts going in, after a look-up of this chunk's keys.
        self.inserter.submit(self.built, lookup=[p.key for p, _, _ in ready])
        self.built = []
        kept = self.inserter.looked_up()
        fresh = [(p, d, r) for p, d, r in ready if p.key not in kept] if kept else ready
        if fresh:
            self.built = self._build(fresh)
        return len(ready) - len(fresh)

    def wait(self) -> None:
        """Until the inserts running are done: the session may then read (the chunk built last is not in yet)."""
        self.inserter.wait()

    def pause(self) -> None:
        """Insert everything built so far and wait: the session may then be used (to create a donor, say)."""
        self.inserter.submit(self.built)
        self.built = []
        self.inserter.wait()
        self.prev = None  # what the session writes may be journalled: read the chain's end again

    def finish(self) -> None:
        """After the last chunk: everything inserted, the number sequences and the maintained totals up to date."""
        self.inserter.submit(self.built)
        self.built = []
        totals = self.totals.rows()  # summed up while the last chunk goes in
        self.inserter.wait()
        if self.counted_here and self.last_number:
            table = table_of(NumberSequence)
            statement = conflict_insert(self.session)(table)
            self.session.execute(
                statement.on_conflict_do_update(index_elements=["year"], set_={"last": statement.excluded.last}),
                [{"year": year, "last": last} for year, last in sorted(self.last_number.items())],
            )
        add_rows(self.session.connection(), totals, minor_digits(self.totals.reporting))

    def close(self) -> None:
        """Never leave the connection in use by the inserts' thread."""
        self.inserter.wait()

    def _build(self, fresh: list[tuple[Planned, int, int]]) -> list[Batch]:
        """The chunk's rows for each table; its journal events chained on from the last, its totals summed."""
        numbers = self._numbers([p.value_date.year for p, _, _ in fresh])
        ids = self._ids(len(fresh))
        now = utcnow()
        stamp = self.bind_stamp(now)
        headers, lines, keys, events, counted = [], [], [], [], []
        journal = Chain(self.prev, now, self.user_id, "contribution.recorded", "contribution")  # type: ignore[arg-type]
        dates, bind_date, user_id, import_id = self.dates, self.bind_date, self.user_id, self.import_id
        # Values every row of a table shares go to the database once, not in every row.
        for (p, donor_id, recipient_id), number, contribution_id in zip(fresh, numbers, ids, strict=True):
            value_date = p.value_date
            bound = dates.get(value_date)
            if bound is None:
                bound = dates[value_date] = bind_date(value_date)
            facts = Facts(number, donor_id, recipient_id, p.appeal_id, value_date, p.status, p.reference, p.notes, None)
            headers.append((contribution_id, number, donor_id, recipient_id, p.appeal_id, bound, p.status, p.reference,
                            p.notes))  # fmt: skip
            values = line_values(p.line)
            lines.append((contribution_id, *values))
            keys.append((p.key, contribution_id, p.row))
            after = recorded_json(facts, (values,))
            events.append((str(contribution_id), after, *journal.link(str(contribution_id), after)))
            counted.append(
                figure_row((p.status, values.kind, values.item_id, values.currency, values.value_minor or 0,
                            values.quantity_milli or 0, value_date, p.appeal_id, donor_id, recipient_id, p.cluster))
            )  # fmt: skip
        self.prev = journal.prev
        self.totals.add(counted)
        return [
            Batch("contribution", CONTRIBUTION_COLUMNS, headers, {"recorded_at": stamp, "recorded_by_id": user_id}),
            Batch("contribution_line", LINE_COLUMNS, lines, {"position": 1}),
            Batch("imported_row", KEY_COLUMNS, keys, {"import_id": import_id}),
            Batch("journal_event", EVENT_COLUMNS, events, {**RECORDED, "at": stamp, "user_id": user_id}),
        ]

    def _numbers(self, years: list[int]) -> list[str]:
        """Contribution numbers for the rows, in order."""
        if not self.counted_here:
            return reserve_numbers(self.session, years)
        last, numbers = self.last_number, []
        for year in years:
            last[year] = last.get(year, 0) + 1
            numbers.append(contribution_number(year, last[year]))
        return numbers

    def _ids(self, count: int) -> list[int]:
        if not self.counted_here:
            return allocate_ids(self.session, table_of(Contribution), count)
        first = self.next_id
        assert first is not None, "set when the first chunk went in"
        self.next_id = first + count
        return list(range(first, first + count))


# The columns whose values vary from row to row (the rest are shared: see `_build`; fulfils_id is null).
CONTRIBUTION_COLUMNS = ("id", "number", "donor_id", "recipient_id", "appeal_id", "value_date", "status", "reference",
                        "notes")  # fmt: skip
LINE_COLUMNS = ("contribution_id", *recording.LINE_COLUMNS)
KEY_COLUMNS = ("source_key", "contribution_id", "row_number")
EVENT_COLUMNS = ("object_id", "after", "prev_hash", "hash")
RECORDED = {"action": "contribution.recorded", "object_type": "contribution", "before": None}


def _binder(column: sa.Column, dialect: sa.Dialect) -> Any:
    """The column's bind processor (dates and times as text on SQLite), or the identity."""
    return column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
