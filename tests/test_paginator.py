"""Lists COUNT only when the answer needs the count."""

import pytest

from project.kernel.paginator import ThriftyPaginator
from tests.factories import CurrencyFactory
from tests.queries import VERSION_READ, queries_per_alias


class Rows(list):
    """A list that notes every count asked of it, as a QuerySet would run COUNT."""

    counted = 0

    def count(self, *args):
        if args:
            return super().count(*args)
        self.counted += 1
        return len(self)


def test_a_first_page_that_is_not_full_counts_itself():
    rows = Rows(range(7))

    page = ThriftyPaginator(rows, 10).page(1)

    assert list(page) == list(range(7))
    assert (page.paginator.count, page.has_next(), rows.counted) == (7, False, 0)


def test_a_full_first_page_counts_the_rest():
    rows = Rows(range(25))

    page = ThriftyPaginator(rows, 10).page(1)

    assert list(page) == list(range(10))
    assert (page.paginator.num_pages, page.has_next(), rows.counted) == (3, True, 1)


def test_a_known_count_is_taken_as_is():
    rows = Rows(range(25))

    page = ThriftyPaginator(rows, 10, count=25).page(2)

    assert list(page) == list(range(10, 20))
    assert (page.paginator.num_pages, rows.counted) == (3, 0)


@pytest.mark.django_db(databases="__all__")
def test_a_lookup_of_a_few_codes_is_one_query_beside_the_data_version(client):
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="CHF", name="Swiss franc")

    with queries_per_alias() as counts:
        body = client.get("/api/currencies/", {"codes": "EUR,CHF,USD"}).json()

    assert body["count"] == 2
    assert counts["currencies"] == 1 + VERSION_READ
