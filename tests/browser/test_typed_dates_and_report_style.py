"""In a real browser: the focus starts on Donor, an az clerk's typed date is read day first, and a statement page is
styled from its static stylesheet with no Content-Security-Policy violation."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect

from .test_staff_flows import sign_in

WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.violatedDirective));
"""


def test_an_az_clerk_types_the_value_date_day_first(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_url)
    page.goto(live_url + "/contributions/new?lang=az")
    page.keyboard.type("həmkarlar")  # Donor has the focus: no Tab presses to reach it
    expect(page.locator("input[name=donor]")).to_be_focused()
    page.locator("input[name=recipient]").focus()
    page.keyboard.type("çadırkent")
    date_field = page.locator("input[name=value_date]")
    expect(date_field).to_have_attribute("type", "text")
    expect(date_field).to_have_attribute("placeholder", "dd.mm.yyyy")
    date_field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("10.02.2023")
    page.locator("input[name='lines[0].amount']").focus()
    page.keyboard.type("250")
    shoot(page, "1-az-date-typed")
    page.keyboard.press("Enter")
    page.locator(".confirmation a").click()
    expect(page.locator("dl")).to_contain_text("10 fev 2023")  # 10 February, not 2 October
    shoot(page, "2-recorded")


def test_a_statement_page_is_styled_without_a_csp_violation(page: Page, live_url: str, shoot) -> None:  # type: ignore[no-untyped-def]
    blocked: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            blocked.append(message.text)

    page.on("console", watch)
    page.add_init_script(WATCH_CSP)
    sign_in(page, live_url)
    page.keyboard.type("həmkarlar")
    page.locator("input[name=recipient]").focus()
    page.keyboard.type("çadırkent")
    page.locator("input[name='lines[0].amount']").focus()
    page.keyboard.type("99")
    page.keyboard.press("Enter")
    expect(page.locator(".confirmation")).to_contain_text("Recorded C-")
    page.goto(live_url + "/donors")
    page.get_by_role("link", name="Azərbaycan Həmkarlar İttifaqları Konfederasiyası", exact=True).click()
    page.get_by_role("button", name="Statement").click()
    cell = page.locator("main table td").first
    expect(cell).to_be_visible()
    style = cell.evaluate(
        "(td) => { const s = getComputedStyle(td), table = getComputedStyle(td.closest('table'));"
        " return [s.borderBottomStyle, s.borderBottomWidth, s.paddingLeft, table.borderCollapse]; }"
    )
    assert style[0] == "solid" and style[1] == "1px", style
    assert style[2] != "0px", style
    assert style[3] == "collapse", style
    links = page.locator("nav.downloads")
    expect(links).to_have_text("PDF · CSV · XLSX")
    assert links.locator("a").nth(1).evaluate("(a) => a.getBoundingClientRect().left") > links.locator("a").nth(
        0
    ).evaluate("(a) => a.getBoundingClientRect().right")
    shoot(page, "statement")
    assert page.evaluate("window.cspViolations") == []
    assert blocked == []
