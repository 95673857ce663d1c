"""The original frontend's view of the split topology: three services, each under its own base
URL, answering the v1 contract, with CORS for the frontend's origin."""

import pytest
import requests

from tests.topology.conftest import FRONTEND_ORIGIN

pytestmark = pytest.mark.topology


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def test_each_service_answers_its_own_part_of_the_v1_contract(http, split, tokens):
    def post(service, path, payload):
        return http.post(
            f"{split.url(service)}{path}",
            json=payload,
            headers={"Authorization": f"Token {tokens[service]}"},
            timeout=10,
        )

    assert (
        post("currencies", "/api/v1/currencies", {"name": "Vee", "shortName": "vvv"}).status_code
        == 201
    )
    assert (
        post("languages", "/api/v1/languages", {"name": "Veelish", "shortName": "vv"}).status_code
        == 201
    )
    assert (
        post("countries", "/api/v1/countries/", {"name": "Veeland", "shortName": "vv"}).status_code
        == 201
    )
    link = {
        "country": {"name": "Veeland", "shortName": "VV"},
        "language": {"name": "Veelish", "shortName": "vv"},
        "currency": {"name": "Vee", "shortName": "VVV"},
    }
    linked = post("countries", "/api/v1/countries-with-languages-and-currencies", link)
    listed = http.get(
        f"{split.url('countries')}/api/v1/countries-with-languages-and-currencies", timeout=10
    ).json()

    assert linked.status_code == 201
    assert linked.json() == link
    assert link in listed
    assert http.get(f"{split.url('currencies')}/api/v1/currencies/vvv", timeout=5).json() == {
        "name": "Vee",
        "shortName": "VVV",
    }
    assert http.get(f"{split.url('currencies')}/api/v1/countries", timeout=5).status_code == 404


def test_linking_to_an_unknown_short_name_saves_nothing(http, split, tokens):
    http.post(
        f"{split.url('countries')}/api/v1/countries",
        json={"name": "Wyland", "shortName": "WY"},
        headers={"Authorization": f"Token {tokens['countries']}"},
        timeout=10,
    )
    response = http.post(
        f"{split.url('countries')}/api/v1/countries-with-languages-and-currencies",
        json={
            "country": {"name": "Wyland", "shortName": "WY"},
            "language": {"name": "?", "shortName": "qx"},
            "currency": {"name": "?", "shortName": "QXQ"},
        },
        headers={"Authorization": f"Token {tokens['countries']}"},
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json() == {
        "currency": {"shortName": ["Unknown currency code 'QXQ'."]},
        "language": {"shortName": ["Unknown language code 'qx'."]},
    }
    wyland = http.get(f"{split.url('countries')}/api/countries/WY/", timeout=5).json()
    assert (wyland["currency_code"], wyland["language_code"]) == (None, None)


@pytest.mark.parametrize("service", ["countries", "currencies", "languages"])
def test_cors_preflight_on_each_service(http, split, service):
    response = http.options(
        f"{split.url(service)}/api/v1/{service}",
        headers={
            "Origin": FRONTEND_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=5,
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND_ORIGIN
