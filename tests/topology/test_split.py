"""The split topology: four gunicorn services on loopback, talking over real HTTP."""

import http.client
import os
import re
import signal
import time

import pytest
import requests

from project.topology import DEPARTMENTS
from tests.flows import api_write, create_and_link_quenzaland
from tests.processes import process_tree
from tests.topology.conftest import logged_paths

pytestmark = pytest.mark.topology


@pytest.fixture(scope="module")
def linked_country(split, tokens):
    """Quenzaland, each record created through its own service, linked through countries."""
    with requests.Session() as http:
        return create_and_link_quenzaland(http, split.url, tokens)


def test_the_linked_country_shows_in_the_api_and_on_the_portal(http, split, linked_country):
    linked = http.get(f"{split.url('countries')}/api/linked-countries/", timeout=10).json()
    portal = http.get(f"{split.url('portal')}/", timeout=10)

    assert linked["results"] == [
        {
            "code": "QZ",
            "name": "Quenzaland",
            "names": {},
            "currency": {"code": "KZQ", "name": "Quetzal Crown", "names": {}},
            "language": {"code": "qz", "name": "Quenya", "names": {}},
        }
    ]
    assert portal.status_code == 200
    assert "Quenzaland" in portal.text
    assert "Quetzal Crown" in portal.text
    assert "Quenya" in portal.text


def test_the_portals_country_page_links_the_record_the_countries_service_serves(
    http, split, linked_country
):
    """The link is the API's path, which the Ingress routes to the countries service; the
    portal's own process has no URL pattern for it."""
    page = http.get(f"{split.url('portal')}/countries/QZ/", timeout=10)
    record = http.get(f"{split.url('countries')}/api/countries/QZ/", timeout=10)

    assert page.status_code == 200
    assert '<a href="/api/countries/QZ/" type="application/json">JSON</a>' in page.text
    assert "ISO 3166-1" not in page.text  # QZ is no ISO 3166-1 code
    assert record.json()["name"] == "Quenzaland"


def test_each_service_serves_only_its_own_department(http, split):
    assert http.get(f"{split.url('currencies')}/api/countries/", timeout=5).status_code == 404
    assert http.get(f"{split.url('countries')}/api/currencies/", timeout=5).status_code == 404
    assert http.get(f"{split.url('portal')}/api/countries/", timeout=5).status_code == 404
    assert http.get(f"{split.url('countries')}/", timeout=5).status_code == 404


def test_services_share_no_users(http, split, tokens):
    # The currencies staff token means nothing to the countries service: its own auth tables.
    response = api_write(
        http,
        f"{split.url('countries')}/api/countries/",
        tokens["currencies"],
        {"code": "ZQ", "name": "Z", "names": {}},
    )

    assert response.status_code == 401


def test_session_cookie_names_differ_per_service(http, split):
    names = set()
    for service in DEPARTMENTS:
        response = http.get(f"{split.url(service)}/admin/{service}/login/", timeout=5)
        names.update(response.cookies.keys())

    assert {"countries_csrftoken", "currencies_csrftoken", "languages_csrftoken"} <= names


def post_admin_form(http, url: str, data: dict):
    """Post an admin form with its CSRF token; the answer is the redirect, not followed."""
    form = http.get(url, timeout=5)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert match is not None, "the admin form carries a CSRF token"
    token = match[1]
    return http.post(
        url, data={**data, "csrfmiddlewaretoken": token}, allow_redirects=False, timeout=10
    )


def test_an_admin_session_keeps_its_cookies_to_its_own_service(http, split):
    split.manage(
        "currencies", "create_department_user", "cookie-editor", "--department", "currencies",
        "--password", "a long enough password",
    )  # fmt: skip
    admin = f"{split.url('currencies')}/admin/currencies/"
    cookies_set = set()

    for url, data in [
        (f"{admin}login/", {"username": "cookie-editor", "password": "a long enough password"}),
        (f"{admin}currencies/currency/add/", {"code": "QCK", "name": "Cookie crown"}),
    ]:
        response = post_admin_form(http, url, data)
        assert response.status_code == 302, response.text[:500]
        cookies_set.update(response.cookies.keys())
    listed = http.get(f"{split.url('currencies')}{response.headers['Location']}", timeout=5)

    assert "was added successfully" in listed.text  # the admin's message, kept in the session
    # Each cookie carries the service's name: under one host name, the services' cookies
    # cannot overwrite each other.
    assert cookies_set == {"currencies_sessionid", "currencies_csrftoken"}


def test_a_currency_delete_is_refused_while_a_country_links_to_it(
    http, split, tokens, linked_country
):
    """The currency service asks the country service over HTTP before the delete, refuses it
    naming the country, and deletes once the country is unlinked."""
    currency = {"code": "QDX", "name": "Doomed crown", "names": {}}
    country = {"code": "QD", "name": "Doomedland", "currency_code": "QDX", "language_code": "qz"}
    for department, payload in (("currencies", currency), ("countries", country)):
        url = f"{split.url(department)}/api/{department}/"
        assert api_write(http, url, tokens[department], payload).status_code == 201
    split.manage(
        "currencies", "create_department_user", "doom-editor", "--department", "currencies",
        "--password", "a long enough password",
    )  # fmt: skip
    admin = f"{split.url('currencies')}/admin/currencies/"
    login = {"username": "doom-editor", "password": "a long enough password"}
    assert post_admin_form(http, f"{admin}login/", login).status_code == 302
    listed = http.get(f"{admin}currencies/currency/", params={"q": "QDX"}, timeout=5).text
    match = re.search(r"/currency/(\d+)/change/", listed)
    assert match is not None, listed[:500]
    delete_url = f"{admin}currencies/currency/{match[1]}/delete/"
    record_url = f"{split.url('currencies')}/api/currencies/QDX/"

    refusal = http.get(delete_url, timeout=10).text  # back on the change page, with the reason
    refused = post_admin_form(http, delete_url, {"post": "yes"})

    assert "Not deleted: 1 country links to QDX: QD Doomedland." in refusal
    assert "Quenzaland" not in refusal
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith(f"/currency/{match[1]}/change/")
    assert http.get(record_url, timeout=5).status_code == 200
    # Unlinked, the currency deletes; the other tests see only Quenzaland linked.
    unlink = api_write(
        http, f"{split.url('countries')}/api/countries/QD/", tokens["countries"],
        {"currency_code": None}, method="PATCH",
    )  # fmt: skip
    assert unlink.status_code == 200
    deleted = post_admin_form(http, delete_url, {"post": "yes"})
    assert deleted.status_code == 302
    assert deleted.headers["Location"].endswith("/currencies/currency/")
    assert http.get(record_url, timeout=5).status_code == 404


def test_one_request_id_across_the_three_logs(http, split, linked_country):
    http.get(f"{split.url('portal')}/", headers={"X-Request-ID": "trace-split-1"}, timeout=10)
    time.sleep(0.5)  # let each service flush its log line

    assert "/" in logged_paths(split, "portal", "trace-split-1")
    assert "/api/linked-countries/" in logged_paths(split, "countries", "trace-split-1")
    assert "/api/currencies/" in logged_paths(split, "currencies", "trace-split-1")


def test_a_portal_page_costs_one_http_call_per_department_and_hop(http, split, linked_country):
    request_id = "count-calls"
    http.get(f"{split.url('portal')}/", headers={"X-Request-ID": request_id}, timeout=10)
    time.sleep(0.5)

    # The portal asks each department once; countries asks currencies and languages once more.
    assert logged_paths(split, "countries", request_id) == ["/api/linked-countries/"]
    assert logged_paths(split, "currencies", request_id) == ["/api/currencies/"] * 2
    assert logged_paths(split, "languages", request_id) == ["/api/languages/"] * 2


@pytest.fixture(scope="class")
def currencies_stopped(split, linked_country):
    split.stop("currencies")
    yield
    if "currencies" not in split.processes:
        split.start("currencies")


@pytest.mark.usefixtures("currencies_stopped")
class TestCurrenciesDown:
    """Stop the currency service: the others degrade, nothing is lost, and all recovers once it
    is back, without restarting anything else. (The tests run in this order.)"""

    def test_portal_degrades_within_its_timeout_budget(self, http, split):
        started = time.monotonic()
        response = http.get(f"{split.url('portal')}/", timeout=15)
        elapsed = time.monotonic() - started

        assert response.status_code == 200
        assert "The currency department is unavailable right now." in response.text
        assert "Quenzaland" in response.text
        assert '<dt>Currencies</dt><dd><span class="muted">unavailable</span></dd>' in response.text
        assert elapsed < 10

    def test_linked_countries_answer_200_naming_currencies(self, http, split):
        body = http.get(f"{split.url('countries')}/api/linked-countries/", timeout=15).json()

        assert body["unavailable"] == ["currencies"]
        assert body["results"][0]["currency"] == {"code": "KZQ", "name": None, "names": {}}
        assert body["results"][0]["language"]["name"] == "Quenya"

    def test_readiness_of_the_others_does_not_depend_on_it(self, http, split):
        for service in ("portal", "countries", "languages"):
            assert http.get(f"{split.url(service)}/readyz", timeout=5).status_code == 200

    def test_linking_answers_503_and_saves_nothing(self, http, split, tokens):
        response = api_write(
            http,
            f"{split.url('countries')}/api/countries/",
            tokens["countries"],
            {"code": "ZY", "name": "Zyland", "currency_code": "KZQ"},
        )

        assert response.status_code == 503
        assert "currencies department is unavailable" in response.json()["detail"]
        assert http.get(f"{split.url('countries')}/api/countries/ZY/", timeout=5).status_code == 404

    def test_everything_works_again_once_it_is_back(self, http, split, tokens):
        split.start("currencies")

        body = http.get(f"{split.url('countries')}/api/linked-countries/", timeout=10).json()
        portal = http.get(f"{split.url('portal')}/", timeout=10)
        response = api_write(
            http,
            f"{split.url('countries')}/api/countries/",
            tokens["countries"],
            {"code": "ZY", "name": "Zyland", "currency_code": "KZQ"},
        )

        assert body["unavailable"] == []
        assert body["results"][0]["currency"]["name"] == "Quetzal Crown"
        assert "unavailable right now" not in portal.text
        assert response.status_code == 201


@pytest.fixture
def currencies_hung(split, linked_country):
    """The currency service's processes frozen (SIGSTOP): the kernel still accepts connections,
    but no answer comes, as from a hung service. Thawed afterwards."""
    pids = process_tree(split.processes["currencies"].pid)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def test_a_hung_department_does_not_take_its_callers_down(http, split, currencies_hung):
    started = time.monotonic()
    response = http.get(f"{split.url('portal')}/", timeout=15)
    elapsed = time.monotonic() - started

    # Countries gives up on currencies within the portal's budget and still answers: the page
    # lists the linked country without the currency name, instead of losing countries too.
    assert response.status_code == 200
    assert "The currency department is unavailable right now." in response.text
    assert "The country department is unavailable right now." not in response.text
    assert "Quenzaland" in response.text
    assert "Quenya" in response.text
    assert elapsed < 5  # one read timeout (3 s), not one per hop and retry


def test_with_countries_down_the_currency_and_language_pages_still_work(
    http, split, linked_country
):
    split.stop("countries")
    try:
        currencies = http.get(f"{split.url('portal')}/currencies/", timeout=15)
        languages = http.get(f"{split.url('portal')}/languages/", timeout=15)
        home = http.get(f"{split.url('portal')}/", timeout=15)
    finally:
        split.start("countries")

    assert currencies.status_code == languages.status_code == home.status_code == 200
    assert "Quetzal Crown" in currencies.text
    assert "Quenya" in languages.text
    assert "The country department is unavailable right now." in home.text


def test_a_link_code_with_a_separator_is_refused_as_in_one_process(
    http, split, tokens, linked_country
):
    """The HTTP adapter asks only for code-shaped codes: "qz," is unknown, not "qz"."""
    response = api_write(
        http,
        f"{split.url('countries')}/api/countries/QZ/",
        tokens["countries"],
        {"language_code": "qz,"},
        method="PATCH",
    )

    assert response.status_code == 400
    assert response.json() == {"language_code": ["Unknown language code 'qz,'."]}


def test_a_search_no_record_can_match_is_no_match_not_an_outage(http, split, linked_country):
    response = http.get(f"{split.url('portal')}/?q=%00", timeout=10)

    assert response.status_code == 200
    assert "No linked country matches" in response.text
    assert "unavailable" not in response.text


def test_a_chunked_body_is_refused_by_every_service(split, tokens):
    for service in DEPARTMENTS:
        connection = http.client.HTTPConnection(split.host, split.ports[service], timeout=10)
        body = iter([b'{"code": "QQ", ', b'"name": "Chunked"}'])
        connection.request(
            "POST",
            f"/api/{service}/",
            body=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {tokens[service]}",
            },
            encode_chunked=True,
        )
        response = connection.getresponse()
        answer = response.read()
        connection.close()

        assert response.status == 411, service
        assert b"Content-Length" in answer
