"""The original frontend's view of the split topology: three services, each under its own base
URL, answering the v1 contract, with CORS for the frontend's origin."""

import pytest

from tests.topology.conftest import FRONTEND_ORIGIN, split_of_its_own

pytestmark = pytest.mark.topology


SERVICES = ["countries", "currencies", "languages"]
RECORDS = {
    "countries": {"name": "Urland", "shortName": "UR"},
    "currencies": {"name": "Ur crown", "shortName": "URC"},
    "languages": {"name": "Urish", "shortName": "ur"},
}


@pytest.fixture(scope="module")
def classroom_split(tmp_path_factory):
    """A split topology of its own, in classroom mode: v1 writes need no credentials."""
    with split_of_its_own(
        tmp_path_factory, "classroom", V1_ALLOW_ANONYMOUS_WRITES="true"
    ) as topology:
        yield topology


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


@pytest.mark.parametrize("service", SERVICES)
def test_lists_are_plain_arrays_by_short_name_with_or_without_a_slash(http, split, service):
    base = f"{split.url(service)}/api/v1/{service}"
    without, with_slash = (http.get(url, timeout=5) for url in (base, f"{base}/"))

    assert without.status_code == with_slash.status_code == 200
    assert without.json() == with_slash.json()
    records = without.json()
    assert isinstance(records, list) and records
    assert all(set(record) == {"name", "shortName"} for record in records)
    short_names = [record["shortName"] for record in records]
    assert short_names == sorted(short_names)


@pytest.mark.parametrize("service", SERVICES)
def test_an_unknown_short_name_is_a_404_with_or_without_a_slash(http, split, service):
    base = f"{split.url(service)}/api/v1/{service}/zzq"

    assert http.get(base, timeout=5).status_code == 404
    assert http.get(f"{base}/", timeout=5).status_code == 404


@pytest.mark.parametrize("service", SERVICES)
def test_writes_need_a_user_of_the_service_s_department(http, split, tokens, service):
    url = f"{split.url(service)}/api/v1/{service}"
    other = next(s for s in SERVICES if s != service)

    anonymous = http.post(url, json=RECORDS[service], timeout=10)
    # Each service knows only its own users: another department's token is nobody there.
    foreign = http.post(
        url, json=RECORDS[service], headers={"Authorization": f"Token {tokens[other]}"}, timeout=10
    )

    assert anonymous.status_code == foreign.status_code == 401
    assert http.get(f"{url}/{RECORDS[service]['shortName']}", timeout=5).status_code == 404


def test_in_classroom_mode_the_original_frontend_writes_without_credentials(http, classroom_split):
    def post(service, path, payload):
        return http.post(f"{classroom_split.url(service)}{path}", json=payload, timeout=10)

    created = {
        service: post(service, f"/api/v1/{service}", RECORDS[service]).status_code
        for service in SERVICES
    }
    link = {
        "country": RECORDS["countries"],
        "language": RECORDS["languages"],
        "currency": RECORDS["currencies"],
    }
    linked = post("countries", "/api/v1/countries-with-languages-and-currencies/", link)
    main_api = post("currencies", "/api/currencies/", {"code": "URD", "name": "Ur dollar"})

    assert created == {"countries": 201, "currencies": 201, "languages": 201}
    assert linked.status_code == 201
    assert linked.json() == link
    assert main_api.status_code == 401  # the main API keeps its rules
