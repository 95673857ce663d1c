"""Search finds what people type: any letter case, with or without accents, names in every
language of the site, other codes; the best match first. The same on SQLite and PostgreSQL."""

import pytest

from countries.services import country_create, country_update
from currencies.models import Currency
from currencies.services import currency_create
from languages.services import language_create
from project.kernel.collation import sort_key
from project.kernel.search import (
    HOLDS,
    RANK,
    SEPARATOR,
    START,
    WHOLE,
    folded,
    rank,
    search_key,
    searched,
)

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def countries():
    for code, name in [
        ("BD", "Bangladesh"),
        ("DE", "Germany"),
        ("AT", "Austria"),
        ("CI", "Côte d'Ivoire"),
        ("CW", "Curaçao"),
        ("AX", "Åland Islands"),
        ("US", "United States"),
        ("DK", "Denmark"),
    ]:
        country_create(code=code, name=name)


def found(api, url, term):
    return [item["code"] for item in api.get(url, {"search": term}).json()["results"]]


@pytest.mark.parametrize(
    ("term", "codes"),
    [
        ("Deutschland", ["DE"]),  # the German name
        ("Österreich", ["AT"]),
        ("Osterreich", ["AT"]),  # without the umlaut
        ("cote", ["CI"]),
        ("curacao", ["CW"]),
        ("aland", ["AX"]),
        ("ÅLAND", ["AX"]),
        ("DEU", ["DE"]),  # alpha-3
        ("276", ["DE"]),  # numeric
        ("usa", ["US"]),
        ("Vereinigte Staaten", ["US"]),
        ("d\u2019ivoire", ["CI"]),  # the typographic apostrophe finds the typed one
        ("|", []),
    ],
)
def test_countries_are_found_by_what_people_type(api, countries, term, codes):
    assert found(api, "/api/countries/", term) == codes


def test_an_exact_code_comes_first_then_names_that_start_with_the_term(api, countries):
    # "de": Germany's code; Denmark starts with it; Bangladesh holds it ("Bangladesh").
    assert found(api, "/api/countries/", "de") == ["DE", "DK", "BD"]


def test_a_ranked_search_sorts_by_the_ordering_asked_within_each_rank(api, countries):
    results = api.get("/api/countries/", {"search": "a", "ordering": "-name"}).json()["results"]
    names = [item["name"] for item in results]

    # Austria and Åland start with "a"; the others only hold one, by name descending.
    assert set(names[:2]) == {"Austria", "Åland Islands"}
    assert names[2:] == ["United States", "Germany", "Denmark", "Curaçao", "Bangladesh"]


def test_a_rename_is_found_by_its_new_name_only(api):
    atlantis = country_create(code="QM", name="Atlantis")

    country_update(country=atlantis, name="Lemuria")

    assert found(api, "/api/countries/", "lemuria") == ["QM"]
    assert found(api, "/api/countries/", "atlantis") == []


def test_currencies_and_languages_are_found_by_their_names_in_every_language(api):
    currency_create(code="CHF", name="Swiss Franc")
    currency_create(code="EUR", name="Euro")
    language_create(code="de", name="German")
    language_create(code="fr", name="French")

    assert found(api, "/api/currencies/", "schweizer franken") == ["CHF"]
    assert found(api, "/api/languages/", "Französisch") == ["fr"]
    assert found(api, "/api/languages/", "franzosisch") == ["fr"]
    assert found(api, "/api/languages/", "deu") == ["de"]  # alpha-3


def test_the_linked_countries_and_the_portal_search_the_same_way(api, client):
    currency_create(code="EUR", name="Euro")
    language_create(code="de", name="German")
    country_create(code="AT", name="Austria", currency_code="EUR", language_code="de")

    linked = api.get("/api/linked-countries/", {"search": "osterreich"}).json()["results"]
    page = client.get("/", {"q": "Österreich"}).text

    assert [item["code"] for item in linked] == ["AT"]
    assert 'href="/countries/AT/"' in page


def test_folding_and_keys():
    assert folded("  Côte  d\u2019Ivoire ") == "cote d'ivoire"
    assert folded("Straße") == "strasse"
    assert folded("Øresund|Æble") == "oresund aeble"
    assert search_key(["DE", "Germany", None, "germany", ""]) == "|de|germany|"


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("eur", WHOLE),  # the code
        ("EURO", WHOLE),  # a whole name, any letter case
        ("éuro", WHOLE),  # accents aside
        ("eu", START),
        ("euro a", START),
        ("ro", HOLDS),
        ("area", HOLDS),  # a later word does not start a term, as in the database
        ("yen", None),
        ("", None),
        ("|", None),  # the separator is no term
    ],
)
def test_rank_in_memory(term, expected):
    assert rank(term, ["EUR", "Euro", None, "Euro area"]) == expected


@pytest.mark.parametrize("term", ["dollar", "us", "eur", "d", "franken", "Österreich"])
def test_rank_in_memory_agrees_with_the_database(term):
    for code, name in [("EUR", "Euro"), ("USD", "US Dollar"), ("AUD", "Australian Dollar")]:
        currency_create(code=code, name=name)
    currency_create(code="CHF", name="Swiss Franc")

    in_database = dict(searched(Currency.objects.all(), term).values_list("code", RANK))
    in_memory = {
        currency.code: rank(term, currency.search_key.split(SEPARATOR))
        for currency in Currency.objects.all()
    }

    assert in_database == {code: found for code, found in in_memory.items() if found is not None}


def test_names_sort_by_the_collation_rules_not_by_code_points(api, countries):
    country_create(code="CR", name="Costa Rica")
    country_create(code="HR", name="Croatia")
    country_create(code="CZ", name="Czechia")
    country_create(code="ZW", name="Zimbabwe")

    results = api.get("/api/countries/", {"ordering": "name", "page_size": 100}).json()["results"]
    names = [item["name"] for item in results]

    assert names.index("Åland Islands") < names.index("Austria")  # with the A's
    assert names[names.index("Costa Rica") : names.index("Czechia") + 1] == [
        "Costa Rica",
        "Côte d'Ivoire",
        "Croatia",
        "Curaçao",
        "Czechia",
    ]
    assert names[-1] == "Zimbabwe"


def test_a_rename_sorts_by_its_new_name(api):
    country_create(code="QM", name="Atlantis")
    zeta = country_create(code="QN", name="Zeta")

    country_update(country=zeta, name="Ärmelkanal")

    results = api.get("/api/countries/", {"ordering": "name"}).json()["results"]
    assert [item["name"] for item in results] == ["Ärmelkanal", "Atlantis"]


def test_sort_keys_order_as_the_collation_does():
    names = ["Zimbabwe", "Åland", "Czechia", "Côte d'Ivoire", "Costa Rica", "Croatia", "ábc"]

    assert sorted(names, key=sort_key) == [
        "ábc",
        "Åland",
        "Costa Rica",
        "Côte d'Ivoire",
        "Croatia",
        "Czechia",
        "Zimbabwe",
    ]
