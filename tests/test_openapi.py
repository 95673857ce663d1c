import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from countries.public import LINKED_ORDERINGS
from project.kernel.api_docs import RemoteSchemaView
from project.topology import DEPARTMENTS
from tests.flows import schemas_offered


def test_schema_is_valid_openapi_without_warnings(tmp_path):
    # --fail-on-warn: a view whose shape drf-spectacular cannot see fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "schema.yml")


@pytest.mark.parametrize(
    "path",
    [
        "/api/countries/",
        "/api/countries/{code}/",
        "/api/currencies/",
        "/api/currencies/{code}/",
        "/api/languages/",
        "/api/languages/{code}/",
        "/api/linked-countries/",
    ],
)
def test_schema_documents_every_endpoint(client, path):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert path in schema["paths"]


def test_schema_documents_the_linked_countries_orderings(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    parameters = schema["paths"]["/api/linked-countries/"]["get"]["parameters"]
    [ordering] = [p for p in parameters if p["name"] == "ordering"]
    assert ordering["schema"]["enum"] == list(LINKED_ORDERINGS)
    assert ordering["schema"]["default"] == "code"


def test_docs_page_is_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_docs_page_offers_each_departments_schema(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/", {"script": ""})

    assert b'src="/api/docs/?script="' in page.content  # a file, no inline script: the CSP holds
    assert script["Content-Type"] == "application/javascript"
    assert schemas_offered(script.text) == {d: f"/api/schema/{d}/" for d in DEPARTMENTS}


def test_each_departments_schema_documents_its_own_paths_only(client):
    everything = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    schemas = {
        d: client.get(f"/api/schema/{d}/", HTTP_ACCEPT="application/json").json()
        for d in DEPARTMENTS
    }
    paths = {d: set(schema["paths"]) for d, schema in schemas.items()}

    # The departments share the process's paths out between them, each once.
    assert sorted(p for d in DEPARTMENTS for p in paths[d]) == sorted(everything)
    for department, schema in schemas.items():
        validate_schema(schema)
        assert {f"/api/{department}/", f"/api/v1/{department}/"} <= paths[department]
        assert schema["info"]["title"] == f"Country Provider API ({department})"
        # No servers: "Try it out" asks the docs page's own origin, at the paths shown.
        assert "servers" not in schema


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_department_answering_no_schema_is_a_503_naming_it(live_server, rf):
    """A department's schema fetched from its service (the split portal's way), over real
    HTTP from this test's server, from a URL that answers JSON, but no OpenAPI document."""
    view = RemoteSchemaView.as_view(department="languages", url=f"{live_server.url}/api/languages/")

    response = view(rf.get("/api/schema/languages/", HTTP_ACCEPT="application/json")).render()

    assert response.status_code == 503
    assert response.data == {
        "detail": "The languages department is unavailable: "
        "it answered something other than an OpenAPI document."
    }


@pytest.mark.parametrize(
    ("path", "operation", "operation_id", "response"),
    [
        ("/api/currencies/", "get", "currencies_list", "PaginatedCurrencyList"),
        ("/api/languages/{code}/", "patch", "languages_update", "Language"),
        ("/api/v1/currencies/", "post", "v1_currencies_create", "Record"),
    ],
)
def test_each_department_is_documented_under_its_own_names(
    client, path, operation, operation_id, response
):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    documented = schema["paths"][path][operation]
    success = next(code for code in documented["responses"] if code.startswith("2"))

    assert documented["operationId"] == operation_id
    assert documented["responses"][success]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{response}"
    }


def test_every_patch_body_is_documented_as_naming_at_least_one_field(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method == "patch"
    ]

    assert len(bodies) == 3
    for reference in bodies:
        body = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert body["minProperties"] == 1
        assert "required" not in body  # any one of them


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/api/currencies/", "Currency list"),
        ("/api/languages/", "Language list"),
        ("/api/countries/", "Country list"),
        ("/api/linked-countries/", "Linked country list"),
        ("/api/v1/languages", "Language list (v1)"),
    ],
)
def test_the_browsable_api_titles_read_like_names(client, path, title):
    page = client.get(path, HTTP_ACCEPT="text/html").text

    assert f"<h1>{title}</h1>" in page
