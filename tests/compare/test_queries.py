"""Work per page as counts, not timings: the queries each alias runs for a page do not grow with
the page size or with the data (the comparison's scenarios, in-process)."""

from itertools import product
from string import ascii_uppercase

import pytest

from countries.models import Country
from tests.factories import CurrencyFactory, LanguageFactory
from tests.queries import VERSION_READ, queries_per_alias

pytestmark = pytest.mark.django_db(databases="__all__")

_CODES = ["".join(letters) for letters in product(ascii_uppercase, repeat=3)]


@pytest.fixture
def links():
    """A few currencies and languages for the countries to link to."""
    return [(CurrencyFactory().code, LanguageFactory().code) for _ in range(5)]


def add_countries(links, total: int) -> None:
    """Top the countries up to `total`: nine in ten fully linked, the rest linked to nothing."""
    have = Country.objects.count()
    Country.objects.bulk_create(
        Country(
            code=_CODES[number],
            name=f"Country {number:04d}",
            currency_code=links[number % len(links)][0] if number % 10 else None,
            language_code=links[number % len(links)][1] if number % 10 else None,
        )
        for number in range(have, total)
    )


def counted(client, url: str) -> dict[str, int]:
    with queries_per_alias() as counts:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return counts


@pytest.mark.parametrize("path", ["/api/countries/", "/api/linked-countries/"])
def test_api_list_queries_do_not_grow_with_the_page_size(api, links, path):
    add_countries(links, 300)

    small = counted(api, f"{path}?page_size=10")
    large = counted(api, f"{path}?page_size=200")

    assert small == large
    assert small["default"] == 0  # anonymous reads touch no session or user
    # At most one batch per other department (linked countries resolve their names).
    most = 1 + VERSION_READ
    assert small["currencies"] <= most and small["languages"] <= most, small
    assert small["countries"] <= 6, small


@pytest.mark.parametrize("path", ["/api/countries/", "/api/linked-countries/"])
def test_api_list_queries_do_not_grow_with_the_data(api, links, path):
    add_countries(links, 60)  # more than a page of 50
    few = counted(api, path)

    add_countries(links, 300)
    many = counted(api, path)

    assert few == many
    assert many["countries"] <= 6, many


def test_portal_home_queries_do_not_grow_with_the_data(client, links):
    add_countries(links, 10)
    few = counted(client, "/")

    add_countries(links, 300)
    many = counted(client, "/")

    assert few == many
    assert many["default"] == 0
    # Per department: the names in one batch (asked by countries), and the count the portal
    # shows.
    assert many["currencies"] == many["languages"] == 2 + VERSION_READ, many
    assert many["countries"] <= 6, many
