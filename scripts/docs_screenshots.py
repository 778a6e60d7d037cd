"""Takes the documentation's screenshots (docs/images/*.png) from `tracker serve --demo` in Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("tracker serve --demo stopped before it answered")
        try:
            urllib.request.urlopen(url + "/login", timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("tracker serve --demo did not answer within 2 minutes")


def shoot(page: Page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=full_page)
    print(f"docs/images/{name}.png")


def first_hour(page: Page, url: str) -> None:
    """The steps of docs/first-hour.md, each followed by its screenshot."""
    page.goto(url + "/")
    page.keyboard.type("demo@example.org")  # the email field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("tracker-demo")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_be_visible()
    shoot(page, "dashboard", full_page=False)  # the top of it: the README shows it

    page.goto(url + "/contributions/new")
    for label, text in (("Donor", "Ayşe"), ("Recipient", "Kızılay"), ("Currency", "TRY"), ("Amount", "2 500")):
        page.get_by_label(label, exact=True).focus()
        page.keyboard.type(text)
    page.get_by_label("Value date", exact=True).fill("2023-02-10")  # within the demo's rates; the doc says why
    page.get_by_label("Amount", exact=True).focus()
    shoot(page, "entry-form")
    page.keyboard.press("Enter")
    expect(page.locator(".confirmation")).to_contain_text("Recorded C-")
    shoot(page, "entry-recorded")

    page.goto(url + "/contributions?status=pledged")
    page.locator("table tbody tr a").first.click()
    page.get_by_role("button", name="Mark as committed").click()
    expect(page.locator("h1 .badge")).to_have_text("committed")
    shoot(page, "pledge-moved-on")

    page.goto(url + "/donors")
    page.locator("table tbody tr a").first.click()
    page.get_by_role("button", name="Statement").click()
    expect(page.locator("h1")).to_be_visible()
    shoot(page, "statement")
    page.go_back()
    page.get_by_role("button", name="Write a thank-you letter").click()
    expect(page.locator("body")).to_contain_text("L-")
    shoot(page, "letter")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/demo.db"
        env = {**os.environ, "TRACKER_DATABASE_URL": database, "TRACKER_DEFAULT_LOCALE": "en", "PYTHONPATH": str(ROOT)}
        tracker = str(Path(sys.executable).with_name("tracker"))
        command = [tracker, "serve", "--demo", "--port", str(port), "--workers", "1"]
        server = subprocess.Popen(command, env=env, cwd=folder)  # noqa: S603 - our own command
        try:
            wait_until_up(url, server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-GB")
                first_hour(page, url)
                browser.close()
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
