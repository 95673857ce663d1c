"""The split topology with replicas, on real processes: four gunicorns, a real nats-server and
each service's event worker. The portal reads every department from its own replicas but for
the page of linked countries, which countries answers from its own data and its replicas of
currencies and languages; writes still check links with the owners."""

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime

import pytest
import requests

from tests.flows import api_write, create_and_link_quenzaland
from tests.topology.conftest import department_calls, department_tokens, split_of_its_own
from tests.topology.test_conditional_split import revisit


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    with split_of_its_own(tmp_path_factory, "replicas", events=True, READ_MODEL="replica") as split:
        yield split


@pytest.fixture(scope="module")
def tokens(replicated):
    return department_tokens(replicated)


@pytest.fixture(scope="module")
def linked_country(replicated, tokens):
    with requests.Session() as http:
        code = create_and_link_quenzaland(http, replicated.url, tokens)
    wait_for(lambda: "Quetzal Crown" in portal_home(replicated).text)
    return code


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


def portal_home(split, **headers: str) -> requests.Response:
    response = requests.get(f"{split.url('portal')}/", headers=headers, timeout=10)
    assert response.status_code == 200
    return response


def rename(split, tokens: dict[str, str], department: str, code: str, name: str) -> None:
    with requests.Session() as http:
        renamed = api_write(
            http,
            f"{split.url(department)}/api/{department}/{code}/",
            tokens[department],
            {"name": name},
            method="PATCH",
        )
    assert renamed.status_code == 200, renamed.text


def replicated_currency_codes(split) -> set[str]:
    """Every currency code the portal lists, page after page."""
    codes: set[str] = set()
    url = f"{split.url('portal')}/currencies/"
    while True:
        page = requests.get(url, timeout=10)
        assert page.status_code == 200
        codes |= set(re.findall(r"<code>([A-Z]{3})</code>", page.text))
        following = re.search(r'rel="next" href="\?page=(\d+)"', page.text)
        if following is None:
            return codes
        url = f"{split.url('portal')}/currencies/?page={following[1]}"


def owned_currency_codes(split) -> set[str]:
    answer = requests.get(f"{split.url('currencies')}/api/currencies/?page_size=500", timeout=10)
    return {item["code"] for item in answer.json()["results"]}


def test_a_rename_reaches_the_portal_and_the_answer_says_how_old_it_is(
    replicated, tokens, linked_country
):
    rename(replicated, tokens, "currencies", "KZQ", "Quetzal Crown (renamed)")
    wait_for(lambda: "Quetzal Crown (renamed)" in portal_home(replicated).text)
    as_of = datetime.fromisoformat(portal_home(replicated).headers["X-Replica-Updated-At"])
    assert abs((datetime.now(as_of.tzinfo) - as_of).total_seconds()) < 60
    linked = requests.get(f"{replicated.url('countries')}/api/linked-countries/", timeout=10)
    assert "X-Replica-Updated-At" in linked.headers
    assert linked.json()["results"][0]["currency"]["name"] == "Quetzal Crown (renamed)"


@pytest.mark.parametrize(
    ("path", "calls"),
    [
        ("/", ["/api/linked-countries/"]),
        ("/?q=quen", ["/api/linked-countries/"]),
        ("/currencies/", []),
        ("/languages/", []),
        ("/countries/QZ/", []),
        # Countries answers which countries use a currency from its own data.
        ("/currencies/KZQ/", ["/api/countries/"]),
    ],
)
def test_a_portal_page_makes_at_most_one_call_to_another_service(
    replicated, linked_country, path, calls
):
    request_id = f"one-call-{uuid.uuid4()}"
    answer = requests.get(
        f"{replicated.url('portal')}{path}", headers={"X-Request-ID": request_id}, timeout=10
    )
    assert answer.status_code == 200
    made = department_calls(replicated, request_id)
    assert made == {"countries": calls, "currencies": [], "languages": []}


def test_a_rename_changes_the_portal_tag_once_the_replica_has_it(
    replicated, tokens, linked_country
):
    url = f"{replicated.url('portal')}/"
    tag = portal_home(replicated).headers["ETag"]

    rename(replicated, tokens, "languages", "QZ", "Quenya (renamed)")
    wait_for(lambda: revisit(url, tag).status_code == 200)

    home = portal_home(replicated)
    assert "Quenya (renamed)" in home.text
    assert home.headers["ETag"] != tag
    assert revisit(url, home.headers["ETag"]).status_code == 304


@pytest.fixture(scope="class")
def owners_stopped(replicated, linked_country):
    for service in ("currencies", "languages"):
        replicated.stop(service)
    yield
    for service in ("currencies", "languages"):
        replicated.start(service)


class TestOwnersDown:
    def test_the_portal_answers_with_every_name(self, replicated, owners_stopped):
        home = portal_home(replicated)
        assert "Quenzaland" in home.text and "Quenya" in home.text
        assert "Quetzal Crown" in home.text
        assert "unavailable right now" not in home.text
        currencies = requests.get(f"{replicated.url('portal')}/currencies/", timeout=10)
        assert "KZQ" in currencies.text and "unavailable right now" not in currencies.text

    def test_with_countries_down_too_every_page_but_the_linked_list_answers_in_full(
        self, replicated, owners_stopped
    ):
        replicated.stop("countries")
        try:
            home = portal_home(replicated)
            country = requests.get(f"{replicated.url('portal')}/countries/QZ/", timeout=10)
            currencies = requests.get(f"{replicated.url('portal')}/currencies/", timeout=10)
        finally:
            replicated.start("countries")
        for page in (country, currencies):
            assert page.status_code == 200
            assert "Quenzaland" in page.text and "Quetzal Crown" in page.text
            assert "unavailable right now" not in page.text
        assert "The country department is unavailable right now." in home.text

    def test_a_revisit_is_a_304_that_asks_one_other_service(self, replicated, owners_stopped):
        url = f"{replicated.url('portal')}/"
        tag = portal_home(replicated).headers["ETag"]
        request_id = f"revisit-{uuid.uuid4()}"

        answer = revisit(url, tag, request_id)

        assert answer.status_code == 304
        # Its replicas' versions read here; countries asked for its data's and its replicas'.
        assert department_calls(replicated, request_id) == {
            "countries": ["/api/countries/data-versions/"],
            "currencies": [],
            "languages": [],
        }

    def test_a_link_write_answers_503_and_saves_nothing(self, replicated, tokens, owners_stopped):
        url = f"{replicated.url('countries')}/api/countries/QZ/"
        before = requests.get(url, timeout=10).json()
        answer = api_write(
            requests.Session(), url, tokens["countries"], {"currency_code": "EUR"}, method="PATCH"
        )
        assert answer.status_code == 503
        assert requests.get(url, timeout=10).json() == before


def create_currencies(split, token: str, prefix: str, count: int, during=None) -> set[str]:
    """`count` new currencies, codes starting with `prefix`, each acknowledged (201);
    `during(index)` runs before each."""
    created = set()
    with requests.Session() as http:
        for index in range(count):
            if during is not None:
                during(index)
            code = f"{prefix}{chr(65 + index // 26)}{chr(65 + index % 26)}"
            answer = api_write(
                http,
                f"{split.url('currencies')}/api/currencies/",
                token,
                {"code": code, "name": f"Currency {prefix} {index}"},
            )
            assert answer.status_code == 201, answer.text
            created.add(code)
    return created


def test_with_the_broker_down_writes_succeed_and_every_event_arrives_after(
    replicated, tokens, linked_country
):
    assert replicated.nats is not None
    replicated.nats.stop()
    try:
        created = create_currencies(replicated, tokens["currencies"], "B", 20)
        time.sleep(1)
        assert not created & replicated_currency_codes(replicated)  # nothing could travel yet
    finally:
        replicated.nats.start()
    wait_for(lambda: created <= replicated_currency_codes(replicated), timeout=60)
    assert replicated_currency_codes(replicated) == owned_currency_codes(replicated)


def test_a_consumer_killed_mid_stream_gets_its_events_again(replicated, tokens, linked_country):
    def kill_the_portal_worker_at_20(index: int) -> None:
        if index == 20:
            replicated.stop_events("portal", kill=True)  # SIGKILL, acks outstanding

    created = create_currencies(
        replicated, tokens["currencies"], "K", 60, during=kill_the_portal_worker_at_20
    )
    replicated.start_events("portal")
    wait_for(lambda: created <= replicated_currency_codes(replicated), timeout=60)
    assert replicated_currency_codes(replicated) == owned_currency_codes(replicated)
