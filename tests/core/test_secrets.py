"""The secret key that signs cookies: production refuses a weak or public one, development warns about it."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from tracker.core import config
from tracker.core.config import DEVELOPMENT_SECRET, Settings

RANDOM = "Zq3V0n-Hk8wPa_1cTb7LxRm2sYd9UeGf4JiO6NtQ"  # 40 characters, 38 different


@pytest.mark.parametrize(
    "secret",
    [
        "a" * 32,  # the hostile test's: 32 of one letter
        "ab" * 20,
        "password" * 4,
        DEVELOPMENT_SECRET,
        RANDOM[:31],  # random, but too short
    ],
)
def test_production_refuses_a_weak_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="TRACKER_SECRET_KEY must be a random value of 32 characters"):
        Settings(env="production", secret_key=secret)


def test_production_takes_a_random_secret() -> None:
    assert Settings(env="production", secret_key=RANDOM).secret_warning() is None


def test_development_warns_about_the_public_secret_and_a_weak_one() -> None:
    public = Settings(env="development")
    assert public.secret_key == DEVELOPMENT_SECRET
    assert (public.secret_warning() or "").startswith("WARNING: TRACKER_SECRET_KEY is not set")
    assert (Settings(secret_key="x" * 40).secret_warning() or "").startswith("WARNING: TRACKER_SECRET_KEY is short")
    assert Settings(secret_key=RANDOM).secret_warning() is None


def test_the_app_logs_the_warning_when_it_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tracker.web.app import create_app

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    config.get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="tracker"):
            create_app()
    finally:
        config.get_settings.cache_clear()
    assert any("public development key" in record.getMessage() for record in caplog.records)
