"""`tracker verify` re-sums every export format from the ledger and compares it with the summary.

Issue 14's ledger (`report_support.jica_ledger`): by status and currency the summary holds paid 30,000,000 JPY
and 120,000.00 AZN, committed 20,000,000 JPY, pledged 120,000.00 AZN.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from report_support import BY_STATUS_ORIGINAL, jica_ledger
from sqlmodel import Session

from tracker.reporting.exports import rows
from tracker.reporting.exports.verify import export_sums, exports_sum_to_the_summary, summary_sums


def test_every_format_reads_back_to_the_summary(session: Session) -> None:
    jica_ledger(session)
    assert summary_sums(session) == BY_STATUS_ORIGINAL
    for fmt in ("csv", "xlsx", "hxl"):
        assert export_sums(session, fmt) == BY_STATUS_ORIGINAL, fmt
    assert exports_sum_to_the_summary(session) == []


def test_an_export_that_counts_a_promise_in_full_is_caught(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    jica_ledger(session)
    # the exports before issue 14: every promise at its full value beside the payments that fulfil it
    monkeypatch.setattr(rows, "line_remainders", lambda session, ids: {})
    assert export_sums(session, "hxl")[("committed", "JPY")] == Decimal("50000000")
    assert exports_sum_to_the_summary(session) == [
        f"{fmt} export: {status} sums to {found}; the summary says {expected}"
        for fmt in ("CSV", "XLSX", "HXL")
        for status, found, expected in (
            ("committed JPY", "50000000", "20000000"),
            ("pledged AZN", "240000.00", "120000.00"),
        )
    ]


def test_a_closed_promise_reads_back_as_written_off_in_every_format(session: Session) -> None:
    from tracker.ledger.service import close_contribution

    ledger = jica_ledger(session)
    close_contribution(session, ledger["pledge"].id, "the confederation sends no more houses", None)  # type: ignore[arg-type]
    # The pledge of 20 houses at 12,000.00 AZN with 10 delivered: its other 10 are written off, no longer pledged.
    expected = {key: amount for key, amount in BY_STATUS_ORIGINAL.items() if key != ("pledged", "AZN")}
    expected[("written_off", "AZN")] = Decimal("120000.00")
    assert summary_sums(session) == expected
    for fmt in ("csv", "xlsx", "hxl"):
        assert export_sums(session, fmt) == expected, fmt
    assert exports_sum_to_the_summary(session) == []
