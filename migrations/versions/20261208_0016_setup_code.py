"""The first-run setup code, and the organisation's IATI identity on the settings page.

- Only whoever started the server may claim the first admin:

  `tracker serve` on a database with no user (or `tracker setup-code`) makes a new random
  code and stores its SHA-256 here; `/setup` asks for the code. The hash is cleared when
  the first admin is created.
- `iati_org_ref` and `iati_org_type`: what an admin saves on /settings, over the environment's
  TRACKER_IATI_ORG_REF and TRACKER_IATI_ORG_TYPE, like the other organisation settings.

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-08 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_settings") as batch:
        batch.add_column(sa.Column("setup_code_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("iati_org_ref", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("iati_org_type", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_settings") as batch:
        batch.drop_column("iati_org_type")
        batch.drop_column("iati_org_ref")
        batch.drop_column("setup_code_hash")
