"""Shared helpers for the report tests: the demo ledger kept in manats, and figures as text."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from tracker.core import config
from tracker.db.models import Donor
from tracker.rates.convert import ConvertedTotal


@pytest.fixture
def in_manats(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo's rates are the central bank's AZN rates: run with AZN as the reporting currency."""
    monkeypatch.setenv("TRACKER_REPORTING_CURRENCY", "AZN")
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def text(converted: ConvertedTotal) -> str:
    missing = ", ".join(f"{part.amount} on {part.value_date}" for part in converted.unconverted)
    return str(converted.total) + (f" (+ unconverted {missing})" if missing else "")


def donor_named(session: Session, prefix: str) -> Donor:
    return session.exec(select(Donor).where(Donor.name.startswith(prefix))).one()
