"""The tables: parties, catalogue, the contribution ledger, rates, users, the journal and the maintained totals."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.db.columns import (
    CLUSTERS,
    DONOR_KINDS,
    LINE_KINDS,
    LOCALES,
    RECIPIENT_KINDS,
    ROLES,
    STATUSES,
    VALUATIONS,
    MinorUnits,
    Timestamp,
    check_one_of,
    new_stamp,
)


class Donor(SQLModel, table=True):
    """Who gives: a person, organisation, company, government or foundation."""

    __tablename__ = "donor"
    __table_args__ = (sa.CheckConstraint(check_one_of("kind", DONOR_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=20)
    country: str | None = Field(default=None, max_length=2)
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str | None = Field(default=None, max_length=50)
    locale: str | None = Field(default=None, max_length=5)
    notes: str = Field(default="", max_length=4000)
    archived: bool = False
    created_at: datetime = Timestamp()


class Recipient(SQLModel, table=True):
    """Who receives: an organisation, a community or location, a programme."""

    __tablename__ = "recipient"
    __table_args__ = (sa.CheckConstraint(check_one_of("kind", RECIPIENT_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=20)
    country: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=200)
    notes: str = Field(default="", max_length=4000)
    archived: bool = False
    created_at: datetime = Timestamp()


class Appeal(SQLModel, table=True):
    """An emergency or campaign that contributions belong to, optionally with a target."""

    __tablename__ = "appeal"
    __table_args__ = (
        sa.CheckConstraint("target_minor IS NULL OR target_minor > 0", name="target_positive"),
        sa.CheckConstraint("(target_minor IS NULL) = (target_currency IS NULL)", name="target_whole"),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    target_minor: int | None = MinorUnits(default=None)
    target_currency: str | None = Field(default=None, max_length=3)
    glide: str | None = Field(default=None, max_length=40)
    archived: bool = False
    created_at: datetime = Timestamp()


class Item(SQLModel, table=True):
    """A kind of in-kind aid or service in the catalogue, counted in its unit."""

    __tablename__ = "item"
    __table_args__ = (
        sa.CheckConstraint(check_one_of("cluster", CLUSTERS), name="cluster"),
        sa.CheckConstraint("unit_value_minor IS NULL OR unit_value_minor > 0", name="unit_value_positive"),
        sa.CheckConstraint("(unit_value_minor IS NULL) = (unit_value_currency IS NULL)", name="unit_value_whole"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    unit: str = Field(max_length=30)
    cluster: str = Field(max_length=5)
    unit_value_minor: int | None = MinorUnits(default=None)
    unit_value_currency: str | None = Field(default=None, max_length=3)
    archived: bool = False
    created_at: datetime = Timestamp()


class User(SQLModel, table=True):
    """A member of staff who signs in: admin, clerk or viewer."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint(check_one_of("role", ROLES), name="role"),
        sa.CheckConstraint(check_one_of("locale", LOCALES), name="locale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=10)
    locale: str = Field(default="en", max_length=5)
    active: bool = True
    password_hash: str = Field(max_length=255)
    created_at: datetime = Timestamp()


class Contribution(SQLModel, table=True):
    """One ledger entry: who gave what to whom and when; never edited, only moved on or voided."""

    __tablename__ = "contribution"
    __table_args__ = (
        sa.CheckConstraint(check_one_of("status", STATUSES), name="status"),
        sa.CheckConstraint(
            "(voided_at IS NULL AND void_reason IS NULL) OR (voided_at IS NOT NULL AND void_reason <> '')",
            name="void_has_reason",
        ),
        sa.CheckConstraint("fulfils_id IS NULL OR fulfils_id <> id", name="fulfils_other"),
        sa.Index("ix_contribution_donor_date", "donor_id", "value_date"),
        # The list's "void" filter: the few voided entries, without a pass over the ledger.
        sa.Index(
            "ix_contribution_voided",
            "voided_at",
            sqlite_where=sa.text("voided_at IS NOT NULL"),
            postgresql_where=sa.text("voided_at IS NOT NULL"),
        ),
        # The overdue promises (the list's filter, the dashboard's count): the few with a due date.
        sa.Index(
            "ix_contribution_due_date",
            "due_date",
            sqlite_where=sa.text("due_date IS NOT NULL"),
            postgresql_where=sa.text("due_date IS NOT NULL"),
        ),
        # Most entries fulfil nothing: only those that do are indexed (`fulfils_id = ?` still finds them).
        sa.Index(
            "ix_contribution_fulfils_id",
            "fulfils_id",
            sqlite_where=sa.text("fulfils_id IS NOT NULL"),
            postgresql_where=sa.text("fulfils_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    donor_id: int = Field(foreign_key="donor.id")
    recipient_id: int = Field(foreign_key="recipient.id", index=True)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    value_date: date = Field(index=True)
    status: str = Field(max_length=10)
    reference: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=4000)
    fulfils_id: int | None = Field(default=None, foreign_key="contribution.id")
    recorded_at: datetime = Timestamp()
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    voided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    voided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    void_reason: str | None = Field(default=None, max_length=1000)
    # When the current status took effect (None: the value date); figures count the contribution then.
    status_date: date | None = None
    due_date: date | None = None  # a pledge's or commitment's, optional
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    close_reason: str | None = Field(default=None, max_length=1000)


class ContributionLine(SQLModel, table=True):
    """One line of a contribution: money, goods or a service, with its value fixed at entry."""

    __tablename__ = "contribution_line"
    __table_args__ = (
        sa.CheckConstraint(check_one_of("kind", LINE_KINDS), name="kind"),
        sa.CheckConstraint(check_one_of("valuation", VALUATIONS), name="valuation"),
        sa.CheckConstraint("value_minor IS NULL OR value_minor > 0", name="value_positive"),
        sa.CheckConstraint("quantity_milli IS NULL OR quantity_milli > 0", name="quantity_positive"),
        sa.CheckConstraint("(value_minor IS NULL) = (currency IS NULL)", name="value_whole"),
        sa.CheckConstraint(
            "(kind = 'money' AND item_id IS NULL AND quantity_milli IS NULL AND value_minor IS NOT NULL)"
            " OR (kind <> 'money' AND item_id IS NOT NULL AND quantity_milli IS NOT NULL)",
            name="kind_fields",
        ),
        sa.UniqueConstraint("contribution_id", "position", name="uq_contribution_line_position"),
        # The list's line filters: "has a line of this kind / currency" answered from the index alone,
        # and a currency's lines found first when that is the narrower way in.
        sa.Index("ix_contribution_line_filters", "contribution_id", "kind", "currency"),
        sa.Index("ix_contribution_line_currency", "currency", "contribution_id", "kind"),
        # Money lines have no item: only goods and service lines are indexed by theirs.
        sa.Index(
            "ix_contribution_line_item_id",
            "item_id",
            sqlite_where=sa.text("item_id IS NOT NULL"),
            postgresql_where=sa.text("item_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int = Field(foreign_key="contribution.id")
    position: int
    kind: str = Field(max_length=10)
    item_id: int | None = Field(default=None, foreign_key="item.id")
    quantity_milli: int | None = MinorUnits(default=None)
    unit_value_minor: int | None = MinorUnits(default=None)
    valuation: str = Field(max_length=20)
    currency: str | None = Field(default=None, max_length=3)
    minor_digits: int | None = None
    value_minor: int | None = MinorUnits(default=None)
    # A fulfilment's money line in another currency than the promise's: its value in that currency,
    # converted at the fulfilment's date's rate and rounded once, when it was recorded.
    fulfils_currency: str | None = Field(default=None, max_length=3)
    fulfils_minor: int | None = MinorUnits(default=None)


class NumberSequence(SQLModel, table=True):
    """The last contribution number handed out per year, so numbers never repeat."""

    __tablename__ = "number_sequence"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class ExchangeRate(SQLModel, table=True):
    """On a date, how many reporting-currency units one unit of a currency is worth; kept forever."""

    __tablename__ = "exchange_rate"
    __table_args__ = (sa.Index("ix_exchange_rate_currency_date", "currency", "rate_date"),)

    id: int | None = Field(default=None, primary_key=True)
    rate_date: date
    currency: str = Field(max_length=3)
    quote_currency: str = Field(max_length=3)
    rate: str = Field(max_length=40)  # an exact decimal string; rates are not money
    source: str = Field(max_length=40)
    recorded_at: datetime = Timestamp()
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class JournalEvent(SQLModel, table=True):
    """One change, attributable and append-only, chained by hash to the one before it."""

    __tablename__ = "journal_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=40, index=True)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    before: str | None = Field(default=None, sa_type=sa.Text)
    after: str | None = Field(default=None, sa_type=sa.Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)  # the chain itself (`journal.verify_chain`) shows a repeated or changed hash


class LedgerTotal(SQLModel, table=True):
    """A maintained sum of the ledger along one dimension; a cache that `tracker db rebuild-totals` recomputes."""

    __tablename__ = "ledger_total"
    __table_args__ = (
        sa.UniqueConstraint("dim", "dim_key", "bucket", "kind", "currency", name="uq_ledger_total_key"),
        # The dashboard ranks donors, recipients and clusters from the collapsed rows (kind "all"), from the
        # index alone: at a million contributions the table has millions of rows, mostly cold.
        sa.Index(
            "ix_ledger_total_ranking",
            "dim",
            "dim_key",
            "bucket",
            "converted_minor",
            "kind",
            sqlite_where=sa.text("kind = 'all'"),
            postgresql_where=sa.text("kind = 'all'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    dim: str = Field(max_length=20)
    dim_key: str = Field(max_length=40)
    bucket: str = Field(max_length=20)  # a figure of BUCKETS: "written_off" is 11 characters
    kind: str = Field(max_length=10)
    currency: str = Field(default="", max_length=3)  # "" for in-kind that is not valued
    value_minor: int = MinorUnits(default=0)
    quantity_milli: int = MinorUnits(default=0)
    converted: str = Field(default="0", max_length=80)  # exact decimal, in the totals' reporting currency
    converted_minor: int = MinorUnits(default=0)  # the same, rounded half up: for ordering in SQL only
    unconverted_minor: int = MinorUnits(default=0)  # the part of value_minor that had no rate


class TotalsState(SQLModel, table=True):
    """Which reporting currency and rate window the maintained totals were computed with."""

    __tablename__ = "totals_state"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    reporting_currency: str = Field(max_length=3)
    window_days: int
    rebuilt_at: datetime = Timestamp()
    # Renewed by every rate write: keys the writers' per-process cache of rates (tracker.totals.writes).
    rates_stamp: str = Field(default_factory=lambda: new_stamp(), max_length=32)


class AppSettings(SQLModel, table=True):
    """The organisation's own settings, edited by an admin; an empty field falls back to TRACKER_ settings."""

    __tablename__ = "app_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("rate_window_days IS NULL OR rate_window_days BETWEEN 0 AND 366", name="rate_window"),
    )

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    organisation_name: str | None = Field(default=None, max_length=200)
    organisation_address: str | None = Field(default=None, max_length=1000)
    logo: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    logo_type: str | None = Field(default=None, max_length=40)
    reporting_currency: str | None = Field(default=None, max_length=3)
    default_locale: str | None = Field(default=None, max_length=5)
    rate_window_days: int | None = None
    updated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # SHA-256 of the first-run setup code while no user exists (accounts.setup); None otherwise.
    setup_code_hash: str | None = Field(default=None, max_length=64)
    iati_org_ref: str | None = Field(default=None, max_length=100)  # over TRACKER_IATI_ORG_REF
    iati_org_type: str | None = Field(default=None, max_length=3)  # over TRACKER_IATI_ORG_TYPE


class SignInFailure(SQLModel, table=True):
    """One failed sign-in, kept for a while so repeated failures are slowed down and then refused."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        sa.Index("ix_sign_in_failure_email_at", "email", "at"),
        sa.Index("ix_sign_in_failure_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Timestamp()
    email: str = Field(max_length=254)
    address: str = Field(max_length=64)


class SubmissionToken(SQLModel, table=True):
    """A form's one-time token: the first submission records, a repeat finds what it recorded."""

    __tablename__ = "submission_token"

    token: str = Field(max_length=64, primary_key=True)
    used_at: datetime = Timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id")


class Acknowledgement(SQLModel, table=True):
    """A numbered thank-you letter to a donor; its content is the ledger as it stood at `as_of`, so it never changes."""

    __tablename__ = "acknowledgement"
    __table_args__ = (
        sa.CheckConstraint(check_one_of("language", LOCALES), name="language"),
        sa.CheckConstraint("date_to IS NULL OR date_from IS NULL OR date_to >= date_from", name="period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    donor_id: int = Field(foreign_key="donor.id", index=True)
    date_from: date | None = None
    date_to: date | None = None
    language: str = Field(max_length=5)
    show_values: bool = False
    created_at: datetime = Timestamp()
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    as_of: datetime = Field(sa_type=sa.DateTime(timezone=True))
    digest: str = Field(max_length=64)  # SHA-256 of the letter's content, so a regeneration can be checked


class AcknowledgementPrint(SQLModel, table=True):
    """What a letter printed when it was issued, frozen: its content (JSON) and the letter it replaces, if any."""

    __tablename__ = "acknowledgement_print"

    acknowledgement_id: int = Field(foreign_key="acknowledgement.id", primary_key=True)
    content: str = Field(sa_type=sa.Text)  # canonical JSON; the letter's digest is the SHA-256 of exactly this text
    # A replacement letter cancels the one it replaces; a letter is replaced at most once.
    replaces_id: int | None = Field(default=None, foreign_key="acknowledgement.id", unique=True)


class ItemName(SQLModel, table=True):
    """An item's name in one language (az, tr, ru), printed in letters and reports of that language."""

    __tablename__ = "item_name"
    __table_args__ = (sa.CheckConstraint(check_one_of("language", LOCALES), name="language"),)

    item_id: int = Field(foreign_key="item.id", primary_key=True)
    language: str = Field(max_length=5, primary_key=True)
    name: str = Field(max_length=200)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API: it acts as its user; only its SHA-256 is kept."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Timestamp()
    last_used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class IdempotencyKey(SQLModel, table=True):
    """The first answer to a POST carrying an Idempotency-Key, so a retry gets it again instead of a duplicate."""

    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    body_sha256: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Timestamp()


class ImportedRow(SQLModel, table=True):
    """Which contribution a row of an imported file became, so importing the file again adds nothing."""

    __tablename__ = "imported_row"

    source_key: str = Field(primary_key=True, max_length=80)
    contribution_id: int = Field(foreign_key="contribution.id", unique=True)
    import_id: str = Field(max_length=32, index=True)
    row_number: int


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries a random token, only its SHA-256 is kept; deleting the row ends it."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Timestamp()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
