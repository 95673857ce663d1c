"""The original workshop services' contract (/api/v1/), in one process."""

import pytest
from django.test import override_settings

from countries.models import Country
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = pytest.mark.django_db(databases="__all__")

RECORDS = [
    ("countries", CountryFactory, "de", "DE"),
    ("currencies", CurrencyFactory, "eur", "EUR"),
    ("languages", LanguageFactory, "DE", "de"),
]
FRONTEND = "http://localhost:4200"


@pytest.fixture(params=RECORDS, ids=[r[0] for r in RECORDS])
def record(request):
    return request.param


@pytest.mark.parametrize("slash", ["", "/"])
def test_list_is_a_plain_array_of_every_record_ordered_by_short_name(api, record, slash):
    plural, factory, _, _ = record
    factory(name="Zulu")
    factory(name="Alpha")
    factory.create_batch(60)  # more than one page of the main API

    response = api.get(f"/api/v1/{plural}{slash}")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 62
    assert set(body[0]) == {"name", "shortName"}
    assert [item["shortName"] for item in body] == sorted(item["shortName"] for item in body)


@pytest.mark.parametrize("slash", ["", "/"])
def test_detail_by_short_name_in_any_case(api, record, slash):
    plural, factory, typed, stored = record
    factory(code=stored, name="Found")

    response = api.get(f"/api/v1/{plural}/{typed}{slash}")

    assert response.status_code == 200
    assert response.json() == {"name": "Found", "shortName": stored}
    assert api.get(f"/api/v1/{plural}/qqq{slash}").status_code == 404


@pytest.mark.parametrize("slash", ["", "/"])
def test_post_creates_without_a_redirect(api_as, record, slash):
    plural, factory, typed, stored = record

    response = api_as(plural).post(
        f"/api/v1/{plural}{slash}", {"name": " New ", "shortName": typed}, format="json"
    )

    assert response.status_code == 201
    assert response.json() == {"name": "New", "shortName": stored}
    assert factory._meta.model.objects.get().code == stored


def test_post_applies_the_same_rules_with_the_v1_field_names(api_as, record):
    plural, factory, typed, stored = record
    factory(code=stored)
    client = api_as(plural)

    duplicate = client.post(f"/api/v1/{plural}", {"name": "X", "shortName": typed}, format="json")
    malformed = client.post(f"/api/v1/{plural}", {"name": "X", "shortName": "1"}, format="json")
    no_name = client.post(f"/api/v1/{plural}", {"shortName": "ab"}, format="json")

    assert duplicate.status_code == 400
    assert "already exists" in duplicate.json()["shortName"][0]
    assert list(malformed.json()) == ["shortName"]
    assert no_name.json() == {"name": ["This field is required."]}
    assert factory._meta.model.objects.count() == 1


def test_writes_follow_the_department_rules(api, api_as, record):
    plural, _, typed, _ = record
    other = next(r[0] for r in RECORDS if r[0] != plural)
    payload = {"name": "X", "shortName": typed}

    assert api.post(f"/api/v1/{plural}", payload, format="json").status_code == 401
    assert api_as(other).post(f"/api/v1/{plural}", payload, format="json").status_code == 403


@override_settings(V1_ALLOW_ANONYMOUS_WRITES=True)
def test_classroom_setting_lets_the_v1_api_take_anonymous_writes(api, record):
    plural, factory, typed, stored = record

    response = api.post(f"/api/v1/{plural}", {"name": "X", "shortName": typed}, format="json")

    assert response.status_code == 201
    assert factory._meta.model.objects.get().code == stored
    # The main API keeps its rules.
    main = api.post(f"/api/{plural}/", {"name": "Y", "code": "ZZ"}, format="json")
    assert main.status_code == 401


class TestCountriesWithLanguagesAndCurrencies:
    URL = "/api/v1/countries-with-languages-and-currencies"

    @pytest.fixture
    def records(self):
        CurrencyFactory(code="EUR", name="Euro")
        LanguageFactory(code="de", name="German")
        CountryFactory(code="AT", name="Austria")

    def payload(self, country="AT", language="de", currency="EUR"):
        return {
            "country": {"name": "Austria", "shortName": country},
            "language": {"name": "German", "shortName": language},
            "currency": {"name": "Euro", "shortName": currency},
        }

    @pytest.mark.parametrize("slash", ["", "/"])
    def test_post_links_and_get_lists_the_fully_linked(self, api, api_as, records, slash):
        created = api_as("countries").post(
            f"{self.URL}{slash}", self.payload(language="DE", currency="eur"), format="json"
        )
        listed = api.get(f"{self.URL}{slash}")

        expected = {
            "country": {"name": "Austria", "shortName": "AT"},
            "language": {"name": "German", "shortName": "de"},
            "currency": {"name": "Euro", "shortName": "EUR"},
        }
        assert created.status_code == 201
        assert created.json() == expected
        assert listed.json() == [expected]

    @pytest.mark.parametrize(
        ("overrides", "errors"),
        [
            ({"currency": "XXX"}, {"currency": {"shortName": ["Unknown currency code 'XXX'."]}}),
            ({"language": "qq"}, {"language": {"shortName": ["Unknown language code 'qq'."]}}),
            ({"country": "QQ"}, {"country": {"shortName": ["Unknown country code 'QQ'."]}}),
            (
                {"country": "QQ", "currency": "XXX", "language": "qq"},
                {
                    "country": {"shortName": ["Unknown country code 'QQ'."]},
                    "currency": {"shortName": ["Unknown currency code 'XXX'."]},
                    "language": {"shortName": ["Unknown language code 'qq'."]},
                },
            ),
        ],
    )
    def test_unknown_short_names_are_400s_naming_them(self, api_as, records, overrides, errors):
        response = api_as("countries").post(self.URL, self.payload(**overrides), format="json")

        assert response.status_code == 400
        assert response.json() == errors
        austria = Country.objects.get()
        assert (austria.currency_code, austria.language_code) == (None, None)

    def test_linking_needs_the_country_departments_change_permission(self, api, api_as, records):
        assert api.post(self.URL, self.payload(), format="json").status_code == 401
        assert api_as("languages").post(self.URL, self.payload(), format="json").status_code == 403


@override_settings(CORS_ALLOWED_ORIGINS=[FRONTEND])
def test_cors_preflight_and_response_for_a_listed_origin(client):
    preflight = client.options(
        "/api/v1/countries",
        HTTP_ORIGIN=FRONTEND,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    response = client.get("/api/v1/countries", HTTP_ORIGIN=FRONTEND)

    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == FRONTEND
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "content-type" in preflight["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Origin"] == FRONTEND


def test_no_cors_by_default(client):
    response = client.get("/api/v1/countries", HTTP_ORIGIN=FRONTEND)

    assert "Access-Control-Allow-Origin" not in response


def test_v1_endpoints_are_in_the_schema_as_the_compatibility_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    v1_paths = {path: ops for path, ops in schema["paths"].items() if path.startswith("/api/v1/")}
    assert set(v1_paths) == {
        "/api/v1/countries/",
        "/api/v1/countries/{short_name}/",
        "/api/v1/countries-with-languages-and-currencies/",
        "/api/v1/currencies/",
        "/api/v1/currencies/{short_name}/",
        "/api/v1/languages/",
        "/api/v1/languages/{short_name}/",
    }
    for operations in v1_paths.values():
        for operation in operations.values():
            assert operation["tags"] == ["v1 compatibility"]
