"""Maintained ledger totals: sums per dimension kept in step with every ledger write.

The table is a cache of the ledger, filled by `tracker db rebuild-totals` (and at
start-up when it is empty or was computed for another reporting currency).

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-28 22:03:59.757209
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dim", sa.String(length=20), nullable=False),
        sa.Column("dim_key", sa.String(length=40), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("value_minor", sa.BigInteger(), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("converted", sa.String(length=80), nullable=False),
        sa.Column("converted_minor", sa.BigInteger(), nullable=False),
        sa.Column("unconverted_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_total")),
        sa.UniqueConstraint("dim", "dim_key", "bucket", "kind", "currency", name="uq_ledger_total_key"),
    )
    op.create_table(
        "totals_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reporting_currency", sa.String(length=3), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totals_state")),
    )


def downgrade() -> None:
    op.drop_table("totals_state")
    op.drop_table("ledger_total")
