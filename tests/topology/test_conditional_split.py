"""Conditional GETs in the split topology, on real processes: the portal's tag names the data
versions the departments' answers say they read, a repeat visit is a 304 that asks each
service only for its versions, and a change in any department changes the tag. (With
replicas: tests/topology/test_replicas.py.)"""

import uuid

import pytest
import requests

from tests.flows import api_write
from tests.topology.conftest import department_calls, department_tokens, split_of_its_own

pytestmark = pytest.mark.topology

VERSIONS_PATHS = {f"/api/{d}/data-versions/" for d in ("countries", "currencies", "languages")}


def tagged(url: str) -> str:
    first = requests.get(url, timeout=10)
    assert first.status_code == 200, first.text[:300]
    return first.headers["ETag"]


def revisit(url: str, tag: str, request_id: str = "") -> requests.Response:
    headers = {"If-None-Match": tag}
    if request_id:
        headers["X-Request-ID"] = request_id
    return requests.get(url, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def walloon(tmp_path_factory):
    """A split topology of its own (the shared one's tests count its countries) with one more
    fully linked country: Wallonia, its currency and its language."""
    with split_of_its_own(tmp_path_factory, "conditional") as split:
        yield split, department_tokens(split)


@pytest.fixture(scope="module", autouse=True)
def _wallonia(walloon):
    split, tokens = walloon
    with requests.Session() as http:
        for department, path, payload in (
            ("currencies", "/api/currencies/", {"code": "WLF", "name": "Walloon franc"}),
            ("languages", "/api/languages/", {"code": "wa", "name": "Walloon"}),
            (
                "countries",
                "/api/countries/",
                {"code": "WL", "name": "Wallonia", "currency_code": "WLF", "language_code": "wa"},
            ),
        ):
            answer = api_write(http, f"{split.url(department)}{path}", tokens[department], payload)
            assert answer.status_code == 201, answer.text


PAGES = ["/", "/?q=wallon", "/countries/WL/", "/currencies/", "/currencies/WLF/", "/languages/wa/"]


@pytest.mark.parametrize("path", PAGES)
def test_a_revisit_is_a_304_that_asks_only_for_versions(walloon, path):
    split, _tokens = walloon
    url = f"{split.url('portal')}{path}"
    tag = tagged(url)
    request_id = f"revisit-{uuid.uuid4()}"

    answer = revisit(url, tag, request_id)

    assert answer.status_code == 304
    assert answer.headers["ETag"] == tag
    asked = {path for paths in department_calls(split, request_id).values() for path in paths}
    assert asked and asked <= VERSIONS_PATHS


@pytest.mark.parametrize(
    ("department", "path", "payload"),
    [
        ("countries", "/api/countries/WL/", {"name": f"Wallonia {uuid.uuid4().hex[:6]}"}),
        ("currencies", "/api/currencies/WLF/", {"name": f"Franc {uuid.uuid4().hex[:6]}"}),
        ("languages", "/api/languages/wa/", {"name": f"Walon {uuid.uuid4().hex[:6]}"}),
    ],
)
def test_a_change_in_any_department_changes_the_portal_tag(walloon, department, path, payload):
    split, tokens = walloon
    url = f"{split.url('portal')}/"
    tag = tagged(url)

    with requests.Session() as http:
        changed = api_write(
            http, f"{split.url(department)}{path}", tokens[department], payload, method="PATCH"
        )
    assert changed.status_code == 200, changed.text
    answer = revisit(url, tag)

    assert answer.status_code == 200
    assert payload["name"] in answer.text
    assert answer.headers["ETag"] != tag
    assert revisit(url, answer.headers["ETag"]).status_code == 304


def test_a_department_api_tags_what_it_read_from_the_others(walloon):
    split, _tokens = walloon
    url = f"{split.url('countries')}/api/linked-countries/"

    answer = requests.get(url, timeout=10)

    read = answer.headers["X-Data-Versions"]
    assert {source.split("=")[0] for source in read.split(";")} == {
        "countries@countries",
        "currencies@currencies",
        "languages@languages",
    }
    assert revisit(url, answer.headers["ETag"]).status_code == 304


def test_with_a_department_down_a_revisit_gets_the_page_without_a_tag(walloon):
    split, _tokens = walloon
    url = f"{split.url('portal')}/"
    tag = tagged(url)

    split.stop("currencies")
    try:
        answer = revisit(url, tag)
    finally:
        split.start("currencies")

    assert answer.status_code == 200
    assert "The currency department is unavailable right now." in answer.text
    assert "ETag" not in answer.headers
    assert revisit(url, tag).status_code == 304  # whole again: the tag is current once more
