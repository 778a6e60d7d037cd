"""The language of each request, over real HTTP: ?lang= → cookie → user → Accept-Language (by q) → default."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from factories import make_contribution, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import PASSWORD, Staff

from tracker.accounts.users import create_user
from tracker.core import config
from tracker.demo import load_demo
from tracker.ledger.service import void_contribution
from tracker.settings.service import SettingsInput, update_settings
from tracker.web.locale import accepted_languages, choose_locale


def page_language(client: TestClient, path: str = "/", **kwargs: object) -> str:
    response = client.get(path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser").html["lang"]


def test_without_any_choice_the_default_language_answers(client: TestClient) -> None:
    assert page_language(client) == "en"


def test_the_default_comes_from_the_setting(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DEFAULT_LOCALE", "az")
    config.get_settings.cache_clear()
    assert page_language(client) == "az"
    assert page_language(client, headers={"Accept-Language": "de-DE,de;q=0.9"}) == "az"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("az-AZ", "az"),
        ("tr-TR,tr;q=0.9", "tr"),
        ("en;q=0.1, ru;q=0.9", "ru"),  # q-values, not the order written, decide
        ("de-DE,tr;q=0.5,az;q=0.7", "az"),  # an unsupported first choice is skipped
        ("az;q=0, tr", "tr"),  # q=0 means "not this one"
        ("de, fr;q=0.8", "en"),  # nothing supported: the default
        ("*", "en"),
        ("ru;q=abc, tr;q=0.2", "tr"),  # a broken q counts as zero
    ],
)
def test_accept_language_by_q_value(client: TestClient, header: str, expected: str) -> None:
    assert page_language(client, headers={"Accept-Language": header}) == expected


def test_the_cookie_beats_accept_language(client: TestClient) -> None:
    client.cookies.set("lang", "tr")
    assert page_language(client, headers={"Accept-Language": "ru"}) == "tr"


def test_the_query_beats_the_cookie_and_is_remembered(client: TestClient) -> None:
    client.cookies.set("lang", "tr")
    response = client.get("/setup?lang=az", headers={"Accept-Language": "ru"})
    assert BeautifulSoup(response.text, "html.parser").html["lang"] == "az"
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("lang=")]
    assert cookie.startswith("lang=az;")
    assert "Path=/" in cookie
    assert "SameSite=lax" in cookie
    assert page_language(client, headers={"Accept-Language": "ru"}) == "az"  # the cookie now says az


def test_an_unknown_language_in_the_query_or_cookie_is_ignored(client: TestClient) -> None:
    client.cookies.set("lang", "xx")
    response = client.get("/setup?lang=klingon", headers={"Accept-Language": "ru"})
    assert BeautifulSoup(response.text, "html.parser").html["lang"] == "ru"
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("lang=")]


def test_choosing_the_language_already_in_the_cookie_sets_no_new_cookie(client: TestClient) -> None:
    client.cookies.set("lang", "ru")
    assert not [c for c in client.get("/setup?lang=ru").headers.get_list("set-cookie") if c.startswith("lang=")]


def signed_in(client: TestClient, session: Session, locale: str = "en") -> TestClient:
    """Sign in through the real form as a viewer whose own language is `locale`."""
    user = create_user(session, email=f"viewer-{locale}@example.org", role="viewer", password=PASSWORD, locale=locale)
    Staff(client).sign_in(user)
    return client


def test_the_users_language_beats_accept_language(client: TestClient, session: Session) -> None:
    assert page_language(signed_in(client, session, "tr"), headers={"Accept-Language": "ru"}) == "tr"


def test_the_cookie_and_the_query_beat_the_users_language(client: TestClient, session: Session) -> None:
    staff = signed_in(client, session, "tr")
    headers = {"Accept-Language": "ru"}
    assert page_language(staff, "/?lang=az", headers=headers) == "az"
    assert page_language(staff, headers=headers) == "az"  # remembered in the cookie


def test_without_a_user_the_middleware_goes_on_to_accept_language(client: TestClient) -> None:
    assert page_language(client, "/login", headers={"Accept-Language": "ru"}) == "ru"


def test_choose_locale_names_what_chose() -> None:
    assert choose_locale("az", "tr", "ru", "en", "en") == ("az", "query")
    assert choose_locale(None, "tr", "ru", "en", "en") == ("tr", "cookie")
    assert choose_locale("", None, "ru", "az", "en") == ("ru", "user")
    assert choose_locale(None, None, None, "az-AZ;q=0.5, tr-TR", "en") == ("tr", "header")
    assert choose_locale(None, None, None, None, "ru") == ("ru", "default")


def test_the_default_an_admin_saved_beats_the_environment(client: TestClient, session: Session) -> None:
    update_settings(session, SettingsInput(default_locale="az"), None)
    assert page_language(client, "/login") == "az"
    assert page_language(client, "/login", headers={"Accept-Language": "tr"}) == "tr"  # the browser's comes first
    form = BeautifulSoup(client.get("/login").text, "html.parser")
    assert form.find("button", type="submit").get_text(strip=True) == "Administratoru yarat və daxil ol"


def test_accepted_languages_maps_regions_and_scripts() -> None:
    assert accepted_languages("az-Latn-AZ, ru-RU;q=0.8, tr-TR;q=0.9, RU;q=0.7") == ["az", "tr", "ru"]
    assert accepted_languages("") == []
    assert accepted_languages(None) == []


def test_the_switcher_links_to_this_page_in_each_language(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/setup?lang=ru&page=2").text, "html.parser")
    switcher = page.find("nav", class_="languages")
    links = {a["hreflang"]: a for a in switcher.find_all("a")}
    assert set(links) == {"en", "az", "tr", "ru"}
    assert urlsplit(links["az"]["href"]).path == "/setup"
    assert parse_qs(urlsplit(links["az"]["href"]).query) == {"lang": ["az"], "page": ["2"]}
    assert links["az"].get_text(strip=True) == "Azərbaycanca"
    assert links["ru"].get_text(strip=True) == "Русский"
    assert links["ru"].get("aria-current") == "true"
    assert links["en"].get("aria-current") is None
    assert switcher["aria-label"] == "Язык"


def figures_of(page: BeautifulSoup, key: str) -> dict[str, tuple[str, str]]:
    section = page.find("section", attrs={"aria-labelledby": key})
    return {
        row.find("td").get_text(strip=True): (
            row.find_all("td")[1].get_text(" ", strip=True),
            row.find_all("td")[-1].get_text(strip=True),
        )
        for row in section.find("tbody").find_all("tr")
    }


def test_the_home_page_in_azerbaijani(client: TestClient, session: Session) -> None:
    load_demo(session)
    staff = signed_in(client, session, "az")
    page = BeautifulSoup(staff.get("/", headers={"Accept-Language": "ru"}).text, "html.parser")
    assert page.html["lang"] == "az"
    assert page.find("h1").get_text(strip=True) == "Yardım uçotu"
    headings = [page.find(id=key).get_text(strip=True) for key in ("paid", "committed", "pledged", "recent")]
    assert headings == ["Ödənilib", "Öhdəlik götürülüb, qalıq", "Vəd edilib, qalıq", "Son qeydlər"]
    paid = figures_of(page, "paid")
    assert paid["Pul (AZN)"] == ("", "500.000,00\xa0₼")
    assert paid["Pul (KWD)"] == ("", "75.250,500\xa0KWD")
    assert paid["Pul (USD)"] == ("", "150.000,00\xa0US$")
    assert paid["Container house"] == ("10 ədəd", "120.000,00\xa0₼")
    assert paid["Rescuer"] == ("2.400 adam-gün", "qiymətləndirilməyib")
    assert page.find(id="counts").get_text(" ", strip=True) == "8 donordan 13 ianə. 1 ləğv edilmiş ianə sayılmır."


def test_the_home_page_in_russian(client: TestClient, session: Session) -> None:
    load_demo(session)
    page = BeautifulSoup(signed_in(client, session).get("/?lang=ru").text, "html.parser")
    assert page.html["lang"] == "ru"
    headings = [page.find(id=key).get_text(strip=True) for key in ("paid", "committed", "pledged", "recent")]
    assert headings == ["Оплачено", "Обязательства, остаток", "Обещано, остаток", "Недавно внесённые"]
    paid = figures_of(page, "paid")
    assert paid["Деньги (AZN)"] == ("", "500\xa0000,00\xa0AZN")
    assert paid["Cargo flight"] == ("12 рейсов", "без оценки")
    assert paid["Truck convoy"] == ("48 грузовиков", "без оценки")
    assert paid["Rescuer"] == ("2\xa0400 человеко-дней", "без оценки")
    assert figures_of(page, "committed")["Деньги (JPY)"] == ("", "50\xa0000\xa0000\xa0¥")
    assert (
        page.find(id="counts").get_text(" ", strip=True) == "13 взносов от 8 доноров. 1 аннулированный взнос не учтён."
    )
    header = [
        th.get_text(strip=True) for th in page.find("section", attrs={"aria-labelledby": "recent"}).find_all("th")
    ]
    assert header == ["Номер", "Дата", "Донор", "Получатель", "Статус"]


def test_words_in_templates_follow_each_request_not_the_first_one(client: TestClient, session: Session) -> None:
    # Jinja folds filters on constants at compile time; a word must not stay in the first request's language.
    contribution = make_contribution(session, money_line("10.00 USD"))
    void_contribution(session, contribution.id, "entered twice", None)  # type: ignore[arg-type]
    statuses = {}
    signed_in(client, session)
    for language in ("az", "ru", "en"):
        page = BeautifulSoup(client.get(f"/?lang={language}").text, "html.parser")
        recent = page.find("section", attrs={"aria-labelledby": "recent"}).find("tbody")
        statuses[language] = recent.find_all("td")[-1].get_text(" ", strip=True)
    assert statuses == {"az": "ödənilib ləğv edilib", "ru": "оплачен аннулирован", "en": "paid void"}


@pytest.fixture
def failing_client(session: Session, settings: config.Settings) -> Iterator[TestClient]:
    """The app with two routes that refuse bad input, as every page and API route will."""
    from tracker.core.errors import Invalid
    from tracker.web.app import create_app

    app = create_app()

    def refuse() -> None:
        raise Invalid("amount", "{currency} has no minor units, got {amount}", currency="JPY", amount="1.5")

    app.add_api_route("/refuse", refuse)
    app.add_api_route("/api/v1/refuse", refuse)
    with TestClient(app) as http:
        yield http


def test_a_refusal_is_shown_in_the_language_of_the_request(failing_client: TestClient) -> None:
    page = failing_client.get("/refuse?lang=ru")
    assert page.status_code == 422
    html = BeautifulSoup(page.text, "html.parser")
    assert html.find("h1").get_text(strip=True) == "Что-то не так"
    assert html.find(role="alert").get_text(strip=True) == "amount: у JPY нет дробных единиц, получено 1.5"
    failing_client.cookies.clear()  # ?lang=ru above was remembered, and a cookie beats Accept-Language
    api = failing_client.get("/api/v1/refuse", headers={"Accept-Language": "tr-TR"})
    assert api.status_code == 422
    assert api.json() == {"detail": [{"field": "amount", "message": "JPY para biriminin alt birimi yok, verilen: 1.5"}]}
