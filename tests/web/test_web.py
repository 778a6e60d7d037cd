"""The app skeleton over real HTTP: health check, home page totals, escaped output, error pages."""

from bs4 import BeautifulSoup
from factories import make_contribution, make_donor, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import Staff, make_user

from tracker.demo import load_demo


def test_healthz_answers_without_sign_in(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_home_page_shows_the_demo_totals(client: TestClient, session: Session) -> None:
    load_demo(session)
    staff = Staff(client)
    staff.sign_in(make_user(session, "viewer"))
    page = BeautifulSoup(client.get("/").text, "html.parser")
    paid = page.find("section", attrs={"aria-labelledby": "paid"})
    cells = {
        row.find("td").get_text(strip=True): row.find_all("td")[-1].get_text(strip=True)
        for row in paid.find_all("tr")[1:]
    }
    assert cells["Money (AZN)"] == "AZN500,000.00"
    assert cells["Money (KWD)"] == "KWD75,250.500"
    assert cells["Money (USD)"] == "$150,000.00"
    assert cells["Container house"] == "AZN120,000.00"
    assert cells["Rescuer"] == "not valued"
    quantities = {
        row.find("td").get_text(strip=True): row.find_all("td")[1].get_text(" ", strip=True)
        for row in paid.find_all("tr")[1:]
    }
    assert quantities["Rescuer"] == "2,400 person-days"
    pledged = page.find("section", attrs={"aria-labelledby": "pledged"})
    assert "Container house" in pledged.get_text()


def test_names_are_escaped(client: TestClient, session: Session) -> None:
    donor = make_donor(session, "<script>alert(1)</script>")
    make_contribution(session, money_line("1.00 USD"), donor=donor)
    Staff(client).sign_in(make_user(session, "viewer"))
    body = client.get("/").text
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    recent = BeautifulSoup(body, "html.parser").find("section", attrs={"aria-labelledby": "recent"})
    assert recent.find("tbody").find_all("td")[2].get_text() == "<script>alert(1)</script>"


def test_the_home_page_sends_a_stranger_to_sign_in(client: TestClient, session: Session) -> None:
    make_user(session, "viewer")
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F"


def test_an_unknown_page_is_404(client: TestClient) -> None:
    assert client.get("/no-such-page").status_code == 404
