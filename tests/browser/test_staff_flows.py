"""What a clerk does all day, in a real browser, by keyboard: sign in, record, see a refusal, void, find it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import PASSWORD


def sign_in(page: Page, live_url: str) -> None:
    page.goto(live_url + "/contributions/new")
    expect(page).to_have_url(live_url + "/login?next=%2Fcontributions%2Fnew")
    page.keyboard.type("clerk@example.org")  # the email field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contribution")


def type_into(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def test_a_clerk_records_money_and_in_kind_by_keyboard(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_url)
    shoot(page, "1-empty-form")
    type_into(page, "Donor", "həmkarlar")
    type_into(page, "Recipient", "çadırkent")
    page.get_by_label("Currency", exact=True).focus()
    page.keyboard.type("AZN")
    type_into(page, "Amount", "500 000,50")
    page.keyboard.press("Enter")  # Enter in a field records; the page answers with the confirmation
    confirmation = page.locator(".confirmation")
    expect(confirmation).to_contain_text("Recorded C-")
    shoot(page, "2-money-recorded")

    type_into(page, "Donor", "Konfederasiya")
    type_into(page, "Recipient", "Kahramanmaraş")
    page.get_by_label("Kind", exact=True).focus()
    page.keyboard.type("Goods")
    page.get_by_label("Item", exact=True).focus()
    page.keyboard.type("Container")
    page.get_by_label("Quantity", exact=True).focus()
    page.keyboard.type("10")
    expect(page.get_by_label("Unit value", exact=True)).to_have_value("12,000")  # the item's default
    page.get_by_role("button", name="Add a line").press("Enter")
    kinds = page.locator("select.line-kind")
    expect(kinds).to_have_count(2)
    kinds.nth(1).focus()
    page.keyboard.type("Service")
    page.locator("select.line-item").nth(1).focus()
    page.keyboard.type("Rescuer")
    page.locator("input[name='lines[1].quantity']").focus()
    page.keyboard.type("2400")
    shoot(page, "3-in-kind-filled")
    page.get_by_role("button", name="Record the contribution").press("Enter")
    expect(page.locator(".confirmation")).to_contain_text("Recorded C-")
    page.locator(".confirmation a").click()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Container house")
    expect(rows.nth(0)).to_contain_text("AZN120,000.00")
    expect(rows.nth(1)).to_contain_text("2,400 person-day")
    shoot(page, "4-in-kind-page")


def test_a_bad_amount_is_explained_beside_its_field(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_url)
    type_into(page, "Donor", "həmkarlar")
    type_into(page, "Recipient", "çadırkent")
    type_into(page, "Amount", "1.500")
    page.keyboard.press("Enter")
    error = page.locator("#f-lines-0-amount-error")
    expect(error).to_contain_text("'1.500' is ambiguous: it could be 1.5 or 1,500")
    expect(page.get_by_label("Amount", exact=True)).to_have_value("1.500")
    expect(page.get_by_label("Donor", exact=True)).to_have_value("həmkarlar")
    shoot(page, "refused")


def test_a_voided_contribution_stays_in_the_list_struck_through(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_url)
    type_into(page, "Donor", "həmkarlar")
    type_into(page, "Recipient", "çadırkent")
    type_into(page, "Amount", "75")
    type_into(page, "Reference", "VOID-ME")
    page.keyboard.press("Enter")
    page.locator(".confirmation a").click()
    number = page.get_by_role("heading", level=1).inner_text().split()[0]
    type_into(page, "Reason for voiding", "entered twice by mistake")
    page.get_by_role("button", name=f"Void {number}").press("Enter")
    expect(page.locator(".void-reason")).to_contain_text("entered twice by mistake")
    shoot(page, "1-voided")
    page.get_by_role("link", name="Contributions").click()
    type_into(page, "Search", "VOID-ME")
    page.keyboard.press("Enter")
    row = page.locator("table.contributions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_have_class("void")
    expect(row).to_contain_text("entered twice by mistake")
    shoot(page, "2-found-in-list")
