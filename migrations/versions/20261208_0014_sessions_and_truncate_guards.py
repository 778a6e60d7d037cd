"""Server-side sign-in sessions, and PostgreSQL's TRUNCATE refused on the ledger's kept tables.

- `user_session`: one row per signed-in browser (the cookie holds a random token, the row its
  SHA-256). Signing out deletes the row; deactivating a user or changing their password deletes
  all of theirs; so a saved copy of a cookie opens nothing afterwards.
- PostgreSQL runs no row trigger for `TRUNCATE`, so the append-only guards of revision 0001 let
  it empty the ledger. Statement triggers `BEFORE TRUNCATE` refuse it on every table whose rows
  are kept. (SQLite has no TRUNCATE; its `DELETE` is refused by 0001's triggers.)

Revision ID: 0014
Revises: 0016
Create Date: 2026-12-08 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Revision 0001's append-only and never-deleted tables, the contribution itself, 0006's letters and
# 0011's letter prints.
KEPT = (
    "contribution", "contribution_line", "journal_event", "exchange_rate",
    "donor", "recipient", "appeal", "item", "user_account", "acknowledgement", "acknowledgement_print",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_user_session_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for table in KEPT:
            # tracker_refuse_change() is revision 0001's: it raises, naming the table and the operation.
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tracker_refuse_change()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in KEPT:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")
