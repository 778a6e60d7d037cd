"""Helpers for page tests: staff users, signing in through the real form, posting forms with their CSRF token."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session

from tracker.accounts.users import create_user
from tracker.db.models import User

PASSWORD = "correct horse battery"


def make_user(session: Session, role: str = "clerk", email: str | None = None, name: str = "") -> User:
    return create_user(session, email=email or f"{role}@example.org", role=role, password=PASSWORD, name=name)


def page(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


class Staff:
    """A browser-like client: signs in through /login and sends every form with this session's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""

    def refresh_token(self, path: str = "/login") -> str:
        found = page(self.client.get(path)).find("input", attrs={"name": "csrf_token"})
        assert found is not None, f"no CSRF token on {path}"
        self.token = str(found["value"])
        return self.token

    def sign_in(self, user: User | str, password: str = PASSWORD) -> Response:
        email = user if isinstance(user, str) else user.email
        self.client.cookies.clear()
        self.refresh_token("/login")
        response = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.token}, follow_redirects=False
        )
        if response.status_code == 303:
            self.refresh_token("/contributions")
        return response

    def get(self, path: str, **kw: Any) -> Response:
        return self.client.get(path, follow_redirects=False, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Response:
        body = {"csrf_token": self.token, **(data or {})}
        return self.client.post(path, data=body, follow_redirects=False, **kw)
