"""Settings: every TRACKER_ environment variable, read once through a cached getter."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.core.i18n import gettext
from tracker.core.money import check_currency

DEVELOPMENT_SECRET = "development-only-secret-key-change-me"  # noqa: S105 - refused in production
SECRET_MIN_LENGTH = 32
# Bits the secret's own letters must show: `secrets.token_urlsafe(32)` shows about 200, `token_hex(16)`
# about 110 (never below 90 in practice); 32 of one letter shows 0, "password" repeated 88.
SECRET_MIN_BITS = 90


def secret_bits(secret: str) -> float:
    """A ceiling on the secret's entropy from its own letters: its length × the Shannon entropy of their mix.

    It cannot prove a secret random (a known phrase or a run of the alphabet scores well), but it
    refuses the weak shapes: one letter repeated, a short word repeated."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_letter = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_letter * len(secret)


def weak_secret(secret: str) -> bool:
    """True for the public development secret, a short one, or one whose letters carry too little entropy."""
    return secret == DEVELOPMENT_SECRET or len(secret) < SECRET_MIN_LENGTH or secret_bits(secret) < SECRET_MIN_BITS


class Settings(BaseSettings):
    """The app's settings; each one is documented in docs/configuration.md (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    database_url: str = "sqlite:///./tracker.db"
    secret_key: str = DEVELOPMENT_SECRET
    env: Literal["development", "production"] = "development"
    reporting_currency: str = "USD"
    default_locale: Literal["en", "az", "tr", "ru"] = "en"
    rate_window_days: int = 7
    sql_echo: bool = False
    iati_org_ref: str = ""  # the organisation's IATI identifier, such as XM-DAC-41114; the IATI export needs it
    iati_org_type: str = "22"  # its IATI OrganisationType code (22: national NGO)
    import_dir: str = ""  # where uploads on /imports wait between preview and commit; "": the system temp folder
    import_max_mb: int = 32  # the largest file /imports accepts, in MiB
    import_max_unpacked_mb: int = 256  # how far an XLSX import file may unpack, in MiB, all its parts together
    sqlite_busy_seconds: float = 10.0  # how long a SQLite writer waits for another's lock before a 503

    @field_validator("import_max_mb")
    @classmethod
    def _import_size(cls, value: int) -> int:
        if not 1 <= value <= 1024:
            raise ValueError(gettext("must be between 1 and 1024 MiB"))
        return value

    @field_validator("import_max_unpacked_mb")
    @classmethod
    def _unpacked_size(cls, value: int) -> int:
        if not 1 <= value <= 4096:
            raise ValueError(gettext("must be between 1 and 4096 MiB"))
        return value

    @field_validator("sqlite_busy_seconds")
    @classmethod
    def _busy(cls, value: float) -> float:
        if not 0 <= value <= 600:
            raise ValueError(gettext("must be between 0 and 600 seconds"))
        return value

    @field_validator("reporting_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value, "TRACKER_REPORTING_CURRENCY")

    @field_validator("rate_window_days")
    @classmethod
    def _window(cls, value: int) -> int:
        if not 0 <= value <= 366:
            raise ValueError(gettext("must be between 0 and 366 days"))
        return value

    @model_validator(mode="after")
    def _secret_outside_development(self) -> Settings:
        if self.env == "production" and weak_secret(self.secret_key):
            raise ValueError(
                gettext(
                    "TRACKER_SECRET_KEY must be a random value of 32 characters or more in production, "
                    "such as the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
            )
        return self

    def secret_warning(self) -> str | None:
        """What is unsafe about the secret key in development (production refuses it outright), or None."""
        if self.env == "production" or not weak_secret(self.secret_key):
            return None
        if self.secret_key == DEVELOPMENT_SECRET:
            return gettext(
                "WARNING: TRACKER_SECRET_KEY is not set; cookies are signed with the public development key. "
                "Never serve real data like this: set TRACKER_ENV=production and a random TRACKER_SECRET_KEY."
            )
        return gettext(
            "WARNING: TRACKER_SECRET_KEY is short or repetitive and would be refused in production; "
            "set a random value of 32 characters or more."
        )


@cache
def get_settings() -> Settings:
    return Settings()
