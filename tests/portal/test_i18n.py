"""The portal speaks English and German."""

import re

import pytest
from django.conf import settings

from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def germany():
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="XT", name="Testland", currency_code="XTS", language_code=None)


def test_english_is_the_default(client, germany):
    html = client.get("/").text

    assert '<html lang="en">' in html
    assert "<h1>Linked countries</h1>" in html


@pytest.mark.parametrize(
    ("url", "german"),
    [
        ("/", "<h1>Verknüpfte Länder</h1>"),
        ("/", "<dt>Vollständig verknüpft</dt>"),
        ("/", "1 verknüpftes Land"),
        ("/", "Verknüpfte Länder, aufsteigend nach Name sortiert"),
        ("/", "(aufsteigend sortiert)"),
        ("/?sort=-currency", "Verknüpfte Länder, absteigend nach Währungscode sortiert"),
        ("/?q=testland", "Außerdem gefunden, nicht vollständig verknüpft"),
        ("/?q=testland", "— keine Sprache"),
        ("/currencies/", "<h1>Währungen</h1>"),
        ("/languages/", "<h1>Sprachen</h1>"),
        ("/currencies/", "Nach Währungscode oder -name suchen"),
        ("/currencies/?in_use=1", "Nur verwendete"),
        ("/currencies/?q=euro", "1 Währung · passend zu „euro“"),
        ("/languages/?q=klingon", "Keine Sprache passt zu „klingon“."),
        ("/currencies/EUR/", "Länder, die sie verwenden"),
        ("/currencies/EUR/", "1 Land"),
        ("/currencies/QQQ/", "Währung nicht gefunden"),
        ("/languages/de/", "Länder, die sie sprechen"),
        ("/languages/zz/", "Die Sprachabteilung hat keine Sprache mit dem Code „zz“."),
        ("/countries/XT/", "in der Währungsabteilung nicht gefunden"),
        ("/countries/XT/", "nicht verknüpft"),
        ("/countries/QQ/", "Land nicht gefunden"),
        ("/countries/DE/", "<dt>ISO 3166-1 numerisch</dt>"),
        ("/countries/DE/", "<dt>In der API</dt>"),
    ],
)
def test_accept_language_de_shows_german(client, germany, url, german):
    response = client.get(url, headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})

    assert '<html lang="de">' in response.text
    assert german in response.text


def test_every_page_has_a_language_switcher_posting_to_set_language(client, germany):
    html = client.get("/?q=ger").text

    assert '<form class="language-switcher" action="/i18n/setlang/" method="post">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/?q=ger">' in html
    assert 'name="language" value="de"' in html


def test_the_switcher_switches_to_german_and_back(client, germany):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/?q=ger"})

    assert response.status_code == 302
    assert response.url == "/?q=ger"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    german = client.get(response.url).text
    assert '<html lang="de">' in german
    assert "Verknüpfte Länder" in german
    assert 'value="de" lang="de" aria-pressed="true"' in german

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").text


def test_the_chosen_language_beats_accept_language(client, germany):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.get("/", headers={"accept-language": "de"}).text

    assert '<html lang="en">' in html


def test_error_pages_speak_german_too(client):
    response = client.get("/no/such/page/", headers={"accept-language": "de"})

    assert response.status_code == 404
    html = response.text
    assert '<html lang="de">' in html
    assert "<h1>Nicht gefunden</h1>" in html
    assert "Unter dieser Adresse gibt es nichts." in html
    assert "Zurück zu den verknüpften Ländern" in html


@pytest.fixture
def named_in_german():
    CurrencyFactory(code="EUR", name="Euro", names={"de": "Euro"})
    CurrencyFactory(code="CHF", name="Swiss Franc", names={"de": "Schweizer Franken"})
    LanguageFactory(code="de", name="German", names={"en": "German", "de": "Deutsch"})
    for code, name, german in (
        ("DE", "Germany", "Deutschland"),
        ("AT", "Austria", "Österreich"),
        ("DK", "Denmark", "Dänemark"),
    ):
        CountryFactory(
            code=code, name=name, names={"de": german}, currency_code="EUR", language_code="de"
        )
    CountryFactory(code="CH", name="Switzerland", currency_code="CHF", language_code="de")


def country_names(html: str) -> list[str]:
    return re.findall(r'<a href="/countries/[A-Z]+/">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Austria", "Denmark", "Germany", "Switzerland"]),
        # Sorted as read in German; Switzerland has no German name: its main name stands.
        ("de", ["Dänemark", "Deutschland", "Österreich", "Switzerland"]),
    ],
)
def test_the_home_page_names_and_sorts_countries_in_the_readers_language(
    client, named_in_german, language, names
):
    html = client.get("/", headers={"Accept-Language": language}).text

    assert country_names(html) == names


def test_pages_show_the_readers_names_and_every_name_per_language(client, named_in_german):
    german = {"Accept-Language": "de"}

    country = client.get("/countries/DE/", headers=german).text
    currency = client.get("/currencies/CHF/", headers=german).text
    languages = client.get("/languages/", headers=german).text

    assert "<h1>Deutschland <code" in country
    assert '<dt>Name (English)</dt>\n      <dd lang="en">Germany</dd>' in country
    assert '<dt>Name (Deutsch)</dt>\n      <dd lang="de">Deutschland</dd>' in country
    assert ">Deutsch</a>" in country  # its language, by its German name
    assert "<h1>Schweizer Franken <code" in currency
    assert country_names(currency) == ["Switzerland"]
    assert ">Deutsch</a>" in languages
    assert country_names(languages) == ["Dänemark", "Deutschland", "Österreich", "Switzerland"]


def test_the_lists_find_records_by_their_names_in_every_language(client, named_in_german):
    found = client.get("/currencies/", {"q": "franken"}).text

    assert "/currencies/CHF/" in found
    assert "/currencies/EUR/" not in found
