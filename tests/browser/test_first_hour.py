"""docs/first-hour.md followed step by step on the demo ledger; its screenshots are the ones the docs show."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

# scripts/docs_screenshots.py runs this test and copies these files into docs/images/.
FIRST_HOUR = Path(__file__).resolve().parents[2] / "test-output" / "screenshots" / "first-hour"


def shoot(page: Page, name: str, *, full_page: bool = True) -> None:
    FIRST_HOUR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FIRST_HOUR / f"{name}.png"), full_page=full_page)


def test_a_first_hour_with_the_demo(browser: Browser, demo_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page.goto(demo_url + "/")
    page.keyboard.type("demo@example.org")  # the sign-in page has the focus in its Email field
    page.keyboard.press("Tab")
    page.keyboard.type("tracker-demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Record a contribution")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Paid in cash")
    shoot(page, "dashboard", full_page=False)  # the top of it: the README shows it

    page.get_by_role("link", name="Record a contribution").click()
    for label, text in (("Donor", "Ayşe"), ("Recipient", "Kızılay"), ("Currency", "TRY"), ("Amount", "2 500")):
        page.get_by_label(label, exact=True).focus()
        page.keyboard.type(text)
    page.get_by_label("Value date", exact=True).fill("2023-02-10")  # within the demo's rates, as the page says
    page.get_by_label("Amount", exact=True).focus()
    shoot(page, "entry-form")
    page.keyboard.press("Enter")
    expect(page.locator(".confirmation")).to_contain_text("Recorded C-2023-")
    shoot(page, "entry-recorded")

    page.goto(demo_url + "/contributions?status=pledged")
    page.locator("table tbody tr a").first.click()
    page.get_by_role("button", name="Mark as committed").click()
    expect(page.locator("h1 .badge")).to_have_text("committed")
    expect(page.locator(".status-history")).to_contain_text("pledged")
    shoot(page, "pledge-moved-on")

    page.goto(demo_url + "/donors")
    page.get_by_role("link", name="Ayşe Yılmaz", exact=True).click()
    page.get_by_role("button", name="Statement").click()
    expect(page.locator("body")).to_contain_text("2.500,00 TRY")  # the gift recorded above, in Ayşe's Turkish
    shoot(page, "statement")
    page.go_back()
    page.get_by_role("button", name="Write a thank-you letter").click()
    expect(page.locator("body")).to_contain_text("L-2026-")
    shoot(page, "letter")
    page.close()
