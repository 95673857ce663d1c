"""A service answers before its caller gives up: each call sends its read timeout as a budget,
and the service that receives it waits on its own calls for only part of it."""

import time
from contextlib import contextmanager

import pytest
from django.test import override_settings

from project.kernel import deadlines
from project.topology import Topology
from tests.factories import CountryFactory
from tests.loopback import scripted_server

pytestmark = pytest.mark.django_db(databases="__all__")

EURO = {"count": 1, "next": None, "previous": None, "results": [{"code": "EUR", "name": "Euro"}]}
GERMAN = {"count": 1, "next": None, "previous": None, "results": [{"code": "de", "name": "German"}]}


@contextmanager
def countries_calling(*, currencies_delay: float, read_timeout: float):
    """This process serves countries (with Germany linked to EUR and de); its currency service
    answers after `currencies_delay` seconds, its language service at once."""
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    with (
        scripted_server((200, EURO, currencies_delay)) as currencies,
        scripted_server((200, GERMAN, 0)) as languages,
    ):
        topology = Topology(
            service="countries",
            service_urls={"currencies": currencies.url, "languages": languages.url},
        )
        with override_settings(TOPOLOGY=topology, SERVICE_READ_TIMEOUT=read_timeout):
            yield currencies, languages


def sent_budget(server) -> float:
    (_, headers, _), *_ = server.requests
    return float(headers[deadlines.HEADER])


def test_a_caller_s_budget_bounds_the_calls_made_for_it(api):
    with countries_calling(currencies_delay=3.0, read_timeout=3.0) as (currencies, languages):
        started = time.monotonic()
        response = api.get("/api/linked-countries/", headers={deadlines.HEADER: "0.8"})
        elapsed = time.monotonic() - started

    # The caller waits 0.8 s; this service waited 0.6 s on currencies, not its own 3 s.
    assert elapsed < 0.8
    assert response.status_code == 200
    body = response.json()
    assert body["unavailable"] == ["currencies"]
    assert body["results"][0]["language"] == {"code": "de", "name": "German", "names": {}}
    assert sent_budget(currencies) <= 0.6
    assert sent_budget(languages) <= 0.6
    assert len(currencies.requests) == 1  # a timed-out call is not tried again


@pytest.mark.parametrize("budget", [None, "soon", "-1", "0", "nan", "inf"])
def test_without_a_usable_budget_each_call_gets_the_configured_read_timeout(api, budget):
    headers = {deadlines.HEADER: budget} if budget else {}
    with countries_calling(currencies_delay=0, read_timeout=2.5) as (currencies, languages):
        response = api.get("/api/linked-countries/", headers=headers)

    assert response.status_code == 200
    assert response.json()["unavailable"] == []
    assert sent_budget(currencies) == sent_budget(languages) == 2.5
