"""Settings: every TRACKER_ environment variable, read once through a cached getter."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.core.i18n import gettext
from tracker.core.money import check_currency

DEVELOPMENT_SECRET = "development-only-secret-key-change-me"  # noqa: S105 - refused in production


class Settings(BaseSettings):
    """The app's settings; each one is documented in README.md (a test checks that)."""

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
        if self.env == "production" and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32):
            raise ValueError(
                gettext("TRACKER_SECRET_KEY must be set to a random value of 32 characters or more in production")
            )
        return self


@cache
def get_settings() -> Settings:
    return Settings()
