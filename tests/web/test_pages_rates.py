"""The exchange-rates page: everyone reads, an admin enters, corrects and imports; bad input stores nothing."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session, func, select
from webkit import Staff, make_user

from tracker.db.models import ExchangeRate

CBAR = b"""<?xml version="1.0" encoding="UTF-8"?>
<ValCurs Date="10.02.2023" Name="AZN m\xc9\x99z\xc9\x99nn\xc9\x99l\xc9\x99ri"><ValType Type="Xarici valyutalar">
<Valute Code="USD"><Nominal>1</Nominal><Name>1 ABS dollari</Name><Value>1.7</Value></Valute>
<Valute Code="JPY"><Nominal>100</Nominal><Name>100 yen</Name><Value>1.2800</Value></Valute>
</ValType></ValCurs>"""


def rows(client: TestClient, path: str = "/rates?all=1") -> list[list[str]]:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    return [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")][:4]
        for tr in page.find("table", class_="rates").tbody.find_all("tr")
    ]


def notices(response: Response) -> list[str]:
    return [p.get_text(strip=True) for p in BeautifulSoup(response.text, "html.parser").find_all("p", class_="notice")]


def rate_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ExchangeRate)).one()


def test_an_admin_enters_and_corrects_a_rate_and_both_versions_stay(client: TestClient, session: Session) -> None:
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    first = admin.post("/rates", {"date": "2023-02-10", "currency": "EUR", "rate": "1.09", "source": "manual"})
    assert first.status_code == 303
    admin.post("/rates", {"date": "2023-02-10", "currency": "EUR", "rate": "1.0912", "source": "manual"})
    assert rows(client) == [
        ["Feb 10, 2023", "EUR", "1.0912 USD", "manual"],
        ["Feb 10, 2023", "EUR", "1.09 USD", "manual superseded"],
    ]
    assert rows(client, "/rates") == [["Feb 10, 2023", "EUR", "1.0912 USD", "manual"]]


def test_a_bad_rate_is_refused_beside_its_field_and_nothing_is_stored(client: TestClient, session: Session) -> None:
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    before = rate_count(session)
    response = admin.post("/rates", {"date": "2023-02-10", "currency": "EUR", "rate": "-1", "source": "manual"})
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    message = page.find(id="r-rate-error").get_text(strip=True)
    assert message == "a rate must be more than zero, got -1"
    assert page.find("input", attrs={"name": "rate"})["value"] == "-1"
    assert rate_count(session) == before


def test_an_admin_imports_a_bulletin_and_a_second_import_adds_nothing(client: TestClient, session: Session) -> None:
    from tracker.settings.service import SettingsInput, update_settings

    update_settings(session, SettingsInput(reporting_currency="AZN"), None)
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    files = {"file": ("cbar-10.02.2023.xml", CBAR, "text/xml")}
    first = client.post("/rates/import", data={"csrf_token": admin.token, "source": ""}, files=files)
    assert notices(first) == ["cbar-10.02.2023.xml: 2 rates added, 0 already in force, 0 skipped."]
    second = client.post("/rates/import", data={"csrf_token": admin.token, "source": "cbar"}, files=files)
    assert notices(second) == ["cbar-10.02.2023.xml: 0 rates added, 2 already in force, 0 skipped."]
    assert sorted(r[1:3] for r in rows(client)) == [["JPY", "0.0128 AZN"], ["USD", "1.7 AZN"]]


def test_a_mistyped_code_refuses_the_file_unless_the_box_is_ticked(client: TestClient, session: Session) -> None:
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    typo = b"date,currency,rate\n2023-02-08,EUR,1.09\n2023-02-08,USX,1.8\n2023-02-08,CYP,1.9\n"
    files = {"file": ("typo.csv", typo, "text/csv")}
    refused = client.post("/rates/import", data={"csrf_token": admin.token, "source": ""}, files=files)
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    assert page.find(id="r-file-error").get_text(strip=True) == "file: line 3: USX is not a currency code"
    assert rate_count(session) == 0
    ticked = client.post(
        "/rates/import", data={"csrf_token": admin.token, "source": "", "skip_unknown": "1"}, files=files
    )
    assert notices(ticked) == ["typo.csv: 1 rates added, 0 already in force, 2 skipped."]  # USX and withdrawn CYP
    assert rows(client) == [["Feb 8, 2023", "EUR", "1.09 USD", "csv"]]


def test_a_negative_rate_in_a_file_is_refused_as_not_more_than_zero(client: TestClient, session: Session) -> None:
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    files = {"file": ("negative.csv", b"date,currency,rate\n2023-02-08,EUR,-1\n", "text/csv")}
    refused = client.post("/rates/import", data={"csrf_token": admin.token, "source": "csv"}, files=files)
    page = BeautifulSoup(refused.text, "html.parser")
    assert page.find(id="r-file-error").get_text(strip=True) == "file: line 2: rate must be more than zero, got -1"
    assert rate_count(session) == 0


def test_a_clerk_reads_rates_but_cannot_enter_them(client: TestClient, session: Session) -> None:
    clerk = Staff(client)
    clerk.sign_in(make_user(session, "clerk"))
    page = BeautifulSoup(clerk.get("/rates").text, "html.parser")
    assert page.find("form", attrs={"action": "/rates"}) is None
    assert clerk.post("/rates", {"date": "2023-02-10", "currency": "EUR", "rate": "1.09"}).status_code == 403
