"""How the HTTP adapter behaves when the other department misbehaves: every failure becomes
`DepartmentUnavailable`, within the configured timeouts."""

import time

import pytest
from django.test import override_settings

from countries.adapters import HttpCountryDirectory
from currencies.public import Currency
from project.kernel.http import HttpDirectory
from project.kernel.ports import DepartmentUnavailable
from tests.loopback import closed_port_url, scripted_server

PAGE = {"count": 1, "next": None, "previous": None, "results": [{"code": "EUR", "name": "Euro"}]}


def directory(base_url: str) -> HttpDirectory:
    return HttpDirectory("currencies", f"{base_url}/api/currencies/", lambda item: Currency(**item))


def test_refused_connection_is_unavailable():
    with pytest.raises(DepartmentUnavailable, match="unavailable: cannot connect"):
        directory(closed_port_url()).list_all()


@pytest.mark.parametrize(
    "answer",
    [{"not": "a page"}, [1, 2], {"results": [{"code": "EUR"}], "next": None}, {"results": None}],
    ids=["no results", "a list", "a record without a name", "results null"],
)
def test_an_answer_that_is_not_a_page_of_records_is_unavailable(answer):
    with (
        scripted_server((200, answer, 0.0)) as server,
        pytest.raises(DepartmentUnavailable, match="something other than a page of records"),
    ):
        directory(server.url).list_all()


@override_settings(SERVICE_READ_TIMEOUT=0.3)
def test_slow_answer_is_unavailable_within_the_timeout_budget():
    with scripted_server((200, PAGE, 2.0)) as server:
        started = time.monotonic()
        with pytest.raises(DepartmentUnavailable, match="no answer in time"):
            directory(server.url).list_all()
        elapsed = time.monotonic() - started

    # One try of 0.3 s, never the 2 s the server takes: a slow department is not asked again.
    assert elapsed < 1.0
    assert len(server.requests) == 1


def test_a_failed_get_is_retried_once():
    with scripted_server((503, {}, 0), (200, PAGE, 0)) as server:
        assert directory(server.url).list_all() == [Currency(code="EUR", name="Euro")]

    assert len(server.requests) == 2


def test_a_persistent_outage_is_unavailable_after_one_retry():
    with (
        scripted_server((503, {}, 0)) as server,
        pytest.raises(DepartmentUnavailable, match="HTTP 503"),
    ):
        directory(server.url).list_all()

    assert len(server.requests) == 2


def test_a_server_error_is_unavailable_without_a_retry():
    with (
        scripted_server((500, {}, 0)) as server,
        pytest.raises(DepartmentUnavailable, match="HTTP 500"),
    ):
        directory(server.url).list_all()

    assert len(server.requests) == 1


def test_one_batch_is_one_request_on_a_kept_alive_connection():
    with scripted_server((200, PAGE, 0)) as server:
        adapter = directory(server.url)
        adapter.get_many(["eur", "usd", "chf"])
        adapter.get_many(["gbp"])

    paths = [path for path, _, _ in server.requests]
    assert len(paths) == 2
    assert "codes=chf%2Ceur%2Cusd" in paths[0]
    # Both requests came over the same pooled connection.
    assert len({client_port for _, _, client_port in server.requests}) == 1


PAST_THE_END = {
    "detail": "Invalid page.",
    "count": 2,
    "unavailable": [],
    "totals": {"countries": 3, "fully_linked": 2},
}


def test_a_linked_page_past_the_end_is_one_request_with_the_counts():
    with scripted_server((404, PAST_THE_END, 0)) as server:
        page = HttpCountryDirectory(server.url).linked_page(page=9, page_size=1)

    assert (page.results, page.count, page.total_countries) == ([], 2, 3)
    assert len(server.requests) == 1


def test_a_404_without_the_counts_is_unavailable():
    with (
        scripted_server((404, {"detail": "Not found."}, 0)) as server,
        pytest.raises(DepartmentUnavailable, match="HTTP 404"),
    ):
        HttpCountryDirectory(server.url).linked_page()

    assert len(server.requests) == 1
