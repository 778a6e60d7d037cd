"""Journal events told as sentences: every action the code records has one, names come a page at a time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from factories import make_appeal, make_contribution, make_donor, make_item, money_line
from sqlmodel import Session, col, select

from tracker.accounts.tokens import create_token, revoke_token
from tracker.accounts.users import change_role, create_user, deactivate_user
from tracker.catalogue.service import ItemInput, archive, update_item
from tracker.core.i18n import use_locale
from tracker.core.money import parse_money
from tracker.db.journal import record_event
from tracker.db.models import Donor, JournalEvent
from tracker.ledger.lookups import JournalFilters
from tracker.rates.service import record_rate
from tracker.reporting.journal import read_journal, tell
from tracker.reporting.journal_words import ACTIONS
from tracker.settings.service import SettingsInput, update_settings

SOURCES = Path(__file__).resolve().parents[2] / "tracker"


def told(session: Session, **filters: object) -> list[str]:
    return [entry.sentence for entry in read_journal(session, JournalFilters(**filters)).entries]  # type: ignore[arg-type]


def test_every_action_the_code_records_has_a_sentence() -> None:
    """A new `action="..."` needs one entry in reporting.journal_words.ACTIONS (it is shown generically until then)."""
    written = set()
    for path in SOURCES.rglob("*.py"):
        written.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    catalogue_actions = {f"{kind}.{verb}" for kind in ("donor", "recipient", "appeal", "item")
                         for verb in ("created", "updated", "archived")}  # fmt: skip
    assert "contribution.recorded" in written  # the search finds what the ledger writes
    assert sorted((written | catalogue_actions) - set(ACTIONS)) == []


def test_people_tokens_settings_and_rates_read_as_sentences(session: Session) -> None:
    admin = create_user(session, email="admin@example.org", role="admin", password="correct horse battery")
    clerk = create_user(session, email="clerk@example.org", role="clerk", password="correct horse battery")
    change_role(session, clerk.id, "viewer", admin)
    deactivate_user(session, clerk.id, admin)
    token = create_token(session, "admin@example.org", "nightly export", admin)
    revoke_token(session, token.token.id, admin)
    update_settings(session, SettingsInput(organisation_name="Bakı Yardım"), admin)
    record_rate(session, date(2023, 2, 6), "USD", "1.7", "cbar", "AZN", admin)
    record_rate(session, date(2023, 2, 6), "USD", "1.70250", "manual", "AZN", admin)
    assert told(session) == [
        "Corrected the rate of USD on Feb 6, 2023 from 1.7 to 1.7025 AZN",
        "Recorded the rate of USD on Feb 6, 2023: 1.7 AZN",
        "Changed the settings: Organisation name: — → Bakı Yardım",
        "Revoked API token “nightly export”",
        "Created the API token “nightly export” for admin@example.org",
        "Deactivated the user clerk@example.org",
        "Changed the role of clerk@example.org from clerk to viewer",
        "Added the user clerk@example.org as clerk",
        "Added the user admin@example.org as admin",
    ]
    with use_locale("ru"):
        assert told(session, action="user.role_changed") == [
            "Роль пользователя clerk@example.org: «оператор» → «наблюдатель»"
        ]


def test_a_changed_amount_reads_as_money_and_an_archive_as_a_sentence(session: Session) -> None:
    item = make_item(session, "Blanket", unit="piece", cluster="SHL")
    update_item(session, item.id, ItemInput(name="Wool blanket", unit="piece", cluster="SHL",
                                            unit_value=parse_money("12.50 USD")), None)  # fmt: skip
    archive(session, type(item), item.id, None)
    make_appeal(session, "TUR-EQ-2023")
    assert told(session) == [
        "Added the appeal TUR-EQ-2023 (Appeal TUR-EQ-2023)",
        "Archived the item Wool blanket",
        "Changed the item Wool blanket: Name: Blanket → Wool blanket; unit_value: — → $12.50",
        "Added the item Blanket, counted in piece",
    ]


def test_a_fulfilment_says_what_it_fulfils_and_a_contribution_its_appeal(session: Session) -> None:
    appeal = make_appeal(session, "TUR-EQ-2023")
    donor = make_donor(session, "Ankara Vakfı")
    pledge = make_contribution(session, money_line("300.00 EUR"), donor=donor, status="pledged", appeal=appeal)
    paid = make_contribution(session, money_line("100.00 EUR"), donor=donor, fulfils=pledge)
    assert told(session, object_type="contribution") == [
        f"Recorded {paid.number}: €100.00 from Ankara Vakfı to Test recipient, paid, dated Feb 10, 2023. "
        f"It fulfils {pledge.number}.",
        f"Recorded {pledge.number}: €300.00 from Ankara Vakfı to Test recipient, pledged, dated Feb 10, 2023. "
        "Appeal: TUR-EQ-2023.",
    ]


def test_the_names_of_a_page_are_read_in_one_query_per_table(session: Session) -> None:
    """Fifty contributions of fifty donors cost the same queries as one: no query per event."""
    make_contribution(session, money_line("1.00 EUR"), donor=make_donor(session, "Only one"))
    few = _selects(session, 1)
    for n in range(49):
        make_contribution(session, money_line("1.00 EUR"), donor=make_donor(session, f"Donor {n}"))
    many = _selects(session, 50)
    assert few == many
    assert many <= 7  # contributions, donors, recipients, appeals, items, users, tokens at most


def _selects(session: Session, count: int) -> int:
    events = list(
        session.exec(
            select(JournalEvent).where(JournalEvent.action == "contribution.recorded")
            .order_by(col(JournalEvent.id).desc()).limit(count)
        ).all()
    )  # fmt: skip
    assert len(events) == count
    session.expunge_all()  # nothing answered from the identity map: every name must be read
    with _counted(session) as statements:
        entries = tell(session, events)
    assert all("from Donor" in entry.sentence or "from Only one" in entry.sentence for entry in entries)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


@contextmanager
def _counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    connection = session.connection()

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", before)


def test_an_unknown_action_or_unreadable_facts_still_read_legibly(session: Session) -> None:
    donor = make_donor(session, "Bakı Fondu")
    record_event(session, action="donor.merged", object_type="donor", object_id=donor.id, user_id=None,
                 before=["not", "an", "object"], after={"into": 9})  # fmt: skip
    record_event(session, action="contribution.merged", object_type="contribution", object_id="999999",
                 user_id=None, after={"into": "C-2023-000001"})  # fmt: skip
    assert told(session)[:2] == ["contribution.merged on contribution 999999", "donor.merged on donor Bakı Fondu"]
    assert session.get(Donor, donor.id) is not None
