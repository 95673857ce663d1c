"""The countries department when the currencies or languages department cannot be reached."""

import time

import pytest
from django.test import override_settings

from countries.models import Country
from project.topology import Topology
from tests.factories import CountryFactory, LanguageFactory
from tests.loopback import closed_port_url, scripted_server

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def currencies_down():
    """This process serves countries; the currency service it calls is not listening."""
    topology = Topology(
        service="countries",
        service_urls={"currencies": closed_port_url(), "languages": closed_port_url()},
    )
    with override_settings(TOPOLOGY=topology):
        yield


def test_linking_to_an_unreachable_department_is_a_503_and_saves_nothing(api_as, currencies_down):
    payload = {"code": "DE", "name": "Germany", "currency_code": "EUR"}

    response = api_as("countries").post("/api/countries/", payload, format="json")

    assert response.status_code == 503
    # Refused at once: no server listens (urllib3 files that under its timeouts).
    assert response.json() == {
        "detail": "The currencies department is unavailable: cannot connect."
    }
    assert Country.objects.count() == 0


def test_patching_a_link_while_unreachable_is_a_503_and_changes_nothing(api_as, currencies_down):
    CountryFactory(code="DE", name="Germany")

    response = api_as("countries").patch(
        "/api/countries/DE/", {"name": "Renamed", "currency_code": "EUR"}, format="json"
    )

    assert response.status_code == 503
    assert Country.objects.get().name == "Germany"


def test_renaming_needs_no_other_department(api_as, currencies_down):
    CountryFactory(code="DE", name="Germany")

    response = api_as("countries").patch(
        "/api/countries/DE/", {"name": "Deutschland"}, format="json"
    )

    assert response.status_code == 200


def test_linked_countries_still_answer_naming_the_unavailable_departments(api, currencies_down):
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")

    response = api.get("/api/linked-countries/")

    assert response.status_code == 200
    body = response.json()
    assert body["unavailable"] == ["currencies", "languages"]
    assert body["results"] == [
        {
            "code": "DE",
            "name": "Germany",
            "names": {},
            "currency": {"code": "EUR", "name": None, "names": {}},
            "language": {"code": "de", "name": None, "names": {}},
        }
    ]


@override_settings(SERVICE_READ_TIMEOUT=0.3)
def test_a_slow_department_does_not_hold_up_its_callers(api, api_as):
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    page: dict[str, object] = {"count": 0, "next": None, "previous": None, "results": []}
    with scripted_server((200, page, 3.0)) as slow_currencies:
        topology = Topology(
            service="countries",
            service_urls={"currencies": slow_currencies.url, "languages": closed_port_url()},
        )
        with override_settings(TOPOLOGY=topology):
            started = time.monotonic()
            listed = api.get("/api/linked-countries/")
            linked = api_as("countries").patch(
                "/api/countries/DE/", {"currency_code": "USD"}, format="json"
            )
            elapsed = time.monotonic() - started

    # Each call waits at most one read timeout, not the 3 s the department takes.
    assert elapsed < 1.5
    assert listed.status_code == 200
    assert "currencies" in listed.json()["unavailable"]
    assert linked.status_code == 503
    assert "no answer in time" in linked.json()["detail"]
    assert Country.objects.get().currency_code == "EUR"


def test_while_they_cannot_be_asked_set_links_count_as_fully_linked(api, currencies_down):
    CountryFactory(code="DE", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", currency_code="EUR")

    response = api.get("/api/countries/")

    assert response.status_code == 200
    assert {c["code"]: c["fully_linked"] for c in response.json()["results"]} == {
        "AT": False,
        "DE": True,
    }
    assert api.get("/api/countries/", {"fully_linked": "true"}).json()["count"] == 1
