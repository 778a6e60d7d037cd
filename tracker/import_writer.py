"""Writing checked import rows in bulk: Core executemany for contributions, lines and row keys, plus their journal.

Each contribution still gets its own `contribution.recorded` event, chained by hash in
the order written, with the same facts `ledger.snapshot` records, so `tracker verify`
cannot tell an imported contribution from one entered by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker.aggregates import apply_change, contribution_rows
from tracker.journal import canonical_json, chain_hash, last_hash
from tracker.ledger import RecordedLine
from tracker.models import Contribution, ContributionLine, ImportedRow, JournalEvent, NumberSequence, User, utcnow
from tracker.money import minor_digits

if TYPE_CHECKING:
    from tracker.importing import Planned


def already_imported(session: Session, keys: list[str]) -> set[str]:
    """Which of these row keys an earlier import already recorded."""
    statement = select(ImportedRow.source_key).where(ImportedRow.source_key.in_(keys))  # type: ignore[attr-defined]
    return set(session.exec(statement).all())


def write_chunk(session: Session, ready: list[tuple[Planned, int, int]], user: User | None, import_id: str) -> int:
    """Insert a clean chunk (row, donor id, recipient id); rows imported before are left out. How many were left out."""
    if not ready:
        return 0
    # The journal's chain lock first (PostgreSQL): a concurrent import of the same file then
    # waits here and sees this one's row keys once it commits, instead of colliding on them.
    prev = last_hash(session)
    kept = already_imported(session, [p.key for p, _, _ in ready])
    fresh = [(p, d, r) for p, d, r in ready if p.key not in kept]
    if not fresh:
        return len(ready)
    numbers = _reserve_numbers(session, [p.data.value_date.year for p, _, _ in fresh])
    now = utcnow()
    user_id = user.id if user else None
    ids = _allocate_ids(session, len(fresh))
    headers = [
        {
            "id": contribution_id,
            "number": number,
            "donor_id": donor_id,
            "recipient_id": recipient_id,
            "appeal_id": p.data.appeal_id,
            "value_date": p.data.value_date,
            "status": p.data.status,
            "reference": p.data.reference,
            "notes": p.data.notes,
            "fulfils_id": None,
            "recorded_at": now,
            "recorded_by_id": user_id,
        }
        for (p, donor_id, recipient_id), number, contribution_id in zip(fresh, numbers, ids, strict=True)
    ]
    lines = [_line_row(contribution_id, p.line) for contribution_id, (p, _, _) in zip(ids, fresh, strict=True)]
    keys = [
        {"source_key": p.key, "contribution_id": i, "import_id": import_id, "row_number": p.row}
        for i, (p, _, _) in zip(ids, fresh, strict=True)
    ]
    events = list(_events(prev, ids, headers, lines, user_id))
    for model, rows in (
        (Contribution, headers),
        (ContributionLine, lines),
        (ImportedRow, keys),
        (JournalEvent, events),
    ):
        executemany(session, model.__table__, rows)  # type: ignore[attr-defined]
    # The maintained totals follow in the same transaction, one set of deltas for the whole chunk.
    apply_change(session, [], contribution_rows(session, ids))
    return len(ready) - len(fresh)


def executemany(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One driver-level executemany: values go through the columns' own bind processors (dates on SQLite),
    but not through SQLAlchemy's per-row statement machinery, which costs more than the insert itself."""
    if not rows:
        return
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
        [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row.values(), processors, strict=True)
            )
            for row in rows
        ],
    )


def _allocate_ids(session: Session, count: int) -> list[int]:
    """Ids for new contributions: from the sequence on PostgreSQL; on SQLite, past the largest, under the write lock."""
    if session.get_bind().dialect.name == "postgresql":
        statement = sa.text("SELECT nextval(pg_get_serial_sequence('contribution', 'id')) FROM generate_series(1, :n)")
        return list(session.execute(statement, {"n": count}).scalars())
    largest = session.execute(sa.select(sa.func.max(Contribution.id))).scalar() or 0
    return list(range(largest + 1, largest + 1 + count))


def _line_row(contribution_id: int, line: RecordedLine) -> dict[str, Any]:
    return {
        "contribution_id": contribution_id,
        "position": 1,
        "kind": line.kind,
        "item_id": line.item_id,
        "quantity_milli": line.quantity_milli,
        "unit_value_minor": line.unit_value.minor if line.unit_value else None,
        "valuation": line.valuation,
        "currency": line.value.currency if line.value else None,
        "minor_digits": minor_digits(line.value.currency) if line.value else None,
        "value_minor": line.value.minor if line.value else None,
    }


def _events(
    prev: str,
    ids: Iterable[int],
    headers: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    user_id: int | None,
) -> Iterable[dict[str, Any]]:
    """One `contribution.recorded` event per contribution, chained in order from the journal's last hash."""
    at = utcnow()
    for contribution_id, header, line in zip(ids, headers, lines, strict=True):
        # The same facts, in the same shape, as ledger.snapshot writes for one contribution.
        after = canonical_json(
            {
                **{
                    name: header[name]
                    for name in (
                        "number",
                        "donor_id",
                        "recipient_id",
                        "appeal_id",
                        "status",
                        "reference",
                        "notes",
                        "fulfils_id",
                    )
                },
                "value_date": header["value_date"],
                "lines": [
                    {
                        name: line[name]
                        for name in (
                            "kind",
                            "item_id",
                            "quantity_milli",
                            "unit_value_minor",
                            "valuation",
                            "currency",
                            "value_minor",
                        )
                    }
                ],
            }
        )
        digest = chain_hash(
            prev, at, user_id, "contribution.recorded", "contribution", str(contribution_id), None, after
        )
        yield {
            "at": at,
            "user_id": user_id,
            "action": "contribution.recorded",
            "object_type": "contribution",
            "object_id": str(contribution_id),
            "before": None,
            "after": after,
            "prev_hash": prev,
            "hash": digest,
        }
        prev = digest


def _reserve_numbers(session: Session, years: list[int]) -> list[str]:
    """Contribution numbers for the rows, in order: one sequence update per year, not per row."""
    table = NumberSequence.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    counts = Counter(years)
    next_of: dict[int, int] = {}
    for year, count in sorted(counts.items()):
        statement = (
            insert(table)
            .values(year=year, last=count)
            .on_conflict_do_update(index_elements=["year"], set_={"last": table.c.last + count})
            .returning(table.c.last)
        )
        next_of[year] = session.execute(statement).scalar_one() - count + 1
    numbers = []
    for year in years:
        numbers.append(f"C-{year}-{next_of[year]:06d}")
        next_of[year] += 1
    return numbers
