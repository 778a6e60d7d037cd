"""The organisation's settings as the app uses them: what an admin saved, over the TRACKER_ defaults."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.config import get_settings
from tracker.db.columns import table_of
from tracker.db.models import AppSettings


@dataclass(frozen=True)
class EffectiveSettings:
    """What reports, letters and conversions read: one place, database over environment."""

    organisation_name: str
    organisation_address: str
    has_logo: bool
    reporting_currency: str
    default_locale: str
    rate_window_days: int
    iati_org_ref: str  # "" until an admin or TRACKER_IATI_ORG_REF sets it
    iati_org_type: str


def stored(session: Session) -> AppSettings:
    """The one settings row (not yet saved when nobody has edited the settings)."""
    return session.get(AppSettings, 1) or AppSettings(id=1)


def effective_settings(session: Session) -> EffectiveSettings:
    """The settings in force: each field an admin saved, else the TRACKER_ environment default.

    Reads the fields it needs and whether there is a logo, never the logo itself (up to 512 KB,
    and this runs on every report and page that converts or names the organisation).
    """
    table = table_of(AppSettings)
    row = session.execute(
        sa.select(
            table.c.organisation_name,
            table.c.organisation_address,
            table.c.logo.is_not(None).label("has_logo"),
            table.c.reporting_currency,
            table.c.default_locale,
            table.c.rate_window_days,
            table.c.iati_org_ref,
            table.c.iati_org_type,
        ).where(table.c.id == 1)
    ).first()
    env = get_settings()
    if row is None:
        return EffectiveSettings(
            "",
            "",
            False,
            env.reporting_currency,
            env.default_locale,
            env.rate_window_days,
            env.iati_org_ref.strip(),
            env.iati_org_type.strip(),
        )
    return EffectiveSettings(
        organisation_name=row.organisation_name or "",
        organisation_address=row.organisation_address or "",
        has_logo=bool(row.has_logo),
        reporting_currency=row.reporting_currency or env.reporting_currency,
        default_locale=row.default_locale or env.default_locale,
        rate_window_days=row.rate_window_days if row.rate_window_days is not None else env.rate_window_days,
        iati_org_ref=row.iati_org_ref or env.iati_org_ref.strip(),
        iati_org_type=row.iati_org_type or env.iati_org_type.strip(),
    )


def default_locale(session: Session) -> str:
    """The default language in force, as `effective_settings` has it, reading that one column (not the logo)."""
    table = table_of(AppSettings)
    saved = session.execute(sa.select(table.c.default_locale).where(table.c.id == 1)).scalar()
    return saved or get_settings().default_locale
