"""The totals' rates stamp (keys the writers' rate cache); indexes for the filtered list and the rankings.

Every rate write renews `totals_state.rates_stamp` in its own transaction, so a writer
that finds the stamp it cached rates under may use them without reading the rates again.

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-29 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


VOIDED = sa.text("voided_at IS NOT NULL")
COLLAPSED = sa.text("kind = 'all'")


def upgrade() -> None:
    with op.batch_alter_table("totals_state") as batch:
        batch.add_column(sa.Column("rates_stamp", sa.String(length=32), nullable=False, server_default=""))
    # (contribution_id, kind, currency) serves every lookup the old contribution_id index did, and more.
    op.create_index("ix_contribution_line_filters", "contribution_line", ["contribution_id", "kind", "currency"])
    op.drop_index("ix_contribution_line_contribution_id", table_name="contribution_line")
    op.create_index("ix_contribution_line_currency", "contribution_line", ["currency", "contribution_id", "kind"])
    op.create_index(
        "ix_contribution_voided", "contribution", ["voided_at"], sqlite_where=VOIDED, postgresql_where=VOIDED
    )
    op.create_index(
        "ix_ledger_total_ranking",
        "ledger_total",
        ["dim", "dim_key", "bucket", "converted_minor", "kind"],
        sqlite_where=COLLAPSED,
        postgresql_where=COLLAPSED,
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_total_ranking", table_name="ledger_total")
    op.drop_index("ix_contribution_voided", table_name="contribution")
    op.drop_index("ix_contribution_line_currency", table_name="contribution_line")
    op.create_index("ix_contribution_line_contribution_id", "contribution_line", ["contribution_id"])
    op.drop_index("ix_contribution_line_filters", table_name="contribution_line")
    with op.batch_alter_table("totals_state") as batch:
        batch.drop_column("rates_stamp")
