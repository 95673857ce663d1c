"""Batch, never N+1: a page asks each department once, whatever the amount of data."""

from contextlib import ExitStack

import factory
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from portal import pages
from tests.factories import CountryFactory
from tests.portal.conftest import linked_countries
from tests.queries import VERSION_READ

pytestmark = pytest.mark.django_db(databases="__all__")

ALIASES = ("default", "countries", "currencies", "languages")
# The pages, and the most queries any database alias may answer for one.
PAGES = [
    ("/", 6),
    ("/?sort=-currency", 6),
    ("/currencies/", 6),
    ("/languages/", 6),
    # A search asks the country department twice: its linked page, and the matches that are
    # not fully linked (each checks the links and counts what it finds).
    ("/?q=country", 9),
    ("/currencies/?q=currency&in_use=1&page=2", 6),
    ("/languages/?q=language", 6),
]


def queries_per_alias(client, url: str) -> dict[str, int]:
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in ALIASES
        }
        response = client.get(url)
    assert response.status_code == 200
    return {alias: len(queries) for alias, queries in captured.items()}


@pytest.mark.parametrize(("url", "budget"), PAGES)
def test_queries_do_not_grow_with_the_data(client, url, budget):
    linked_countries(55)  # more than a page of 50
    few = queries_per_alias(client, url)

    linked_countries(200)
    # Not fully linked, found by the home search: more than it shows.
    CountryFactory.create_batch(30, name=factory.Sequence(lambda n: f"Country not linked {n}"))
    many = queries_per_alias(client, url)

    assert many == few
    assert many["default"] == 0  # an anonymous page needs no session
    assert all(many[alias] <= budget for alias in ALIASES), many


def test_a_later_page_costs_what_the_first_page_costs(client):
    linked_countries(55)
    first = queries_per_alias(client, "/?q=country")
    second = queries_per_alias(client, "/?q=country&page=2")

    linked_countries(60)  # 115 in all: page 2 is now full
    assert queries_per_alias(client, "/?q=country&page=2") == second == first


def test_country_page_queries_do_not_depend_on_the_data(client):
    country = linked_countries(1)[0]
    few = queries_per_alias(client, f"/countries/{country.code}/")

    linked_countries(60)
    many = queries_per_alias(client, f"/countries/{country.code}/")

    assert many == few
    one = 1 + VERSION_READ
    assert many == {"default": 0, "countries": one, "currencies": one, "languages": one}


@pytest.mark.parametrize(
    ("path", "department"),
    [("/currencies/{currency}/", "currencies"), ("/languages/{language}/", "languages")],
)
def test_currency_and_language_pages_queries_do_not_depend_on_the_data(client, path, department):
    country = linked_countries(1)[0]
    url = path.format(currency=country.currency_code, language=country.language_code)
    few = queries_per_alias(client, url)

    for other in linked_countries(60):  # now 61 countries use the currency and the language
        other.currency_code, other.language_code = country.currency_code, country.language_code
        other.save()
    many = queries_per_alias(client, url)

    assert many == few
    assert many == {
        "default": 0,
        "countries": 1 + VERSION_READ,
        "currencies": 1 + VERSION_READ if department == "currencies" else 0,
        "languages": 1 + VERSION_READ if department == "languages" else 0,
    }


class Spy:
    """Wraps a port and records the name of every method called on it."""

    def __init__(self, department: str, directory, calls: list):
        self._department, self._directory, self._calls = department, directory, calls

    def __getattr__(self, name):
        method = getattr(self._directory, name)

        def recorded(*args, **kwargs):
            self._calls.append((self._department, name))
            return method(*args, **kwargs)

        return recorded


@pytest.fixture
def port_calls(monkeypatch):
    calls: list[tuple[str, str]] = []
    for department, getter in [
        ("countries", "get_country_directory"),
        ("currencies", "get_currency_directory"),
        ("languages", "get_language_directory"),
    ]:
        real = getattr(pages, getter)
        monkeypatch.setattr(
            pages, getter, lambda real=real, department=department: Spy(department, real(), calls)
        )
    return calls


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/?page=2",
            [("countries", "linked_page"), ("currencies", "count"), ("languages", "count")],
        ),
        (
            "/?q=country&sort=-code",
            [
                ("countries", "linked_page"),
                ("currencies", "count"),
                ("languages", "count"),
            ],
        ),
        ("/currencies/", [("currencies", "list_all"), ("countries", "list_all")]),
        ("/languages/", [("languages", "list_all"), ("countries", "list_all")]),
    ],
)
def test_a_page_makes_one_port_call_per_department(client, port_calls, url, expected):
    linked_countries(60)

    assert client.get(url).status_code == 200

    assert port_calls == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/currencies/{currency}/", [("currencies", "get_many"), ("countries", "linked_to")]),
        ("/languages/{language}/", [("languages", "get_many"), ("countries", "linked_to")]),
    ],
)
def test_currency_and_language_pages_make_one_port_call_per_department(
    client, port_calls, path, expected
):
    country = linked_countries(1)[0]
    url = path.format(currency=country.currency_code, language=country.language_code)

    assert client.get(url).status_code == 200

    assert port_calls == expected


def test_country_page_makes_one_port_call_per_department(client, port_calls):
    country = linked_countries(1)[0]

    assert client.get(f"/countries/{country.code}/").status_code == 200

    assert port_calls == [
        ("countries", "get_many"),
        ("currencies", "get_many"),
        ("languages", "get_many"),
    ]
