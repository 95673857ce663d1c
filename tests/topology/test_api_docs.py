"""The API docs of the split topology: the portal's docs page offers every department's schema,
each fetched from its own service over real HTTP."""

import time

import pytest

from project.topology import DEPARTMENTS
from tests.flows import schemas_from_the_docs_page

pytestmark = pytest.mark.topology

AS_SWAGGER_UI = {"Accept": "application/json,*/*"}  # as Swagger UI fetches a schema


def test_the_portals_docs_page_shows_each_department_as_its_service_documents_it(http, split):
    schemas = schemas_from_the_docs_page(http, split.url("portal"))

    assert sorted(schemas) == sorted(DEPARTMENTS)
    for department, schema in schemas.items():
        own = http.get(
            f"{split.url(department)}/api/schema/", timeout=10, params={"format": "json"}
        )
        others = {f"/api/{other}/" for other in DEPARTMENTS if other != department}
        assert f"/api/{department}/" in schema["paths"]
        assert not others & set(schema["paths"])
        assert schema["paths"] == own.json()["paths"]
        assert schema["info"]["title"] == f"Country Provider API ({department})"


def test_each_department_service_documents_itself(http, split):
    for department in DEPARTMENTS:
        schemas = schemas_from_the_docs_page(http, split.url(department))

        assert list(schemas) == [department]


def test_a_department_that_is_down_is_a_503_naming_it_and_the_others_still_show(http, split):
    split.stop("languages")
    try:
        started = time.monotonic()
        down = http.get(
            f"{split.url('portal')}/api/schema/languages/", headers=AS_SWAGGER_UI, timeout=15
        )
        elapsed = time.monotonic() - started
        page = http.get(f"{split.url('portal')}/api/docs/", timeout=10)
        countries = http.get(f"{split.url('portal')}/api/schema/countries/", timeout=10)
    finally:
        split.start("languages")
    back = http.get(f"{split.url('portal')}/api/schema/languages/", timeout=10)

    assert down.status_code == 503
    assert down.json() == {"detail": "The languages department is unavailable: cannot connect."}
    assert elapsed < 5
    assert page.status_code == countries.status_code == back.status_code == 200
