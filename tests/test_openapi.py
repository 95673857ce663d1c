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
