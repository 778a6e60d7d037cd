"""Lighter indexes on the ledger's hottest tables: every contribution recorded paid for them.

- `journal_event.hash` loses its unique index. Nothing looks an event up by its hash, and
  uniqueness proves nothing the chain does not: `tracker verify` recomputes every hash
  from the event and the one before it. The index was a random-order B-tree insert on
  every write (a tenth of a bulk import's database time).
- `contribution.fulfils_id` and `contribution_line.item_id` are indexed only where set:
  most entries fulfil nothing and money lines have no item, while every lookup by them
  (`= ?`, `IN (...)`, a join) names a value and so can use the partial index.

On SQLite the unique constraint goes with a rebuild of the table, which drops its
triggers: the append-only guards are put back the same way revision 0001 made them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FULFILS = sa.text("fulfils_id IS NOT NULL")
ITEM = sa.text("item_id IS NOT NULL")


def upgrade() -> None:
    _set_indexes(partial=True)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("journal_event", recreate="always") as batch:
            batch.drop_constraint("uq_journal_event_hash", type_="unique")
        _journal_guards()
    else:
        op.drop_constraint("uq_journal_event_hash", "journal_event", type_="unique")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("journal_event", recreate="always") as batch:
            batch.create_unique_constraint("uq_journal_event_hash", ["hash"])
        _journal_guards()
    else:
        op.create_unique_constraint("uq_journal_event_hash", "journal_event", ["hash"])
    _set_indexes(partial=False)


def _set_indexes(*, partial: bool) -> None:
    op.drop_index("ix_contribution_fulfils_id", table_name="contribution")
    op.drop_index("ix_contribution_line_item_id", table_name="contribution_line")
    where = {"sqlite_where": FULFILS, "postgresql_where": FULFILS} if partial else {}
    op.create_index("ix_contribution_fulfils_id", "contribution", ["fulfils_id"], **where)
    where = {"sqlite_where": ITEM, "postgresql_where": ITEM} if partial else {}
    op.create_index("ix_contribution_line_item_id", "contribution_line", ["item_id"], **where)


def _journal_guards() -> None:
    """The journal's append-only triggers on SQLite, as revision 0001 wrote them."""
    for event in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS journal_event_no_{event.lower()}")
        op.execute(
            f"CREATE TRIGGER journal_event_no_{event.lower()} BEFORE {event} ON journal_event "
            f"BEGIN SELECT RAISE(ABORT, 'journal_event is append-only: {event} refused'); END"
        )
