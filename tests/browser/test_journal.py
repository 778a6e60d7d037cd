"""An auditor's journal in a real browser: find a contribution's events by its number, open an event's raw JSON."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .test_staff_flows import sign_in, type_into


def test_the_events_of_a_number_read_as_sentences_and_open_to_their_json(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_url)
    type_into(page, "Donor", "həmkarlar")
    type_into(page, "Recipient", "çadırkent")
    type_into(page, "Amount", "42")
    page.keyboard.press("Enter")
    page.locator(".confirmation a").click()
    number = page.get_by_role("heading", level=1).inner_text().split()[0]
    type_into(page, "Reason for voiding", "typed for the journal test")
    page.get_by_role("button", name=f"Void {number}").press("Enter")
    expect(page.locator(".void-reason")).to_be_visible()

    page.get_by_role("link", name="Journal").click()
    type_into(page, "Contribution number", number)
    page.keyboard.press("Enter")
    rows = page.locator("table.journal tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator(".sentence")).to_have_text(f"Voided {number}, because: typed for the journal test")
    expect(rows.nth(1).locator(".sentence")).to_contain_text(f"Recorded {number}: ")
    raw = rows.nth(0).locator("details.raw pre")
    expect(raw).to_be_hidden()
    shoot(page, "1-by-number")
    rows.nth(0).get_by_text("Raw JSON").click()
    expect(raw).to_be_visible()
    expect(raw).to_contain_text('"action": "contribution.voided"')
    shoot(page, "2-raw-json-open")
