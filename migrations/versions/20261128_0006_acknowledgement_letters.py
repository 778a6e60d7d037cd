"""Acknowledgement letters: numbered thank-you letters to donors, never changed once written.

A letter keeps its cutoff (`as_of`), so regenerating it reads the ledger as it stood
then. Like the ledger, the table is append-only: triggers refuse UPDATE and DELETE.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 22:18:22.566734
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("show_values", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.CheckConstraint("language IN ('en', 'az', 'tr', 'ru')", name=op.f("ck_acknowledgement_language")),
        sa.CheckConstraint(
            "date_to IS NULL OR date_from IS NULL OR date_to >= date_from", name=op.f("ck_acknowledgement_period")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_acknowledgement_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["donor_id"], ["donor.id"], name=op.f("fk_acknowledgement_donor_id_donor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgement")),
        sa.UniqueConstraint("number", name=op.f("uq_acknowledgement_number")),
    )
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acknowledgement_donor_id"), ["donor_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # tracker_refuse_change() comes from revision 0001.
        op.execute(
            "CREATE TRIGGER acknowledgement_append_only BEFORE UPDATE OR DELETE ON acknowledgement "
            "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER acknowledgement_no_{event.lower()} BEFORE {event} ON acknowledgement "
                f"BEGIN SELECT RAISE(ABORT, 'acknowledgement is append-only: {event} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS acknowledgement_append_only ON acknowledgement")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS acknowledgement_no_{event}")
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acknowledgement_donor_id"))
    op.drop_table("acknowledgement")
