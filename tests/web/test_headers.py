"""Security headers on every answer (pages, API, docs, static files, 500s), HSTS over HTTPS, HEAD wherever GET is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import Staff, make_user

from tracker.core import config
from tracker.web.app import create_app
from tracker.web.deps import get_session

HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def app(session: Session, settings: config.Settings) -> FastAPI:
    """The real app, plus two routes that fail as a bug would (only here, never in the app)."""
    make_user(session, "viewer")  # with nobody yet, /login sends a visitor to the setup page
    made = create_app()

    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    made.dependency_overrides[get_session] = test_session

    @made.get("/test-only/boom")
    def page_bug() -> None:
        raise RuntimeError("a bug on a page")

    @made.get("/api/v1/test-only/boom")
    def api_bug() -> None:
        raise RuntimeError("a bug in the API")

    return made


def assert_secured(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (name, response)
    assert "server" not in headers


@pytest.mark.parametrize("path", ["/test-only/boom", "/api/v1/test-only/boom"])
def test_a_500_carries_the_security_headers(app: FastAPI, path: str) -> None:
    with TestClient(app, raise_server_exceptions=False) as http:
        response = http.get(path)
    assert response.status_code == 500
    assert "a bug" not in response.text  # the traceback stays in the log
    assert_secured(response)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),
        ("/login", 200),
        ("/", 303),
        ("/api/v1/donors", 401),
        ("/api/v1/nothing-here", 404),
        ("/static/app.css", 200),
        ("/docs", 200),
        ("/openapi.json", 200),
        ("/docs-assets/swagger-ui-bundle.js", 200),
    ],
)
def test_every_answer_carries_the_security_headers(app: FastAPI, path: str, status: int) -> None:
    with TestClient(app) as http:
        response = http.get(path, follow_redirects=False)
    assert response.status_code == status
    assert_secured(response)
    assert "strict-transport-security" not in response.headers  # plain HTTP: a browser would ignore it anyway


def test_api_answers_with_a_token_carry_the_headers(app: FastAPI, session: Session) -> None:
    from tracker.accounts.tokens import create_token

    token = create_token(session, "viewer@example.org", "tests").secret
    with TestClient(app) as http:
        response = http.get("/api/v1/donors", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert_secured(response)


@pytest.mark.parametrize("path", ["/healthz", "/login", "/api/v1/donors", "/test-only/boom"])
def test_over_https_answers_carry_hsts(app: FastAPI, path: str) -> None:
    with TestClient(app, base_url="https://tracker.example.org", raise_server_exceptions=False) as http:
        response = http.get(path, follow_redirects=False)
    assert response.headers["strict-transport-security"] == HSTS
    assert_secured(response)


@pytest.mark.parametrize(("path", "status"), [("/healthz", 200), ("/", 303), ("/login", 200), ("/docs", 200)])
def test_head_is_answered_wherever_get_is(app: FastAPI, path: str, status: int) -> None:
    with TestClient(app) as http:
        got, head = http.get(path, follow_redirects=False), http.head(path, follow_redirects=False)
    assert head.status_code == got.status_code == status
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    assert head.headers.get("content-length") == got.headers.get("content-length")
    assert_secured(head)


def test_head_of_a_signed_in_page_and_of_the_api(app: FastAPI, session: Session) -> None:
    with TestClient(app) as http:
        Staff(http).sign_in("viewer@example.org")
        page = http.head("/contributions")
        assert page.status_code == 200
        assert page.content == b""
        assert http.head("/api/v1/donors").status_code == 401  # HEAD is a GET: the API wants its token
        assert http.head("/api/v1/imports").status_code == 405  # no GET there, so no HEAD either


@pytest.mark.parametrize("path", ["/docs"])
def test_the_docs_load_only_the_apps_own_files(app: FastAPI, path: str) -> None:
    """Swagger UI comes from the app (it works offline), and no inline script needs the CSP loosened."""
    from bs4 import BeautifulSoup

    with TestClient(app) as http:
        page = BeautifulSoup(http.get(path).text, "html.parser")
        urls = [str(tag.get("src") or tag.get("href")) for tag in page.find_all(["script", "link"])]
        urls += [str(tag["data-openapi"]) for tag in page.find_all("div", attrs={"data-openapi": True})]
        assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
        assert all(tag.get("src") for tag in page.find_all("script")), "an inline script"
        for url in urls:
            assert http.get(url).status_code == 200, url


def test_in_production_the_docs_are_for_signed_in_staff(
    session: Session, settings: config.Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "a-production-secret-of-more-than-32-characters")
    config.get_settings.cache_clear()
    made = create_app()

    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    made.dependency_overrides[get_session] = test_session
    make_user(session, "viewer")
    with TestClient(made, base_url="https://tracker.example.org") as http:
        for path in ("/docs", "/openapi.json"):
            assert http.get(path, follow_redirects=False).status_code == 303, path
        Staff(http).sign_in("viewer@example.org")
        for path in ("/docs", "/openapi.json"):
            assert http.get(path, follow_redirects=False).status_code == 200, path
    config.get_settings.cache_clear()
