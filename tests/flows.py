"""Steps the process-level tests share, whatever serves the departments (the split services,
or the rendered manifests behind an Ingress stand-in)."""

import json
import re
from collections.abc import Callable

import requests


def api_write(http: requests.Session, url: str, token: str, payload: dict, method: str = "POST"):
    return http.request(
        method, url, json=payload, headers={"Authorization": f"Token {token}"}, timeout=15
    )


def create_and_link_quenzaland(
    http: requests.Session, base_url_of: Callable[[str], str], tokens: dict[str, str]
) -> str:
    """A currency, a language and a country, each created through its own department, then
    linked through the countries department (which checks both codes with the others)."""
    for department, path, payload in (
        ("currencies", "/api/currencies/", {"code": "kzq", "name": "Quetzal Crown"}),
        ("languages", "/api/languages/", {"code": "QZ", "name": "Quenya"}),
        ("countries", "/api/countries/", {"code": "qz", "name": "Quenzaland"}),
    ):
        response = api_write(http, f"{base_url_of(department)}{path}", tokens[department], payload)
        assert response.status_code == 201, response.text
    response = api_write(
        http,
        f"{base_url_of('countries')}/api/countries/QZ/",
        tokens["countries"],
        {"currency_code": "kzq", "language_code": "qz"},
        method="PATCH",
    )
    assert response.status_code == 200, response.text
    assert response.json()["fully_linked"] is True
    return "QZ"


def schemas_offered(docs_script: str) -> dict[str, str]:
    """The schemas the API docs page offers in its menu, by name: what the page's start-up
    script (`/api/docs/?script=`) hands Swagger UI as `urls`."""
    match = re.search(r'"urls": (\[.*?\])', docs_script, re.DOTALL)
    assert match is not None, docs_script[:500]
    return {entry["name"]: entry["url"] for entry in json.loads(match[1])}


def schemas_from_the_docs_page(http: requests.Session, base_url: str) -> dict[str, dict]:
    """Each schema the docs page at `base_url` offers, fetched from there as a browser would."""
    script = http.get(f"{base_url}/api/docs/", params={"script": ""}, timeout=15)
    assert script.status_code == 200, script.text[:500]
    schemas = {}
    for name, url in schemas_offered(script.text).items():
        response = http.get(f"{base_url}{url}", headers={"Accept": "application/json"}, timeout=15)
        assert response.status_code == 200, f"{url}: {response.text[:500]}"
        schemas[name] = response.json()
    return schemas
