"""At 25,000 countries a page still reads an index, not every row, and asks no more queries than
at a handful: checked in PostgreSQL's plans (SQLite reads every row for a search anyway)."""

import itertools
import string
from contextlib import ExitStack

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from countries.models import Country
from countries.search import country_search_key
from countries.selectors import country_list, linked_countries
from project.kernel.names import set_names
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans"),
]

COUNTRIES = 25_000
ALIASES = ("default", "countries", "currencies", "languages")


def synthetic_codes(count: int) -> list[str]:
    """Three characters, at least one a digit: never a real code."""
    every = (
        "".join(chars)
        for chars in itertools.product(string.digits + string.ascii_uppercase, repeat=3)
    )
    return list(itertools.islice((code for code in every if not code.isalpha()), count))


def add_countries(count: int) -> None:
    """`count` linked countries with synthetic names, as the services would write them."""
    rows = []
    for number, code in enumerate(synthetic_codes(count)):
        country = Country(code=code, currency_code="EUR", language_code="de")
        set_names(
            country,
            name=f"Synthetic {number:05d}",
            names={"de": f"Künstlich {number:05d}"},
            search_key=country_search_key,
        )
        rows.append(country)
    Country.objects.bulk_create(rows, batch_size=5000)
    with connections["countries"].cursor() as cursor:  # planner statistics, as in use
        cursor.execute("ANALYZE countries_country")


@pytest.fixture
def germany():
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German", names={"de": "Deutsch"})
    CountryFactory(
        code="DE", name="Germany", names={"de": "Deutschland"}, currency_code="EUR",
        language_code="de",
    )  # fmt: skip


def plan(queryset) -> str:
    return queryset.explain()


def test_a_search_reads_the_trigram_index(germany):
    add_countries(COUNTRIES)

    for queryset in (
        linked_countries(search="deutschland", ordering="name", language="de").countries[:50],
        country_list(search="schland"),
    ):
        explained = plan(queryset)
        assert "country_search_trgm_idx" in explained, explained
        assert "Seq Scan" not in explained, explained
    assert [c.code for c in country_list(search="deutschland")] == ["DE"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_page_of_countries_by_name_reads_the_index_of_the_readers_language(germany, language):
    add_countries(COUNTRIES)

    explained = plan(linked_countries(ordering="name", language=language).countries[:50])

    assert f"country_name_{language}_idx" in explained, explained
    assert "Seq Scan on countries_country" not in explained, explained


def queries_per_alias(client, url: str) -> dict[str, int]:
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in ALIASES
        }
        response = client.get(url, headers={"Accept-Language": "de"})
    assert response.status_code == 200
    return {alias: len(queries) for alias, queries in captured.items()}


@pytest.mark.parametrize("url", ["/", "/?q=deutschland", "/?q=de"])
def test_the_home_page_asks_as_many_queries_at_25000_countries_as_at_one(client, germany, url):
    few = queries_per_alias(client, url)
    add_countries(COUNTRIES)

    assert queries_per_alias(client, url) == few


def test_a_lookup_of_many_codes_binds_them_as_one_array_and_reads_the_code_index(germany):
    add_countries(COUNTRIES)
    letters = ("".join(chars) for chars in itertools.product(string.ascii_lowercase, repeat=3))
    wanted = ["de", *itertools.islice(letters, 300)]  # Germany, and 300 codes no country has

    with CaptureQueriesContext(connections["countries"]) as captured:
        found = list(country_list(codes=wanted).values_list("code", flat=True))

    assert found == ["DE"]
    (query,) = captured.captured_queries
    assert "= ANY(" in query["sql"] and " IN (" not in query["sql"], query["sql"]
    explained = plan(country_list(codes=wanted))
    assert "countries_country_code" in explained, explained
    assert "Seq Scan" not in explained, explained
