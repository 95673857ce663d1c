"""The bad-input corpus against the split topology: the same answers as in one process, over
real HTTP between gunicorn services, and nothing written."""

import json

import pytest
import requests

from project.topology import DEPARTMENTS
from tests.bad_input import DETAILS, LISTS, WRITES, bad_bodies, bad_links
from tests.flows import api_write
from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """A split of its own with the records the corpus writes to (EUR, de, AT), and a staff
    token per department."""
    with split_of_its_own(
        tmp_path_factory, "bad_input", WRITE_THROTTLE_RATE="1000000/minute"
    ) as split:
        tokens = {
            department: split.manage(
                department, "create_department_user", "staff", "--department", department
            ).splitlines()[-1]
            for department in DEPARTMENTS
        }
        with requests.Session() as http:
            for department, record in [
                ("currencies", {"code": "EUR", "name": "Euro"}),
                ("languages", {"code": "de", "name": "German"}),
                ("countries", {"code": "AT", "name": "Austria"}),
            ]:
                url = f"{split.url(department)}/api/{department}/"
                assert api_write(http, url, tokens[department], record).status_code == 201
        yield split, tokens


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def snapshot(http: requests.Session, split, department: str) -> list:
    page = http.get(
        f"{split.url(department)}/api/{department}/", params={"page_size": 500}, timeout=10
    )
    return page.json()["results"]


@pytest.mark.parametrize(("department", "method", "path", "body"), [*bad_bodies(), *bad_links()])
def test_bad_values_are_400s_and_change_nothing_when_split(
    http, services, department, method, path, body
):
    split, tokens = services
    before = snapshot(http, split, department)

    response = api_write(
        http, f"{split.url(department)}{path}", tokens[department], body, method=method.upper()
    )

    assert response.status_code == 400, response.text
    assert response.json(), "a message per field"
    assert snapshot(http, split, department) == before


@pytest.mark.parametrize(("department", "method", "path", "valid"), WRITES)
def test_a_body_nested_too_deeply_is_a_parse_error_when_split(
    http, services, department, method, path, valid
):
    split, tokens = services
    response = http.request(
        method.upper(),
        f"{split.url(department)}{path}",
        data="[" * 20_000 + "]" * 20_000,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Token {tokens[department]}",
        },
        timeout=10,
    )

    assert response.status_code == 400
    assert "nested too deeply" in json.loads(response.text)["detail"]


@pytest.mark.parametrize("path", DETAILS)
@pytest.mark.parametrize("code", ["%00", "A%00", "%E2%80%AE", "de,fr"])
def test_a_code_no_record_can_have_is_not_found_when_split(http, services, path, code):
    split, _ = services
    department = path.split("/")[-2] if path.startswith("/api/v1/") else path.split("/")[2]

    assert http.get(f"{split.url(department)}{path.format(code)}", timeout=10).status_code == 404


@pytest.mark.parametrize("path", LISTS)
def test_paging_and_search_answer_alike_when_split(http, services, path):
    split, _ = services
    department = "countries" if path == "/api/linked-countries/" else path.split("/")[2]
    url = f"{split.url(department)}{path}"

    assert http.get(f"{url}?page=%C2%B2", timeout=10).status_code == 400
    assert http.get(f"{url}?page_size=0", timeout=10).status_code == 400
    searched = http.get(f"{url}?search=%00", timeout=10)
    assert searched.status_code == 200
    assert searched.json()["results"] == []
