"""A corpus of bad input against every write endpoint: each answer is a 4xx with a clear
message, and no row changes."""

import json

import pytest

from countries.models import Country
from currencies.models import Currency
from languages.models import Language
from tests.bad_input import DETAILS, LISTS, WRITES, bad_bodies, bad_links
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def existing():
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="AT", name="Austria")


def snapshot():
    return [
        sorted(Country.objects.values_list("code", "name", "currency_code", "language_code")),
        sorted(Currency.objects.values_list("code", "name")),
        sorted(Language.objects.values_list("code", "name")),
    ]


@pytest.mark.parametrize(("department", "method", "path", "body"), [*bad_bodies(), *bad_links()])
def test_bad_values_are_4xx_with_a_message_and_change_nothing(
    api_as, existing, department, method, path, body
):
    before = snapshot()

    response = getattr(api_as(department), method)(path, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json(), "a message per field"
    assert snapshot() == before


@pytest.mark.parametrize(("department", "method", "path", "valid"), WRITES)
class TestMalformedRequests:
    def test_malformed_json(self, api_as, existing, department, method, path, valid):
        before = snapshot()
        response = getattr(api_as(department), method)(
            path, '{"name": "x",', content_type="application/json"
        )
        assert response.status_code == 400
        assert "JSON parse error" in response.json()["detail"]
        assert snapshot() == before

    def test_wrong_content_type(self, api_as, existing, department, method, path, valid):
        before = snapshot()
        response = getattr(api_as(department), method)(
            path, "name=x&code=QA", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 415
        assert "Unsupported media type" in response.json()["detail"]
        assert snapshot() == before

    def test_huge_body(self, api_as, existing, department, method, path, valid):
        before = snapshot()
        body = json.dumps({**valid, "name": "x" * 200_000})
        response = getattr(api_as(department), method)(path, body, content_type="application/json")
        assert response.status_code == 413
        assert "larger than" in response.json()["detail"]
        assert snapshot() == before

    def test_a_json_array_instead_of_an_object(
        self, api_as, existing, department, method, path, valid
    ):
        before = snapshot()
        response = getattr(api_as(department), method)(path, [valid], format="json")
        assert response.status_code == 400
        assert snapshot() == before


@pytest.mark.parametrize("name", ["Côte d’Ivoire", "中国", "Åland", "Ñandú ☃", "O'Brien <b>"])  # noqa: RUF001
@pytest.mark.parametrize(
    ("department", "code"), [("countries", "QA"), ("currencies", "QQA"), ("languages", "qa")]
)
def test_real_world_names_round_trip_exactly(api, api_as, department, code, name):
    created = api_as(department).post(
        f"/api/{department}/", {"code": code, "name": name}, format="json"
    )

    assert created.status_code == 201
    assert api.get(f"/api/{department}/{code}/").json()["name"] == name
    assert api.get(f"/api/v1/{department}/{code}").json()["name"] == name


@pytest.mark.parametrize("path", DETAILS)
@pytest.mark.parametrize("code", ["%00", "A%00", "%E2%80%AE", "de,fr"])
def test_a_code_no_record_can_have_is_not_found(api, existing, path, code):
    response = api.get(path.format(code))

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/countries/%00/", "/api/currencies/E%00R/"])
def test_a_write_to_a_code_no_record_can_have_is_not_found(api_as, existing, path):
    department = path.split("/")[2]
    before = snapshot()

    response = api_as(department).patch(path, {"name": "Name"}, format="json")

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", ["page=%C2%B2", "page_size=%C2%B3", "page=%D9%A3"])
def test_paging_takes_ascii_digits_only(api, existing, path, query):
    response = api.get(f"{path}?{query}")

    assert response.status_code == 400
    assert "Enter a whole number from 1." in str(response.json())


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("search", ["%00", "Aus%00", "%07"])
def test_a_search_no_record_can_match_finds_nothing(api, existing, path, search):
    response = api.get(f"{path}?search={search}")

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(("department", "method", "path", "valid"), WRITES)
def test_a_body_nested_too_deeply_is_a_parse_error(
    api_as, existing, department, method, path, valid
):
    before = snapshot()
    body = "[" * 20_000 + "]" * 20_000

    response = getattr(api_as(department), method)(path, body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(("department", "method", "path", "valid"), WRITES)
def test_a_chunked_body_is_refused_not_read_as_empty(
    api_as, existing, department, method, path, valid
):
    before = snapshot()

    response = getattr(api_as(department), method)(
        path, json.dumps(valid), content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]
    assert snapshot() == before


def test_the_portal_answers_a_search_no_record_can_match_with_no_match(client, existing):
    response = client.get("/?q=Aus%00%07")

    assert response.status_code == 200
    assert "No linked country matches “Aus\ufffd\ufffd”." in response.text
    assert 'value="Aus\ufffd\ufffd"' in response.text
    assert "\x00" not in response.text and "\x07" not in response.text
    assert "unavailable" not in response.text
