"""A promise's life, dated and closed: when a status took effect, due dates, closing, cross-currency fulfilments.

- `contribution.status_date`: the day the current status took effect (NULL: the value date,
  as for every contribution recorded before this revision and every one not yet moved on).
  Figures count a contribution on `COALESCE(status_date, value_date)`.
- `contribution.due_date`: when a pledge or commitment is due (optional); past it and still
  open, the promise is overdue. Indexed where set, so the overdue few are found without a scan.
- `contribution.closed_at`, `closed_by_id`, `close_reason`: a closed promise's outstanding
  remainder is written off, for good.
- `ledger_total.bucket` widens to 20 characters for the fourth figure, `written_off`.
- `contribution_line.fulfils_currency`, `fulfils_minor`: a fulfilment's money line in another
  currency than the promise's, converted at its own date's rate into the promise's currency,
  fixed when recorded.

Columns are added in place (no table rebuild on upgrade). A downgrade on SQLite rebuilds both
tables, which drops their append-only triggers: they are put back as revision 0001 wrote them.

Revision ID: 0009
Revises: 0014
Create Date: 2026-12-08 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRIBUTION_COLUMNS = ("status_date", "due_date", "closed_at", "closed_by_id", "close_reason")
LINE_COLUMNS = ("fulfils_currency", "fulfils_minor")
DUE = sa.text("due_date IS NOT NULL")
FROZEN = (
    "id", "number", "donor_id", "recipient_id", "appeal_id", "value_date", "reference",
    "notes", "fulfils_id", "recorded_at", "recorded_by_id",
)  # fmt: skip
RANK = "(CASE {0}.status WHEN 'pledged' THEN 1 WHEN 'committed' THEN 2 WHEN 'paid' THEN 3 END)"


def upgrade() -> None:
    op.add_column("contribution", sa.Column("status_date", sa.Date(), nullable=True))
    op.add_column("contribution", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("contribution", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column's foreign key only inline
        op.execute(
            "ALTER TABLE contribution ADD COLUMN closed_by_id INTEGER "
            "CONSTRAINT fk_contribution_closed_by_id_user_account REFERENCES user_account (id)"
        )
    else:
        op.add_column("contribution", sa.Column("closed_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_contribution_closed_by_id_user_account", "contribution", "user_account", ["closed_by_id"], ["id"]
        )
    op.add_column("contribution", sa.Column("close_reason", sa.String(length=1000), nullable=True))
    op.add_column("contribution_line", sa.Column("fulfils_currency", sa.String(length=3), nullable=True))
    op.add_column("contribution_line", sa.Column("fulfils_minor", sa.BigInteger(), nullable=True))
    op.create_index("ix_contribution_due_date", "contribution", ["due_date"], sqlite_where=DUE, postgresql_where=DUE)
    with op.batch_alter_table("ledger_total") as batch:  # "written_off" is a bucket of 11 characters
        batch.alter_column("bucket", type_=sa.String(length=20), existing_type=sa.String(length=10))


def downgrade() -> None:
    op.execute("DELETE FROM ledger_total WHERE bucket = 'written_off'")  # a cache: rebuild-totals recomputes it
    with op.batch_alter_table("ledger_total") as batch:
        batch.alter_column("bucket", type_=sa.String(length=10), existing_type=sa.String(length=20))
    op.drop_index("ix_contribution_due_date", table_name="contribution")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.drop_constraint("fk_contribution_closed_by_id_user_account", "contribution", type_="foreignkey")
    with op.batch_alter_table("contribution") as batch:
        for name in CONTRIBUTION_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("contribution_line") as batch:
        for name in LINE_COLUMNS:
            batch.drop_column(name)
    if sqlite:
        _sqlite_guards()


def _sqlite_guards() -> None:
    """The contribution's and its lines' triggers on SQLite, as revision 0001 wrote them."""
    names = ["contribution_line_no_update", "contribution_line_no_delete", "contribution_no_delete"]
    names += ["contribution_frozen", "contribution_void_final", "contribution_status_forward"]
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER contribution_line_no_{event.lower()} BEFORE {event} ON contribution_line "
            f"BEGIN SELECT RAISE(ABORT, 'contribution_line is append-only: {event} refused'); END"
        )
    op.execute(
        "CREATE TRIGGER contribution_no_delete BEFORE DELETE ON contribution "
        "BEGIN SELECT RAISE(ABORT, 'contribution rows are never deleted: DELETE refused'); END"
    )
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
    op.execute(
        "CREATE TRIGGER contribution_frozen BEFORE UPDATE ON contribution "
        f"WHEN {changed} "
        "BEGIN SELECT RAISE(ABORT, 'contribution: recorded fields are append-only: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER contribution_void_final BEFORE UPDATE ON contribution "
        "WHEN OLD.voided_at IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'contribution: a voided contribution never changes again'); END"
    )
    op.execute(
        "CREATE TRIGGER contribution_status_forward BEFORE UPDATE ON contribution "
        f"WHEN {RANK.format('NEW')} < {RANK.format('OLD')} "
        "BEGIN SELECT RAISE(ABORT, 'contribution: status only moves forward'); END"
    )
