from types import ModuleType
from typing import Protocol, cast

import pytest
from django.db import connections


class ConcreteBackend(Protocol):
    """A backend's DatabaseWrapper names its DB-API module; the base class in the stubs does not."""

    Database: ModuleType


def test_healthz_answers_without_touching_a_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(databases="__all__")
def test_readyz_answers_before_host_validation(client):
    # A kubelet probe uses the pod IP, which is not in ALLOWED_HOSTS.
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200


def test_other_paths_still_validate_the_host(client):
    assert client.get("/api/countries/", HTTP_HOST="evil.example").status_code == 400


@pytest.mark.django_db(databases="__all__")
def test_readyz_is_503_when_an_own_database_does_not_answer(client, monkeypatch):
    def refuse():
        database = cast(ConcreteBackend, connections["languages"]).Database
        raise database.OperationalError("connection refused")

    monkeypatch.setattr(connections["languages"], "ensure_connection", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["databases"] == {"languages": "OperationalError"}
