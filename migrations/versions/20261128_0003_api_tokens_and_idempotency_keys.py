"""API tokens (kept only as SHA-256 hashes), idempotency keys of API requests, and imported rows' keys.

Revision ID: 0003
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_idempotency_key_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),
    )

    op.create_table(
        "imported_row",
        sa.Column("source_key", sa.String(length=80), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.String(length=32), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"], ["contribution.id"], name=op.f("fk_imported_row_contribution_id_contribution")
        ),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_imported_row")),
        sa.UniqueConstraint("contribution_id", name=op.f("uq_imported_row_contribution_id")),
    )
    with op.batch_alter_table("imported_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_row_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_row_import_id"))

    op.drop_table("imported_row")
    op.drop_table("idempotency_key")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
