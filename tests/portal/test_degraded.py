"""A department that is down makes a page show less, never fail (unit tests of the degrade path:
the ports are replaced; real outages between processes are tested with the split topology)."""

import pytest
from django.utils import translation

from countries.public import Link, LinkedCountry, LinkedCountryPage
from portal import pages
from project.kernel.ports import DepartmentUnavailable
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = pytest.mark.django_db(databases="__all__")

PORTS = {
    "countries": "get_country_directory",
    "currencies": "get_currency_directory",
    "languages": "get_language_directory",
}
NOTICES = {
    "countries": "The country department is unavailable right now.",
    "currencies": "The currency department is unavailable right now.",
    "languages": "The language department is unavailable right now.",
}


class DownDirectory:
    """A port whose every call fails as an unreachable service's would."""

    def __init__(self, department: str):
        self.department = department

    def __getattr__(self, name):
        def unavailable(*args, **kwargs):
            raise DepartmentUnavailable(self.department, "connection refused")

        return unavailable


def ports_down(monkeypatch, module):
    """`take_down(*departments)`: `module`'s getters of those departments' ports answer a port
    whose every call fails."""

    def take_down(*departments: str) -> None:
        for department in departments:
            directory = DownDirectory(department)
            monkeypatch.setattr(module, PORTS[department], lambda d=directory: d)

    return take_down


@pytest.fixture
def down(monkeypatch):
    return ports_down(monkeypatch, pages)


@pytest.fixture
def europe():
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="CHF", name="Swiss franc")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="CH", name="Switzerland", currency_code="CHF", language_code="de")


def test_home_without_currencies_still_lists_the_linked_countries(client, europe, down):
    down("currencies")

    response = client.get("/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["currencies"] in html
    assert '<a href="/countries/DE/">Germany</a>' in html
    assert '<dt>Currencies</dt><dd><span class="muted">unavailable</span></dd>' in html
    assert "<dt>Languages</dt><dd>1</dd>" in html


def test_home_without_countries_says_so_and_shows_the_other_counts(client, europe, down):
    down("countries")

    response = client.get("/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["countries"] in html
    assert "cannot be shown while the country department is unavailable" in html
    assert '<dt>Countries</dt><dd><span class="muted">unavailable</span></dd>' in html
    assert "<dt>Currencies</dt><dd>2</dd>" in html
    assert "<dt>Languages</dt><dd>1</dd>" in html


def test_home_search_without_countries_says_so_and_lists_no_match(client, europe, down):
    CountryFactory(code="XT", name="Testland")  # not fully linked: the search would list it
    down("countries")

    response = client.get("/", {"q": "land"})

    assert response.status_code == 200
    html = response.text
    assert NOTICES["countries"] in html
    assert "cannot be shown while the country department is unavailable" in html
    assert "Also found" not in html
    assert 'value="land"' in html


def test_home_search_without_currencies_still_lists_the_matches_not_fully_linked(
    client, europe, down
):
    CountryFactory(code="XT", name="Testland", currency_code="EUR", language_code=None)
    down("currencies")

    html = client.get("/", {"q": "land"}).text

    assert NOTICES["currencies"] in html
    assert '<a href="/countries/CH/">Switzerland</a>' in html  # its links count as set
    assert '<a href="/countries/XT/">Testland</a> <code class="code">XT</code> — no language' in (
        html
    )


def test_home_without_any_department_still_answers(client, down):
    down("countries", "currencies", "languages")

    response = client.get("/")

    assert response.status_code == 200
    for notice in NOTICES.values():
        assert notice in response.text


class CountriesWithoutCurrencyNames:
    """The country port as it answers when it could not ask the currency department."""

    def linked_page(
        self, *, search="", page=1, page_size=50, ordering="code", language=None, not_linked=0
    ):
        return LinkedCountryPage(
            results=[
                LinkedCountry(
                    code="DE",
                    name="Germany",
                    currency=Link(code="EUR", name=None),
                    language=Link(code="de", name="German"),
                )
            ],
            count=1,
            page=page,
            page_size=page_size,
            unavailable=["currencies"],
            total_countries=1,
            total_fully_linked=1,
        )


def test_home_honours_the_departments_the_country_port_could_not_reach(client, europe, monkeypatch):
    monkeypatch.setattr(pages, "get_country_directory", CountriesWithoutCurrencyNames)

    response = client.get("/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["currencies"] in html
    assert (
        '<a href="/currencies/EUR/"><code class="code">EUR</code></a> '
        '<span class="muted">name unavailable</span>'
    ) in html
    assert "German" in html


def test_country_without_currencies_shows_the_code_and_the_language(client, europe, down):
    down("currencies")

    response = client.get("/countries/DE/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["currencies"] in html
    assert (
        '<a href="/currencies/EUR/"><code class="code">EUR</code></a> '
        '<span class="muted">name unavailable</span>'
    ) in html
    assert "German" in html
    assert "broken" not in html


def test_country_without_countries_answers_with_a_notice_not_a_404(client, down):
    down("countries")

    response = client.get("/countries/DE/")

    assert response.status_code == 200
    assert NOTICES["countries"] in response.text
    assert "This country cannot be shown" in response.text


def test_currencies_without_countries_still_lists_the_currencies(client, europe, down):
    down("countries")

    response = client.get("/currencies/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["countries"] in html
    assert "Euro" in html
    assert "Swiss franc" in html
    assert "The countries cannot be shown while the country department is unavailable." in html


def test_currencies_without_currencies_lists_the_codes_countries_use(client, europe, down):
    down("currencies")

    response = client.get("/currencies/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["currencies"] in html
    assert "Currency names cannot be shown" in html
    assert '<a href="/currencies/EUR/"><code>EUR</code></a>' in html
    assert '<a href="/countries/DE/">Germany</a>' in html


def test_languages_without_countries_still_lists_the_languages(client, europe, down):
    down("countries")

    response = client.get("/languages/")

    assert response.status_code == 200
    assert NOTICES["countries"] in response.text
    assert "German" in response.text


def test_languages_without_languages_lists_the_codes_countries_use(client, europe, down):
    down("languages")

    response = client.get("/languages/")

    assert response.status_code == 200
    assert NOTICES["languages"] in response.text
    assert '<a href="/languages/de/"><code>de</code></a>' in response.text


def test_currencies_without_countries_cannot_tell_which_are_in_use_and_shows_all(
    client, europe, down
):
    down("countries")

    html = client.get("/currencies/", {"in_use": "1"}).text

    assert "Which are in use cannot be told while the country department is unavailable" in html
    assert '<a href="/currencies/EUR/">Euro</a>' in html
    assert '<a href="/currencies/CHF/">Swiss franc</a>' in html


def test_currencies_without_currencies_search_the_codes(client, europe, down):
    down("currencies")

    html = client.get("/currencies/", {"q": "eur"}).text

    assert '<a href="/currencies/EUR/"><code>EUR</code></a>' in html
    assert "CHF" not in html


def test_currency_page_without_currencies_shows_the_code_and_its_countries(client, europe, down):
    down("currencies")

    response = client.get("/currencies/EUR/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["currencies"] in html
    assert '<h1>Currency EUR <code class="code-large">EUR</code></h1>' in html
    assert '<span class="muted">name unavailable</span>' in html
    assert '<a href="/countries/DE/">Germany</a>' in html


def test_language_page_without_countries_shows_the_language_and_says_so(client, europe, down):
    down("countries")

    response = client.get("/languages/de/")

    assert response.status_code == 200
    html = response.text
    assert NOTICES["countries"] in html
    assert '<h1>German <code class="code-large">de</code></h1>' in html
    assert "The countries cannot be shown while the country department is unavailable." in html


def test_currency_page_without_any_department_still_answers(client, down):
    down("countries", "currencies")

    response = client.get("/currencies/EUR/")

    assert response.status_code == 200
    assert NOTICES["countries"] in response.text
    assert NOTICES["currencies"] in response.text


def test_the_notice_is_translated(client, europe, down):
    down("currencies")

    response = client.get("/countries/DE/", headers={"accept-language": "de"})

    assert response.status_code == 200
    assert "Die Währungsabteilung ist derzeit nicht erreichbar." in response.text


def test_an_unknown_department_name_gets_a_generic_notice():
    with translation.override("en"):
        notice = pages.unavailable_notice("weather")

    assert notice == "The weather department is unavailable right now."
