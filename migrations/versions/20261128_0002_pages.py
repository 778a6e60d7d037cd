"""What the staff pages need: the organisation's settings, failed sign-ins, one-time form tokens.

None of these tables is part of the ledger: settings are edited in place (and journaled),
failed sign-ins are pruned as they age, and submission tokens only guard against double submits.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_failure_address_at", ["address", "at"], unique=False)
        batch_op.create_index("ix_sign_in_failure_email_at", ["email", "at"], unique=False)

    op.create_table(
        "app_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=True),
        sa.Column("organisation_address", sa.String(length=1000), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=True),
        sa.Column("reporting_currency", sa.String(length=3), nullable=True),
        sa.Column("default_locale", sa.String(length=5), nullable=True),
        sa.Column("rate_window_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_app_settings_single_row")),
        sa.CheckConstraint(
            "rate_window_days IS NULL OR rate_window_days BETWEEN 0 AND 366", name=op.f("ck_app_settings_rate_window")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_app_settings_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_settings")),
    )
    op.create_table(
        "submission_token",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"], ["contribution.id"], name=op.f("fk_submission_token_contribution_id_contribution")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_submission_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_submission_token")),
    )
    with op.batch_alter_table("submission_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_token_used_at"), ["used_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_token_used_at"))

    op.drop_table("submission_token")
    op.drop_table("app_settings")
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failure_email_at")
        batch_op.drop_index("ix_sign_in_failure_address_at")

    op.drop_table("sign_in_failure")
