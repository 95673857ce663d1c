"""Conditional GETs in one process: pages and API reads carry an ETag from the data versions of
the departments they read, a repeat request with it is a 304 without the answer being built,
and a change in any department the answer read changes the tag. (The split topology's are in
tests/topology/test_conditional_split.py.)"""

import time

import pytest
from django.db import transaction
from django.test import override_settings

from countries.services import country_update
from currencies.models import Currency, CurrencyDataVersion
from currencies.services import currency_create, currency_update
from languages.models import Language
from languages.services import language_update
from portal import pages
from project.kernel import conditional, data_versions, deadlines
from project.topology import Topology
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory
from tests.loopback import scripted_server
from tests.portal.test_degraded import ports_down
from tests.queries import queries_per_alias

pytestmark = pytest.mark.django_db(databases="__all__")

PAGES = [
    "/",
    "/?q=swiss&sort=-name",
    "/countries/CH/",
    "/currencies/",
    "/currencies/CHF/",
    "/languages/",
    "/languages/de/",
]
API_READS = [
    "/api/countries/",
    "/api/countries/CH/",
    "/api/linked-countries/",
    "/api/currencies/",
    "/api/currencies/CHF/",
    "/api/languages/?search=ger",
    "/api/languages/de/",
]


@pytest.fixture(autouse=True)
def switzerland():
    CurrencyFactory(code="CHF", name="Swiss franc")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="CH", name="Switzerland", currency_code="CHF", language_code="de")


def rename_currency():
    currency_update(currency=Currency.objects.get(code="CHF"), name="Franc")


def rename_language():
    language_update(language=Language.objects.get(code="de"), name="Deutsch")


def rename_country():
    from countries.models import Country  # noqa: PLC0415

    country_update(country=Country.objects.get(code="CH"), name="Schweiz")


@pytest.mark.parametrize("url", PAGES + API_READS)
def test_a_repeat_request_with_the_tag_is_not_modified(client, url):
    first = client.get(url)
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag.startswith('W/"')
    assert "no-cache" in first["Cache-Control"]

    again = client.get(url, headers={"If-None-Match": tag})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag


def vary(response) -> set[str]:
    return {header.strip().lower() for header in response.get("Vary", "").split(",")} - {""}


@pytest.mark.parametrize("url", PAGES + API_READS)
def test_a_304_varies_by_what_the_answer_varies_by(client, url):
    """A cache that keeps the answer must key it as the 200 said (RFC 9110, 15.4.5): the tag
    is made from the cookies too, so both say Vary: Cookie."""
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert vary(again) == vary(first)
    assert "cookie" in vary(first)


@pytest.mark.parametrize("url", PAGES)
def test_a_client_that_keeps_no_cookies_gets_its_304_too(client, url):
    tag = client.get(url)["ETag"]
    client.cookies.clear()  # as curl, or a polling script, sends none

    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304


@pytest.mark.parametrize("url", PAGES)
def test_a_page_is_for_its_reader_alone(client, url):
    assert client.get(url)["Cache-Control"] == "no-cache, private"


@pytest.mark.parametrize("url", API_READS)
def test_an_api_read_may_be_kept_by_any_cache_that_asks_again(client, url):
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert first["Cache-Control"] == again["Cache-Control"] == "no-cache"


def test_a_304_reads_the_data_versions_and_builds_nothing(client, monkeypatch):
    tag = client.get("/")["ETag"]

    def must_not_build(**kwargs):
        raise AssertionError("the page was built")

    monkeypatch.setattr(pages, "home_page", must_not_build)
    with queries_per_alias() as counts:
        assert client.get("/", headers={"If-None-Match": tag}).status_code == 304

    # One query per department the page read: its data version.
    assert counts == {"default": 0, "countries": 1, "currencies": 1, "languages": 1}


# What each answer reads: a change anywhere there changes its tag.
READS = {
    "/": (rename_country, rename_currency, rename_language),
    "/countries/CH/": (rename_country, rename_currency, rename_language),
    "/currencies/CHF/": (rename_country, rename_currency),
    "/languages/de/": (rename_country, rename_language),
    "/api/linked-countries/": (rename_country, rename_currency, rename_language),
    "/api/countries/CH/": (rename_country, rename_currency, rename_language),
    "/api/currencies/CHF/": (rename_currency,),
    "/api/languages/": (rename_language,),
}


@pytest.mark.parametrize(
    ("url", "change"), [(url, change) for url, changes in READS.items() for change in changes]
)
def test_a_change_in_a_department_the_answer_read_changes_its_tag(client, url, change):
    tag = client.get(url)["ETag"]

    change()
    answer = client.get(url, headers={"If-None-Match": tag})

    assert answer.status_code == 200
    assert answer["ETag"] != tag
    assert client.get(url, headers={"If-None-Match": answer["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("url", "change"), [("/api/currencies/", rename_language), ("/api/languages/", rename_currency)]
)
def test_a_change_elsewhere_leaves_the_tag(client, url, change):
    tag = client.get(url)["ETag"]

    change()

    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304


def test_a_new_record_changes_the_tag_of_a_list(client):
    tag = client.get("/currencies/")["ETag"]

    currency_create(code="EUR", name="Euro")

    assert client.get("/currencies/", headers={"If-None-Match": tag}).status_code == 200


def test_with_debug_on_a_changed_template_changes_the_release(settings, tmp_path):
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    template = tmp_path / "page.html"
    template.write_text("<p>before</p>")
    before = conditional.release()

    template.write_text("<p>after, longer</p>")

    assert conditional.release() != before


def test_a_rolled_back_change_leaves_the_version(client):
    before = CurrencyDataVersion.current()
    with pytest.raises(RuntimeError), transaction.atomic(using="currencies"):
        rename_currency()
        raise RuntimeError("rolled back")

    assert CurrencyDataVersion.current() == before
    rename_currency()
    assert CurrencyDataVersion.current() == before + 1


@pytest.mark.parametrize(
    "other",
    [
        {"path": "/?page=2"},
        {"headers": {"Accept-Language": "de"}},
        {"headers": {"Accept": "text/html"}, "path": "/api/currencies/"},
    ],
)
def test_a_tag_holds_for_the_same_request_only(client, other):
    path = other.get("path", "/")
    base = "/" if path == "/?page=2" else path
    tag = client.get(base)["ETag"]

    answer = client.get(path, headers={**other.get("headers", {}), "If-None-Match": tag})

    assert answer.status_code != 304
    if answer.status_code == 200:
        assert answer["ETag"] != tag


@pytest.mark.parametrize(
    "sent",
    [
        "*",
        '"not-ours"',
        'W/"0123456789abcdef0123:currencies@all=999"',
        'W/"{digest}:currencies@all=0;countries@all=0;languages@all=0"',
        'W/"{digest}:currencies@elsewhere=1"',
        'W/"{digest}:' + ";".join(f"currencies@all={n}" for n in range(17)) + '"',
    ],
)
def test_a_tag_that_is_not_current_gets_the_answer(client, sent):
    rename_currency()  # every version above 0
    rename_language()
    rename_country()
    digest = client.get("/")["ETag"].removeprefix('W/"').partition(":")[0]

    answer = client.get("/", headers={"If-None-Match": sent.format(digest=digest)})

    assert answer.status_code == 200
    assert b"Switzerland" in answer.content or b"Schweiz" in answer.content


def test_an_answer_missing_a_department_has_no_tag(client, monkeypatch):
    ports_down(monkeypatch, pages)("currencies")

    answer = client.get("/")

    assert answer.status_code == 200
    assert "ETag" not in answer
    assert data_versions.HEADER not in answer


def test_a_not_found_page_has_no_tag(client):
    answer = client.get("/countries/ZZ/")

    assert answer.status_code == 404
    assert "ETag" not in answer


def test_an_api_answer_says_what_it_read(client):
    rename_currency()

    answer = client.get("/api/currencies/CHF/")

    read = data_versions.parse_versions(answer[data_versions.HEADER])
    assert read == {data_versions.Source("currencies", "all", replica=False): 1}


def test_the_data_versions_of_a_service(client):
    rename_currency()
    rename_currency()

    answer = client.get(
        "/api/currencies/data-versions/", {"sources": "currencies@all;languages@all"}
    )

    assert answer.status_code == 200
    assert answer.json() == {"currencies@all": 2, "languages@all": 0}
    assert "no-store" in answer["Cache-Control"]


def test_a_source_named_twice_is_read_once(client):
    with queries_per_alias() as counts:
        answer = client.get(
            "/api/currencies/data-versions/", {"sources": ";".join(["currencies@all"] * 16)}
        )

    assert answer.json() == {"currencies@all": 0}
    assert counts["currencies"] == 1


def test_a_check_of_the_versions_waits_a_third_of_the_read_timeout_at_most(api):
    """A service that is slow to say its versions keeps a revisit waiting for a while, not for
    a whole read timeout before the answer is built as well."""
    euro = {"count": 1, "next": None, "previous": None, "results": [{"code": "CHF", "name": "F"}]}
    german = {"count": 1, "next": None, "previous": None, "results": [{"code": "de", "name": "G"}]}
    said = {data_versions.HEADER: "currencies@currencies=1"}
    with (
        scripted_server((200, euro, 0, said), (200, {}, 2.5), (200, euro, 0, said)) as currencies,
        scripted_server(
            (200, german, 0, {data_versions.HEADER: "languages@languages=1"}),
            (200, {"languages@languages": 1}, 0),
            (200, german, 0, {data_versions.HEADER: "languages@languages=1"}),
        ) as languages,
    ):
        topology = Topology(
            service="countries",
            service_urls={"currencies": currencies.url, "languages": languages.url},
        )
        with override_settings(TOPOLOGY=topology, SERVICE_READ_TIMEOUT=3.0):
            tag = api.get("/api/linked-countries/")["ETag"]
            started = time.monotonic()
            answer = api.get("/api/linked-countries/", headers={"If-None-Match": tag})
            elapsed = time.monotonic() - started

    assert answer.status_code == 200  # built again: the check could not say
    (path, check, _port) = currencies.requests[1]
    assert path.startswith("/api/currencies/data-versions/")
    assert float(check[deadlines.HEADER]) <= 1.0
    assert elapsed < 2.5


@pytest.mark.parametrize(
    "sources",
    [
        "",
        "currencies",
        "currencies@all=1",
        "currencies~all",  # one process keeps no replica
        "currencies@portal",  # held by another service
        ";".join(["currencies@all"] * 17),
    ],
)
def test_the_data_versions_of_sources_not_held_here_are_a_400(client, sources):
    answer = client.get("/api/currencies/data-versions/", {"sources": sources})

    assert answer.status_code == 400
    assert answer.json()["detail"]
