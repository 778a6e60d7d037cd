"""The settings in force: saved fields over the TRACKER_ defaults, a logo known by its presence."""

from __future__ import annotations

from sqlmodel import Session

from tracker.core import config
from tracker.settings.current import EffectiveSettings, default_locale, effective_settings
from tracker.settings.service import SettingsInput, set_logo, update_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_nothing_saved_means_the_environment_defaults(session: Session, settings: config.Settings) -> None:
    assert effective_settings(session) == EffectiveSettings(
        organisation_name="",
        organisation_address="",
        has_logo=False,
        reporting_currency=settings.reporting_currency,
        default_locale=settings.default_locale,
        rate_window_days=settings.rate_window_days,
        iati_org_ref=settings.iati_org_ref,
        iati_org_type=settings.iati_org_type,
    )
    assert default_locale(session) == settings.default_locale


def test_saved_fields_win_and_the_logo_is_known_by_its_presence(session: Session, settings: config.Settings) -> None:
    update_settings(
        session,
        SettingsInput(organisation_name="Aid Org", reporting_currency="EUR", default_locale="ru", rate_window_days="3"),
        None,
    )
    assert not effective_settings(session).has_logo
    set_logo(session, PNG, None)
    shown = effective_settings(session)
    assert (shown.organisation_name, shown.reporting_currency, shown.default_locale) == ("Aid Org", "EUR", "ru")
    assert (shown.rate_window_days, shown.has_logo) == (3, True)
    assert default_locale(session) == "ru"
    set_logo(session, None, None)
    assert not effective_settings(session).has_logo
