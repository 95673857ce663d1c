import pytest
from django.core.management import call_command


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


def test_docs_page_is_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


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
