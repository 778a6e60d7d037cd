"""Writing checked import rows in bulk: contributions, lines, row keys and their journal events as rows of values.

Each contribution still gets its own `contribution.recorded` event, chained by hash in
the order written, with the same facts `ledger.snapshot` records, so `tracker verify`
cannot tell an imported contribution from one entered by hand.

Chunks go through a pipeline of one: a chunk is built (numbers, journal, totals) while
the chunk before it is being inserted (`import_inserts`), and the database is read only
while nothing is being inserted — the rates a chunk needs, the last hash and numbers —
so the import sees its own transaction exactly as a single writer would.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from json.encoder import encode_basestring as _string  # what canonical_json writes a string with
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.core.money import minor_digits
from tracker.db.engine import conflict_insert
from tracker.db.journal import canonical_json, chain_hash, last_hash, utc_text
from tracker.db.models import Contribution, JournalEvent, NumberSequence, User, table_of, utcnow
from tracker.importing.checks import Planned
from tracker.importing.inserts import Batch, Inserter
from tracker.ledger.service import contribution_number, reserve_numbers
from tracker.totals.batch import ImportTotals
from tracker.totals.writes import add_rows


class ChunkWriter:
    """Writes an import's clean chunks into the session's transaction: `write` each, then `finish`; `close` always.

    On SQLite this transaction holds the write lock from its start, so contribution ids
    and numbers are counted on in memory (the number sequences are written by `finish`);
    on PostgreSQL they come from the database, chunk by chunk, as other writers' do."""

    def __init__(self, session: Session, user: User | None, import_id: str) -> None:
        self.session = session
        self.user_id = user.id if user else None
        self.import_id = import_id
        self.totals = ImportTotals(session)
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
        assert self.prev is not None, "read by write() before it builds a chunk"
        journal = _Journal(self.prev, now, self.user_id)
        dates, bind_date, user_id, import_id = self.dates, self.bind_date, self.user_id, self.import_id
        # Values every row of a table shares go to the database once, not in every row.
        for (p, donor_id, recipient_id), number, contribution_id in zip(fresh, numbers, ids, strict=True):
            line, value_date = p.line, p.value_date
            bound = dates.get(value_date)
            if bound is None:
                bound = dates[value_date] = bind_date(value_date)
            headers.append(
                (contribution_id, number, donor_id, recipient_id, p.appeal_id, bound, p.status, p.reference, p.notes)
            )
            value = line.value
            currency = value.currency if value else None
            value_minor = value.minor if value else None
            unit_value_minor = line.unit_value.minor if line.unit_value else None
            lines.append(
                (contribution_id, line.kind, line.item_id, line.quantity_milli, unit_value_minor, line.valuation,
                 currency, minor_digits(currency) if currency else None, value_minor)
            )  # fmt: skip
            keys.append((p.key, contribution_id, p.row))
            events.append(journal.recorded(contribution_id, number, donor_id, recipient_id, p, value_minor,
                                           unit_value_minor))  # fmt: skip
            counted.append(
                (p.status, line.kind, line.item_id, currency, value_minor or 0, line.quantity_milli or 0, value_date,
                 p.appeal_id, donor_id, recipient_id, p.cluster)
            )  # fmt: skip
        journal.check_first(fresh[0][0], headers[0], lines[0])
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
            return _allocate_ids(self.session, count)
        first = self.next_id
        assert first is not None, "set when the first chunk went in"
        self.next_id = first + count
        return list(range(first, first + count))


# The columns whose values vary from row to row (the rest are shared: see `_build`; fulfils_id is null).
CONTRIBUTION_COLUMNS = ("id", "number", "donor_id", "recipient_id", "appeal_id", "value_date", "status", "reference",
                        "notes")  # fmt: skip
LINE_COLUMNS = ("contribution_id", "kind", "item_id", "quantity_milli", "unit_value_minor", "valuation", "currency",
                "minor_digits", "value_minor")  # fmt: skip
KEY_COLUMNS = ("source_key", "contribution_id", "row_number")
EVENT_COLUMNS = ("object_id", "after", "prev_hash", "hash")
RECORDED = {"action": "contribution.recorded", "object_type": "contribution", "before": None}


def _binder(column: sa.Column, dialect: sa.Dialect) -> Any:
    """The column's bind processor (dates and times as text on SQLite), or the identity."""
    return column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


def _allocate_ids(session: Session, count: int) -> list[int]:
    """Ids for new contributions: from the sequence on PostgreSQL; on SQLite, past the largest, under the write lock."""
    if session.get_bind().dialect.name == "postgresql":
        statement = sa.text("SELECT nextval(pg_get_serial_sequence('contribution', 'id')) FROM generate_series(1, :n)")
        return list(session.execute(statement, {"n": count}).scalars())
    largest = session.execute(sa.select(sa.func.max(Contribution.id))).scalar() or 0
    return list(range(largest + 1, largest + 1 + count))


class _Journal:
    """`contribution.recorded` events for a chunk, chained by hash from the journal's last one.

    The JSON and the hashed body are written out directly rather than through
    `canonical_json` (the same bytes, several times faster); `check_first` holds the
    first event of every chunk equal to what `ledger.snapshot` and `chain_hash` give."""

    def __init__(self, prev: str, at: datetime, user_id: int | None) -> None:
        self.prev = self.first_prev = prev
        self.at = at
        self.user_id = user_id
        self.first: dict[str, Any] | None = None
        # The hash body's keys in sorted order; only after, object_id and prev vary.
        self._body = (
            '{"action":"contribution.recorded","after":%s,"at":"' + utc_text(at) + '","before":null,"object_id":"%d",'
            '"object_type":"contribution","prev":"%s","user_id":' + ("null" if user_id is None else str(user_id)) + "}"
        )

    def recorded(
        self,
        contribution_id: int,
        number: str,
        donor_id: int,
        recipient_id: int,
        data: Planned,
        value_minor: int | None,
        unit_value_minor: int | None,
    ) -> tuple[str, str, str, str]:
        line = data.line
        currency = line.value.currency if line.value else None
        appeal_id, item_id, quantity = data.appeal_id, line.item_id, line.quantity_milli
        after = _AFTER % (
            "null" if appeal_id is None else appeal_id,
            donor_id,
            "null" if currency is None else _string(currency),
            "null" if item_id is None else item_id,
            _string(line.kind),
            "null" if quantity is None else quantity,
            "null" if unit_value_minor is None else unit_value_minor,
            _string(line.valuation),
            "null" if value_minor is None else value_minor,
            _string(data.notes),
            _string(number),
            recipient_id,
            _string(data.reference),
            _string(data.status),
            data.value_date.isoformat(),
        )
        body = self._body % (_string(after), contribution_id, self.prev)
        digest = hashlib.sha256(("tracker-journal-v1\n" + body).encode()).hexdigest()
        if self.first is None:
            self.first = {"id": contribution_id, "after": after, "hash": digest}
        event = (str(contribution_id), after, self.prev, digest)
        self.prev = digest
        return event

    def check_first(self, planned: Planned, header: tuple[Any, ...], line: tuple[Any, ...]) -> None:
        """The chunk's first event, written out by hand, must be what the ledger's own functions give."""
        assert self.first is not None
        facts = dict(zip(CONTRIBUTION_COLUMNS, header, strict=True))
        facts.update(value_date=planned.value_date, fulfils_id=None)
        line_facts = dict(zip(LINE_COLUMNS, line, strict=True))
        expected = canonical_json(
            {
                **{name: facts[name] for name in SNAPSHOT_FIELDS},
                "lines": [{name: line_facts[name] for name in SNAPSHOT_LINE_FIELDS}],
            }
        )
        digest = chain_hash(
            self.first_prev, self.at, self.user_id, "contribution.recorded", "contribution", str(self.first["id"]),
            None, expected,
        )  # fmt: skip
        if (expected, digest) != (self.first["after"], self.first["hash"]):
            raise AssertionError(f"the import's journal event differs from the ledger's: {self.first} != {expected}")


SNAPSHOT_FIELDS = ("number", "donor_id", "recipient_id", "appeal_id", "value_date", "status", "reference", "notes",
                   "fulfils_id")  # fmt: skip
SNAPSHOT_LINE_FIELDS = ("kind", "item_id", "quantity_milli", "unit_value_minor", "valuation", "currency", "value_minor")
# ledger.snapshot's facts as canonical JSON (sorted keys, no spaces), one line, fulfilling nothing.
_AFTER = (
    '{"appeal_id":%s,"donor_id":%d,"fulfils_id":null,"lines":[{"currency":%s,"item_id":%s,"kind":%s,'
    '"quantity_milli":%s,"unit_value_minor":%s,"valuation":%s,"value_minor":%s}],"notes":%s,"number":%s,'
    '"recipient_id":%d,"reference":%s,"status":%s,"value_date":"%s"}'
)
