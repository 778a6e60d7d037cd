"""A clerk imports a file in a real browser: upload, preview, commit, and the progress bar runs to 100%."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import PASSWORD

ROWS = 15_000  # enough for the commit to take a few seconds, so the page shows it running
DONOR, RECIPIENT = "Azərbaycan Həmkarlar İttifaqları Konfederasiyası", "Kahramanmaraş Çadırkent"


def a_file() -> bytes:
    lines = ["key,date,status,donor,recipient,kind,amount,currency"]
    row = "BROWSER-{n},2023-02-{day},paid,{donor},{recipient},money,{amount}.50,AZN"
    for n in range(ROWS):
        lines.append(row.format(n=n, day=10 + n % 10, donor=DONOR, recipient=RECIPIENT, amount=10 + n % 90))
    return ("\n".join(lines) + "\n").encode()


def test_a_clerk_imports_a_file_and_watches_it_go_in(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_url + "/imports")
    page.get_by_label("Email").fill("clerk@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contributions")
    expect(page.get_by_role("link", name="Imports")).to_have_attribute("aria-current", "page")
    page.get_by_label("File (at most 32 MiB)").set_input_files(
        {"name": "donations.csv", "mimeType": "text/csv", "buffer": a_file()}
    )
    shoot(page, "1-chosen")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of donations.csv", timeout=60_000)
    facts = page.locator("dl.facts dd")
    expect(facts.nth(0)).to_have_text("15,000")
    expect(facts.nth(1)).to_have_text("15,000")
    shoot(page, "2-preview")

    page.get_by_role("button", name="Commit import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing donations.csv")
    bar = page.locator("progress#import-bar")
    expect(bar).to_have_attribute("max", str(ROWS))
    shoot(page, "3-running")
    # The script's last poll fills the bar before the page turns into the result.
    done = page.locator("[data-import-status][data-done]")
    expect(done).to_have_count(1, timeout=120_000)
    assert bar.evaluate("b => [b.value, b.max]") == [ROWS, ROWS]
    expect(page.locator("#import-count")).to_have_text("Rows: 15,000 of 15,000 (100%)")
    shoot(page, "4-complete")

    expect(page.get_by_role("heading", level=1)).to_have_text("donations.csv is imported")
    expect(page.locator("p.confirmation")).to_have_text("Imported 15,000 contributions.")
    shoot(page, "5-imported")
    page.get_by_role("link", name="See the contributions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributions")
