"""Countries link to a currency and a language by code, checked with those departments."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from countries import selectors
from countries.models import Country
from countries.public import LINKED_ORDERINGS
from currencies.services import currency_delete
from languages.services import language_delete
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory
from tests.linked_orderings import EXPECTED, create_sortable_countries
from tests.queries import VERSION_READ, queries_per_alias

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def staff(api_as):
    return api_as("countries")


@pytest.fixture
def euro_and_german():
    return CurrencyFactory(code="EUR", name="Euro"), LanguageFactory(code="de", name="German")


def test_create_with_links_stores_the_canonical_codes(staff, euro_and_german):
    payload = {"code": "de", "name": "Germany", "currency_code": "eur", "language_code": "DE"}

    response = staff.post("/api/countries/", payload, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "code": "DE",
        "name": "Germany",
        "names": {},
        "currency_code": "EUR",
        "language_code": "de",
        "fully_linked": True,
    }


def test_unknown_link_codes_are_400s_naming_field_and_code(staff):
    payload = {"code": "DE", "name": "Germany", "currency_code": "XYZ", "language_code": "qq"}

    response = staff.post("/api/countries/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "currency_code": ["Unknown currency code 'XYZ'."],
        "language_code": ["Unknown language code 'qq'."],
    }
    assert Country.objects.count() == 0


def test_patch_links_one_side_and_keeps_the_other(staff, euro_and_german):
    CountryFactory(code="AT", currency_code="EUR", language_code=None)

    response = staff.patch("/api/countries/at/", {"language_code": "de"}, format="json")

    assert response.status_code == 200
    assert response.json()["currency_code"] == "EUR"
    assert response.json()["language_code"] == "de"
    assert response.json()["fully_linked"] is True


def test_patch_null_unlinks(staff, euro_and_german):
    CountryFactory(code="AT", currency_code="EUR", language_code="de")

    response = staff.patch("/api/countries/AT/", {"currency_code": None}, format="json")

    assert response.json()["currency_code"] is None
    assert response.json()["fully_linked"] is False


def test_patch_to_unknown_link_changes_nothing(staff, euro_and_german):
    CountryFactory(code="AT", name="Austria", currency_code="EUR")

    response = staff.patch(
        "/api/countries/AT/", {"name": "Renamed", "currency_code": "ATS"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["currency_code"]
    assert Country.objects.get().name == "Austria"
    assert Country.objects.get().currency_code == "EUR"


def test_fully_linked_filter(api, euro_and_german):
    CountryFactory(code="DE", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", currency_code="EUR")
    CountryFactory(code="CH")

    linked = api.get("/api/countries/", {"fully_linked": "true"}).json()["results"]
    unlinked = api.get("/api/countries/", {"fully_linked": "false"}).json()["results"]

    assert [c["code"] for c in linked] == ["DE"]
    assert [c["code"] for c in unlinked] == ["AT", "CH"]
    assert api.get("/api/countries/", {"fully_linked": "maybe"}).status_code == 400


def test_linked_countries_resolve_names_and_skip_broken_links(api, euro_and_german):
    LanguageFactory(code="fr", name="French")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="FR", name="France", currency_code="EUR", language_code="fr")
    CountryFactory(code="XX", name="Broken", currency_code="ZZZ", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR")

    body = api.get("/api/linked-countries/").json()

    assert body["count"] == 2
    assert body["unavailable"] == []
    assert body["totals"] == {"countries": 4, "fully_linked": 2}
    assert body["results"][0] == {
        "code": "DE",
        "name": "Germany",
        "names": {},
        "currency": {"code": "EUR", "name": "Euro", "names": {}},
        "language": {"code": "de", "name": "German", "names": {}},
    }
    assert [c["code"] for c in body["results"]] == ["DE", "FR"]


def test_linked_countries_search_and_order_by_name(api, euro_and_german):
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    CountryFactory(code="LU", name="Luxembourg", currency_code="EUR", language_code="de")

    by_name = api.get("/api/linked-countries/", {"ordering": "name"}).json()["results"]
    found = api.get("/api/linked-countries/", {"search": "MANY"}).json()["results"]

    assert [c["name"] for c in by_name] == ["Austria", "Germany", "Luxembourg"]
    assert [c["code"] for c in found] == ["DE"]


def test_linked_countries_cost_the_same_queries_whatever_the_page_size(api, euro_and_german):
    CountryFactory.create_batch(120, currency_code="EUR", language_code="de")

    with queries_per_alias() as small:
        api.get("/api/linked-countries/", {"page_size": 5})
    with queries_per_alias() as large:
        api.get("/api/linked-countries/", {"page_size": 500})

    assert small == large
    # One batched port call each to the other departments.
    assert small["currencies"] == 1 + VERSION_READ
    assert small["languages"] == 1 + VERSION_READ


@pytest.mark.parametrize("value", ["", "maybe", "2"])
def test_fully_linked_takes_only_a_boolean(api, value):
    response = api.get("/api/countries/", {"fully_linked": value})

    assert response.status_code == 400
    assert list(response.json()) == ["fully_linked"]


@pytest.mark.parametrize("ordering", LINKED_ORDERINGS)
def test_linked_countries_sort_by_each_field_both_ways_ties_by_code(api, ordering):
    create_sortable_countries()

    results = api.get("/api/linked-countries/", {"ordering": ordering}).json()["results"]

    assert [c["code"] for c in results] == EXPECTED[ordering]


@pytest.mark.parametrize("value", ["", "size", "currency", "--code", "name,code", "currency_name"])
def test_linked_countries_ordering_is_a_documented_field(api, value):
    response = api.get("/api/linked-countries/", {"ordering": value})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


def test_linked_countries_ask_for_each_distinct_code_of_a_fully_linked_country_once(
    api, euro_and_german, monkeypatch
):
    CurrencyFactory(code="CHF", name="Swiss franc")
    LanguageFactory(code="fr", name="French")
    CountryFactory.create_batch(30, currency_code="EUR", language_code="de")
    CountryFactory(code="CH", currency_code="CHF", language_code="fr")
    CountryFactory(code="XA", currency_code="USD", language_code=None)  # not fully linked
    CountryFactory(code="XB", currency_code=None, language_code="it")
    asked = {}

    def recording(department, real):
        class Recording:
            def get_many(self, codes):
                asked[department] = sorted(codes)
                return real().get_many(codes)

        return Recording

    for department, getter in [
        ("currencies", "get_currency_directory"),
        ("languages", "get_language_directory"),
    ]:
        real = getattr(selectors, getter)
        monkeypatch.setattr(selectors, getter, recording(department, real))

    assert api.get("/api/linked-countries/").json()["count"] == 31
    assert asked == {"currencies": ["CHF", "EUR"], "languages": ["de", "fr"]}


@pytest.mark.parametrize("delete", ["currency", "language"])
def test_a_deleted_link_target_leaves_its_countries_not_fully_linked(api, euro_and_german, delete):
    euro, german = euro_and_german
    CountryFactory(code="DE", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", currency_code="EUR", language_code="de")
    if delete == "currency":
        currency_delete(currency=euro)
    else:
        language_delete(language=german)

    listed = api.get("/api/countries/").json()["results"]

    assert {c["code"]: c["fully_linked"] for c in listed} == {"AT": False, "DE": False}
    assert api.get("/api/countries/DE/").json()["fully_linked"] is False
    assert api.get("/api/countries/", {"fully_linked": "true"}).json()["count"] == 0
    assert api.get("/api/countries/", {"fully_linked": "false"}).json()["count"] == 2
    assert api.get("/api/linked-countries/").json()["totals"] == {"countries": 2, "fully_linked": 0}


def test_a_country_list_checks_its_links_with_one_call_per_department(api, euro_and_german):
    CountryFactory.create_batch(40, currency_code="EUR", language_code="de")

    with queries_per_alias() as asked:
        api.get("/api/countries/", {"page_size": 30})

    assert asked["currencies"] == 1 + VERSION_READ
    assert asked["languages"] == 1 + VERSION_READ


def test_countries_linked_to_a_currency_or_a_language(api, euro_and_german):
    CountryFactory(code="DE", currency_code="EUR", language_code="de")
    CountryFactory(code="FR", currency_code="EUR", language_code="fr")
    CountryFactory(code="CH", currency_code="CHF", language_code="de")

    def codes(**filters):
        return [c["code"] for c in api.get("/api/countries/", filters).json()["results"]]

    assert codes(currency_code="eur") == ["DE", "FR"]
    assert codes(language_code="DE") == ["CH", "DE"]
    assert codes(currency_code="EUR", language_code="de") == ["DE"]
    assert codes(currency_code="E,R") == []
    assert codes(currency_code="", language_code="de") == ["CH", "DE"]  # blank: any
    assert api.get("/api/countries/", {"currency_code": "EURO"}).status_code == 400


def test_a_searched_linked_page_past_the_end_counts_once(api, euro_and_german):
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    # Not LU: its other names ("Grand Duchy of Luxembourg") have an "a".
    CountryFactory(code="QL", name="Luxembourg", currency_code="EUR", language_code="de")

    with CaptureQueriesContext(connections["countries"]) as queries:
        response = api.get("/api/linked-countries/", {"search": "a", "page": 9, "page_size": 1})

    assert response.status_code == 404
    assert response.json()["count"] == 2  # Germany, Austria
    # The totals' aggregate, and one count of the search.
    assert sum("COUNT(" in query["sql"] for query in queries.captured_queries) == 2


def test_a_fully_linked_filter_and_its_rows_share_one_check(api, euro_and_german):
    CountryFactory.create_batch(5, currency_code="EUR", language_code="de")
    CountryFactory(code="XX", currency_code="ZZZ", language_code="de")  # a dangling link

    with queries_per_alias() as asked:
        body = api.get("/api/countries/", {"fully_linked": "true"}).json()

    assert body["count"] == 5
    assert {country["fully_linked"] for country in body["results"]} == {True}
    assert (asked["currencies"], asked["languages"]) == (1 + VERSION_READ, 1 + VERSION_READ)


@pytest.mark.parametrize("ordering", ["currency_code", "-currency_code"])
def test_countries_sort_by_a_link_with_unlinked_ones_last(api, ordering):
    CountryFactory(code="AT", currency_code="EUR", language_code="de")
    CountryFactory(code="BG", currency_code=None, language_code="bg")
    CountryFactory(code="CH", currency_code="CHF", language_code="de")

    results = api.get("/api/countries/", {"ordering": ordering}).json()["results"]

    linked = ["CH", "AT"] if ordering == "currency_code" else ["AT", "CH"]
    assert [item["code"] for item in results] == [*linked, "BG"]
