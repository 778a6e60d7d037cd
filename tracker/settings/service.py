"""Changing the organisation's settings and logo, journaled; totals follow a new reporting currency or window."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.core.fields import iati_org_ref, iati_org_type, one_of, optional_text
from tracker.core.money import check_currency
from tracker.db.columns import LOCALES, utcnow
from tracker.db.journal import record_event
from tracker.db.models import AppSettings, User
from tracker.settings.current import stored
from tracker.totals.aggregates import ensure_totals

MAX_LOGO_BYTES = 512 * 1024


# Raster formats only: an SVG logo could carry script, and it is served from our own origin.
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


@dataclass(frozen=True)
class SettingsInput:
    """The settings form as entered; blank means "use the default from the environment"."""

    organisation_name: str = ""
    organisation_address: str = ""
    reporting_currency: str = ""
    default_locale: str = ""
    rate_window_days: str = ""
    iati_org_ref: str = ""
    iati_org_type: str = ""


def update_settings(session: Session, data: SettingsInput, user: User | None) -> AppSettings:
    """Save the settings form; the journal keeps what changed, before and after."""
    row = stored(session)
    window = (data.rate_window_days or "").strip()
    if window and not (window.isdecimal() and 0 <= int(window) <= 366):
        raise Invalid("rate_window_days", "a whole number of days from 0 to 366, got {value}", value=window)
    currency = (data.reporting_currency or "").strip()
    changes: dict[str, object] = {
        "organisation_name": optional_text(data.organisation_name, "organisation_name", 200),
        "organisation_address": optional_text(data.organisation_address, "organisation_address", 1000),
        "reporting_currency": check_currency(currency, "reporting_currency") if currency else None,
        "default_locale": one_of(data.default_locale, LOCALES, "default_locale") if data.default_locale else None,
        "rate_window_days": int(window) if window else None,
        "iati_org_ref": iati_org_ref(data.iati_org_ref, "iati_org_ref") if data.iati_org_ref.strip() else None,
        "iati_org_type": iati_org_type(data.iati_org_type, "iati_org_type") if data.iati_org_type.strip() else None,
    }
    return _save(session, row, changes, user)


def set_logo(session: Session, content: bytes | None, user: User | None) -> AppSettings:
    """Replace the logo (PNG, JPEG or GIF, at most 512 KB), or remove it with None."""
    row = stored(session)
    if content is None:
        return _save(session, row, {"logo": None, "logo_type": None}, user)
    if len(content) > MAX_LOGO_BYTES:
        raise Invalid(
            "logo", "at most {limit} KB, got {size} KB", limit=MAX_LOGO_BYTES // 1024, size=len(content) // 1024
        )
    kind = next((mime for magic, mime in LOGO_TYPES.items() if content.startswith(magic)), None)
    if kind is None:
        raise Invalid("logo", "a PNG, JPEG or GIF image is required")
    return _save(session, row, {"logo": content, "logo_type": kind}, user)


def _save(session: Session, row: AppSettings, changes: dict[str, object], user: User | None) -> AppSettings:
    before = {key: _shown(key, getattr(row, key)) for key in changes}
    after = {key: _shown(key, value) for key, value in changes.items()}
    if before == after:
        return row
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user else None
    session.add(row)
    session.flush()
    record_event(
        session,
        action="settings.updated",
        object_type="settings",
        object_id=1,
        user_id=user.id if user else None,
        before={k: v for k, v in before.items() if v != after[k]},
        after={k: v for k, v in after.items() if v != before[k]},
    )
    if {"reporting_currency", "rate_window_days"} & set(changes):
        ensure_totals(session)  # totals kept in another currency or window are recomputed now
    return row


def _shown(key: str, value: object) -> object:
    """What the journal keeps for a field: a logo by its size and a short hash, not its bytes."""
    if key == "logo" and isinstance(value, bytes):
        return f"{len(value)} bytes, sha256 {hashlib.sha256(value).hexdigest()[:16]}"
    return value
