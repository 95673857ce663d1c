"""Requests racing each other: the database constraint decides, never a 500, nothing torn."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from countries.models import Country
from currencies.models import Currency
from languages.models import Language
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers; SQLite's in-memory test databases lock whole tables",
    ),
]


def concurrently(token: str, requests: list[tuple[str, str, dict]]) -> list:
    """Send each (method, path, body) from its own thread at the same moment."""
    start = threading.Barrier(len(requests), timeout=30)
    responses = [None] * len(requests)

    def send(index, method, path, body):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        try:
            start.wait()
            responses[index] = getattr(client, method)(path, body, format="json")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(index, *request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.parametrize(
    ("department", "model", "code", "message"),
    [
        ("countries", Country, "FR", "A country with this code already exists."),
        ("currencies", Currency, "EUR", "A currency with this code already exists."),
        ("languages", Language, "fr", "A language with this code already exists."),
    ],
    ids=["countries", "currencies", "languages"],
)
def test_twenty_concurrent_creates_of_one_code_give_one_201_and_nineteen_400s(
    api_as, monkeypatch, department, model, code, message
):
    token = api_as(department)._credentials["HTTP_AUTHORIZATION"]
    writers = 20
    # Every writer passes validation before any inserts: the race happens on every run.
    all_validated = threading.Barrier(writers, timeout=30)
    full_clean = model.full_clean

    def full_clean_then_wait(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        all_validated.wait()

    monkeypatch.setattr(model, "full_clean", full_clean_then_wait)

    responses = concurrently(
        token,
        [
            ("post", f"/api/{department}/", {"code": code, "name": f"Name {n}"})
            for n in range(writers)
        ],
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * 19
    for response in responses:
        if response.status_code == 400:
            assert response.json() == {"code": [message]}
    assert model.objects.count() == 1


def test_concurrent_patches_of_one_country_leave_a_consistent_row(api_as):
    token = api_as("countries")._credentials["HTTP_AUTHORIZATION"]
    currencies = [CurrencyFactory() for _ in range(5)]
    languages = [LanguageFactory() for _ in range(5)]
    CountryFactory(code="AT", name="Austria")
    patches = [
        {
            "name": f"Name {n}",
            "currency_code": currencies[n].code,
            "language_code": languages[n].code,
        }
        for n in range(5)
    ]

    responses = concurrently(token, [("patch", "/api/countries/AT/", body) for body in patches])

    assert all(response.status_code == 200 for response in responses)
    row = Country.objects.get(code="AT")
    # One whole patch won: name and links come from the same request, never a mix.
    assert {
        "name": row.name,
        "currency_code": row.currency_code,
        "language_code": row.language_code,
    } in patches


def test_concurrent_patches_of_different_fields_all_land(api_as):
    token = api_as("countries")._credentials["HTTP_AUTHORIZATION"]
    CurrencyFactory(code="EUR")
    LanguageFactory(code="de")
    CountryFactory(code="AT", name="Austria")

    responses = concurrently(
        token,
        [
            ("patch", "/api/countries/AT/", {"name": "Österreich"}),
            ("patch", "/api/countries/AT/", {"currency_code": "EUR"}),
            ("patch", "/api/countries/AT/", {"language_code": "de"}),
        ],
    )

    assert all(response.status_code == 200 for response in responses)
    row = Country.objects.get(code="AT")
    assert (row.name, row.currency_code, row.language_code) == ("Österreich", "EUR", "de")
