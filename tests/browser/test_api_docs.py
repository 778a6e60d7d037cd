"""/docs in a real browser: Swagger UI rendered from the app's own files, under the CSP, asking no other host."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".opblock")])
def test_the_api_docs_render_offline_under_the_csp(page: Page, live_url: str, shoot, path: str, rendered: str) -> None:  # type: ignore[no-untyped-def]
    elsewhere: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_url) else elsewhere.append(request.url))
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(live_url + path)
    page.wait_for_selector(rendered, timeout=20_000)
    shoot(page, path.strip("/"))
    assert "create_donor" in page.content() or "Create Donor" in page.content()
    assert [url for url in elsewhere if not url.startswith(("data:", "blob:"))] == []
    assert refused == []
