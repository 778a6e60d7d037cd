"""The initial ledger: parties, catalogue, contributions and lines, rates, users, journal.

Also installs the triggers that make recorded history append-only on SQLite and
PostgreSQL, so that not even raw SQL can rewrite or delete it.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("target_minor", sa.BigInteger(), nullable=True),
        sa.Column("target_currency", sa.String(length=3), nullable=True),
        sa.Column("glide", sa.String(length=40), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(target_minor IS NULL) = (target_currency IS NULL)", name=op.f("ck_appeal_target_whole")),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name=op.f("ck_appeal_dates")
        ),
        sa.CheckConstraint("target_minor IS NULL OR target_minor > 0", name=op.f("ck_appeal_target_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
        sa.UniqueConstraint("code", name=op.f("uq_appeal_code")),
    )
    op.create_table(
        "donor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=True),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('individual', 'organisation', 'company', 'government', 'foundation')", name=op.f("ck_donor_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donor")),
    )
    with op.batch_alter_table("donor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_donor_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_donor_name"), ["name"], unique=False)

    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("cluster", sa.String(length=5), nullable=False),
        sa.Column("unit_value_minor", sa.BigInteger(), nullable=True),
        sa.Column("unit_value_currency", sa.String(length=3), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cluster IN ('SHL', 'FSC', 'HEA', 'WSH', 'LOG', 'PRO', 'EDU', 'NUT', 'CCM', 'ERY', 'TEL', 'OTHER')",
            name=op.f("ck_item_cluster"),
        ),
        sa.CheckConstraint(
            "(unit_value_minor IS NULL) = (unit_value_currency IS NULL)", name=op.f("ck_item_unit_value_whole")
        ),
        sa.CheckConstraint(
            "unit_value_minor IS NULL OR unit_value_minor > 0", name=op.f("ck_item_unit_value_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("name", name=op.f("uq_item_name")),
    )
    op.create_table(
        "number_sequence",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_number_sequence")),
    )
    op.create_table(
        "recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('organisation', 'community', 'location', 'programme')", name=op.f("ck_recipient_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient")),
    )
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recipient_name"), ["name"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("locale IN ('en', 'az', 'tr', 'ru')", name=op.f("ck_user_account_locale")),
        sa.CheckConstraint("role IN ('admin', 'clerk', 'viewer')", name=op.f("ck_user_account_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("fulfils_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=1000), nullable=True),
        sa.CheckConstraint(
            "(voided_at IS NULL AND void_reason IS NULL) OR (voided_at IS NOT NULL AND void_reason <> '')",
            name=op.f("ck_contribution_void_has_reason"),
        ),
        sa.CheckConstraint("status IN ('pledged', 'committed', 'paid')", name=op.f("ck_contribution_status")),
        sa.CheckConstraint("fulfils_id IS NULL OR fulfils_id <> id", name=op.f("ck_contribution_fulfils_other")),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], name=op.f("fk_contribution_appeal_id_appeal")),
        sa.ForeignKeyConstraint(["donor_id"], ["donor.id"], name=op.f("fk_contribution_donor_id_donor")),
        sa.ForeignKeyConstraint(
            ["fulfils_id"], ["contribution.id"], name=op.f("fk_contribution_fulfils_id_contribution")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["recipient.id"], name=op.f("fk_contribution_recipient_id_recipient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_contribution_recorded_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"], ["user_account.id"], name=op.f("fk_contribution_voided_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
        sa.UniqueConstraint("number", name=op.f("uq_contribution_number")),
    )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_appeal_id"), ["appeal_id"], unique=False)
        batch_op.create_index("ix_contribution_donor_date", ["donor_id", "value_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_fulfils_id"), ["fulfils_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_recipient_id"), ["recipient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_value_date"), ["value_date"], unique=False)

    op.create_table(
        "exchange_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quote_currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_exchange_rate_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rate")),
    )
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_rate_currency_date", ["currency", "rate_date"], unique=False)

    op.create_table(
        "journal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_journal_event_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_journal_event_hash")),
    )
    with op.batch_alter_table("journal_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_journal_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_journal_event_user_id"), ["user_id"], unique=False)

    op.create_table(
        "contribution_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=True),
        sa.Column("unit_value_minor", sa.BigInteger(), nullable=True),
        sa.Column("valuation", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("minor_digits", sa.Integer(), nullable=True),
        sa.Column("value_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'money' AND item_id IS NULL AND quantity_milli IS NULL AND value_minor IS NOT NULL) OR (kind <> 'money' AND item_id IS NOT NULL AND quantity_milli IS NOT NULL)",
            name=op.f("ck_contribution_line_kind_fields"),
        ),
        sa.CheckConstraint("kind IN ('money', 'goods', 'service')", name=op.f("ck_contribution_line_kind")),
        sa.CheckConstraint(
            "valuation IN ('donor_declared', 'invoice', 'market_price', 'standard_cost', 'not_valued')",
            name=op.f("ck_contribution_line_valuation"),
        ),
        sa.CheckConstraint("(value_minor IS NULL) = (currency IS NULL)", name=op.f("ck_contribution_line_value_whole")),
        sa.CheckConstraint(
            "quantity_milli IS NULL OR quantity_milli > 0", name=op.f("ck_contribution_line_quantity_positive")
        ),
        sa.CheckConstraint("value_minor IS NULL OR value_minor > 0", name=op.f("ck_contribution_line_value_positive")),
        sa.ForeignKeyConstraint(
            ["contribution_id"], ["contribution.id"], name=op.f("fk_contribution_line_contribution_id_contribution")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_contribution_line_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_line")),
        sa.UniqueConstraint("contribution_id", "position", name="uq_contribution_line_position"),
    )
    with op.batch_alter_table("contribution_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_line_contribution_id"), ["contribution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_line_item_id"), ["item_id"], unique=False)

    install_guards()


def downgrade() -> None:
    remove_guards()
    with op.batch_alter_table("contribution_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_line_item_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_line_contribution_id"))

    op.drop_table("contribution_line")
    with op.batch_alter_table("journal_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_event_user_id"))
        batch_op.drop_index(batch_op.f("ix_journal_event_at"))
        batch_op.drop_index(batch_op.f("ix_journal_event_action"))

    op.drop_table("journal_event")
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_rate_currency_date")

    op.drop_table("exchange_rate")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_value_date"))
        batch_op.drop_index(batch_op.f("ix_contribution_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_fulfils_id"))
        batch_op.drop_index("ix_contribution_donor_date")
        batch_op.drop_index(batch_op.f("ix_contribution_appeal_id"))

    op.drop_table("contribution")
    op.drop_table("user_account")
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipient_name"))

    op.drop_table("recipient")
    op.drop_table("number_sequence")
    op.drop_table("item")
    with op.batch_alter_table("donor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_donor_name"))
        batch_op.drop_index(batch_op.f("ix_donor_email"))

    op.drop_table("donor")
    op.drop_table("appeal")


# Tables whose rows are never updated or deleted once written.
APPEND_ONLY = ("contribution_line", "journal_event", "exchange_rate")
# Tables whose rows may be edited or archived, but never deleted while history refers to them.
NEVER_DELETED = ("donor", "recipient", "appeal", "item", "user_account")
# The contribution's recorded fields; only status (forward) and the void fields may change.
FROZEN = (
    "id", "number", "donor_id", "recipient_id", "appeal_id", "value_date", "reference",
    "notes", "fulfils_id", "recorded_at", "recorded_by_id",
)  # fmt: skip
RANK = "(CASE {0}.status WHEN 'pledged' THEN 1 WHEN 'committed' THEN 2 WHEN 'paid' THEN 3 END)"


def install_guards() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_guards()
    else:
        _postgresql_guards()


def _sqlite_guards() -> None:
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END"
            )
    for table in (*NEVER_DELETED, "contribution"):
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted: DELETE refused'); END"
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


def _postgresql_guards() -> None:
    op.execute(
        """
        CREATE FUNCTION tracker_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP;
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change()"
        )
    for table in (*NEVER_DELETED, "contribution"):
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change()"
        )
    old = ", ".join(f"OLD.{c}" for c in FROZEN)
    new = ", ".join(f"NEW.{c}" for c in FROZEN)
    op.execute(
        f"""
        CREATE FUNCTION tracker_contribution_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN
                RAISE EXCEPTION 'contribution: recorded fields are append-only: UPDATE refused';
            END IF;
            IF OLD.voided_at IS NOT NULL THEN
                RAISE EXCEPTION 'contribution: a voided contribution never changes again';
            END IF;
            IF {RANK.format("NEW")} < {RANK.format("OLD")} THEN
                RAISE EXCEPTION 'contribution: status only moves forward';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER contribution_guard BEFORE UPDATE ON contribution "
        "FOR EACH ROW EXECUTE FUNCTION tracker_contribution_guard()"
    )


def remove_guards() -> None:
    if op.get_bind().dialect.name == "sqlite":
        names = [f"{t}_no_{e}" for t in APPEND_ONLY for e in ("update", "delete")]
        names += [f"{t}_no_delete" for t in (*NEVER_DELETED, "contribution")]
        names += ["contribution_frozen", "contribution_void_final", "contribution_status_forward"]
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    for table in (*NEVER_DELETED, "contribution"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
    op.execute("DROP TRIGGER IF EXISTS contribution_guard ON contribution")
    op.execute("DROP FUNCTION IF EXISTS tracker_contribution_guard()")
    op.execute("DROP FUNCTION IF EXISTS tracker_refuse_change()")
