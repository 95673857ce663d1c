"""The needs-attention page: countries whose links are not set or broken, for department staff."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from currencies.models import Currency
from currencies.services import currency_delete
from portal import attention
from project.topology import Topology
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory, department_user
from tests.loopback import closed_port_url
from tests.portal.conftest import linked_countries
from tests.portal.test_degraded import NOTICES, PORTS, ports_down
from tests.portal.test_queries import Spy, queries_per_alias

pytestmark = pytest.mark.django_db(databases="__all__")

URL = "/attention/"


@pytest.fixture
def staff(client):
    def logged_in(department: str = "countries"):
        department_user(department, username=f"{department}-staff")
        client.login(username=f"{department}-staff", password="correct horse")
        return client

    return logged_in


@pytest.fixture
def balkans():
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="RSD", name="Serbian dinar")
    LanguageFactory(code="el", name="Greek")
    LanguageFactory(code="sr", name="Serbian")
    CountryFactory(code="GR", name="Greece", currency_code="EUR", language_code="el")
    CountryFactory(code="RS", name="Serbia", currency_code="RSD", language_code="sr")
    CountryFactory(code="BG", name="Bulgaria", currency_code="BGN", language_code=None)
    CountryFactory(code="XK", name="Kosovo", currency_code="EUR", language_code="sq")
    CountryFactory(code="ME", name="Montenegro", currency_code=None, language_code="sr")


def rows(html: str) -> list[str]:
    """The country codes of the table's rows, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [cell.split("</code>", 1)[0] for cell in body.split("<td><code>")[1:]]


def test_anonymous_visitors_are_sent_to_log_in(client, balkans):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/admin/countries/login/?next=/attention/"


def test_a_user_of_no_department_is_refused(client, balkans):
    get_user_model().objects.create_user("visitor", password="correct horse")
    client.login(username="visitor", password="correct horse")

    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("department", ["countries", "currencies", "languages"])
def test_staff_of_any_department_see_the_page(staff, balkans, department):
    response = staff(department).get(URL)

    assert response.status_code == 200
    assert "<h1>Needs attention</h1>" in response.text
    assert response["Cache-Control"].startswith("max-age=0")


def test_staff_log_in_at_the_country_departments_site_and_come_back(client, balkans):
    department_user("currencies", username="carla")

    response = client.post(
        "/admin/countries/login/?next=/attention/",
        {"username": "carla", "password": "correct horse", "next": "/attention/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/attention/"
    assert client.get(URL).status_code == 200


def test_lists_the_countries_not_fully_linked_or_with_broken_links_by_name(staff, balkans):
    html = staff().get(URL).text

    assert rows(html) == ["BG", "XK", "ME"]  # Bulgaria, Kosovo, Montenegro; Greece, Serbia fine
    assert "3 countries of 5 need attention" in html
    assert '<a href="/countries/BG/">Bulgaria</a>' in html
    bulgaria = html.split('href="/countries/BG/"', 1)[1].split("</tr>", 1)[0]
    assert "broken" in bulgaria and "<code" in bulgaria and "BGN" in bulgaria
    assert "not found in the currency department" in bulgaria
    assert 'href="/currencies/BGN/"' not in bulgaria  # a broken link leads nowhere
    assert "not linked" in bulgaria
    kosovo = html.split('href="/countries/XK/"', 1)[1].split("</tr>", 1)[0]
    assert '<a href="/currencies/EUR/">Euro</a>' in kosovo
    assert "not found in the language department" in kosovo
    montenegro = html.split('href="/countries/ME/"', 1)[1].split("</tr>", 1)[0]
    assert "not linked" in montenegro and '<a href="/languages/sr/">Serbian</a>' in montenegro


def test_a_deleted_currency_puts_its_countries_on_the_page(staff, balkans):
    currency_delete(currency=Currency.objects.get(code="RSD"))

    html = staff().get(URL).text

    assert "RS" in rows(html)
    serbia = html.split('href="/countries/RS/"', 1)[1].split("</tr>", 1)[0]
    assert "not found in the currency department" in serbia


def test_says_so_when_every_country_is_fully_linked(staff):
    linked_countries(3)

    html = staff().get(URL).text

    assert rows(html) == []
    assert "Every country is fully linked (3 countries checked)." in html


def test_speaks_german(staff, balkans):
    html = staff().get(URL, headers={"accept-language": "de"}).text

    assert "<h1>Zu prüfen</h1>" in html
    assert "3 Länder von 5 sind zu prüfen" in html
    assert "nicht verknüpft" in html


# --- The navigation link -------------------------------------------------------------------


def test_the_nav_links_the_page_for_staff_only(client, staff, balkans):
    link = 'href="/attention/"'
    assert link not in client.get("/").text
    get_user_model().objects.create_user("visitor", password="correct horse")
    client.login(username="visitor", password="correct horse")
    assert link not in client.get("/").text

    assert link in staff("languages").get("/").text
    assert 'href="/attention/" aria-current="page"' in client.get(URL).text


# --- Departments that cannot be asked ------------------------------------------------------


@pytest.fixture
def down(monkeypatch):
    return ports_down(monkeypatch, attention)


def test_without_currencies_lists_what_it_can_and_says_so(staff, balkans, down):
    down("currencies")

    response = staff().get(URL)

    assert response.status_code == 200
    html = response.text
    assert NOTICES["currencies"] in html
    assert "Currency links could not be checked" in html
    # Bulgaria's broken currency is unknown now, but its language is not set; Kosovo's language
    # is broken; Montenegro has no currency: all three still show.
    assert rows(html) == ["BG", "XK", "ME"]
    assert "name unavailable" in html


def test_without_languages_says_so(staff, balkans, down):
    down("languages")

    html = staff().get(URL).text

    assert NOTICES["languages"] in html
    assert "Language links could not be checked" in html
    assert rows(html) == ["BG", "ME"]  # Kosovo's broken language cannot be told now


def test_without_countries_answers_with_a_notice(staff, balkans, down):
    down("countries", "currencies", "languages")

    response = staff().get(URL)

    assert response.status_code == 200
    assert NOTICES["countries"] in response.text
    assert "The countries cannot be checked while the country department is unavailable." in (
        response.text
    )
    assert rows(response.text) == []


@pytest.mark.parametrize(
    ("service", "not_listening", "named", "shown"),
    [
        # This process serves countries; the other two departments' services are down: the
        # links not set still show, broken ones cannot be told.
        ("countries", ("currencies", "languages"), ("currencies", "languages"), ["BG", "ME"]),
        # Without the countries there is nothing to ask the others about.
        ("currencies", ("countries", "languages"), ("countries",), []),
    ],
)
def test_in_a_split_topology_with_departments_down(
    staff, balkans, service, not_listening, named, shown
):
    split = Topology(service=service, service_urls={d: closed_port_url() for d in not_listening})
    client = staff()

    with override_settings(TOPOLOGY=split):
        response = client.get(URL)

    assert response.status_code == 200
    assert [notice for notice in NOTICES.values() if notice in response.text] == [
        NOTICES[department] for department in named
    ]
    assert rows(response.text) == shown


# --- Batch, never N+1 ----------------------------------------------------------------------


def unlinked_countries(count: int) -> None:
    for _ in range(count):
        CountryFactory(currency_code=CurrencyFactory().code, language_code=None)
        CountryFactory(currency_code="ZZZ", language_code=LanguageFactory().code)


def test_queries_do_not_grow_with_the_data(staff):
    client = staff()
    linked_countries(5)
    unlinked_countries(5)
    few = queries_per_alias(client, URL)

    linked_countries(100)
    unlinked_countries(100)
    many = queries_per_alias(client, URL)

    assert many == few
    assert {alias: many[alias] for alias in ("countries", "currencies", "languages")} == {
        "countries": 1,
        "currencies": 1,
        "languages": 1,
    }


def test_one_port_call_per_department(staff, monkeypatch):
    calls: list[tuple[str, str]] = []
    for department, getter in PORTS.items():
        real = getattr(attention, getter)
        monkeypatch.setattr(
            attention,
            getter,
            lambda real=real, department=department: Spy(department, real(), calls),
        )
    client = staff()
    linked_countries(30)
    unlinked_countries(30)

    assert client.get(URL).status_code == 200

    assert calls == [
        ("countries", "list_all"),
        ("currencies", "get_many"),
        ("languages", "get_many"),
    ]
