"""Letters that never change, and items' names per language.

- `acknowledgement_print` keeps what a letter printed when it was issued (its content as
  canonical JSON, whose SHA-256 is the letter's digest) and the letter a replacement
  cancels. Like the letters themselves it is append-only: triggers refuse UPDATE and DELETE.
- `item_name` holds an item's name in az, tr or ru, printed in letters and reports of
  that language; the catalogue's own name stays the fallback.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-08 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "acknowledgement_print",
        sa.Column("acknowledgement_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledgement_id"],
            ["acknowledgement.id"],
            name=op.f("fk_acknowledgement_print_acknowledgement_id_acknowledgement"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["acknowledgement.id"], name=op.f("fk_acknowledgement_print_replaces_id_acknowledgement")
        ),
        sa.PrimaryKeyConstraint("acknowledgement_id", name=op.f("pk_acknowledgement_print")),
        sa.UniqueConstraint("replaces_id", name=op.f("uq_acknowledgement_print_replaces_id")),
    )
    op.create_table(
        "item_name",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.CheckConstraint("language IN ('en', 'az', 'tr', 'ru')", name=op.f("ck_item_name_language")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_item_name_item_id_item")),
        sa.PrimaryKeyConstraint("item_id", "language", name=op.f("pk_item_name")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # tracker_refuse_change() comes from revision 0001.
        op.execute(
            "CREATE TRIGGER acknowledgement_print_append_only BEFORE UPDATE OR DELETE ON acknowledgement_print "
            "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER acknowledgement_print_no_{event.lower()} BEFORE {event} ON acknowledgement_print "
                f"BEGIN SELECT RAISE(ABORT, 'acknowledgement_print is append-only: {event} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS acknowledgement_print_append_only ON acknowledgement_print")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS acknowledgement_print_no_{event}")
    op.drop_table("item_name")
    op.drop_table("acknowledgement_print")
