"""One contract per public port, run against every adapter: in-process, HTTP to a real server
on loopback (pytest-django's live_server), and, for the departments others replicate, the
replica, fed with the owner's own events."""

import logging
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.test import override_settings

from countries.adapters import HttpCountryDirectory, LocalCountryDirectory, ReplicaCountryDirectory
from countries.models import Country as CountryRow
from countries.models import CountryOutbox
from countries.public import (
    LINKED_ORDERINGS,
    Country,
    FoundCountries,
    LinkedCountryPage,
    get_country_directory,
)
from currencies.adapters import (
    HttpCurrencyDirectory,
    LocalCurrencyDirectory,
    ReplicaCurrencyDirectory,
)
from currencies.models import Currency as CurrencyRow
from currencies.models import CurrencyOutbox
from currencies.public import Currency, get_currency_directory
from languages.adapters import (
    HttpLanguageDirectory,
    LocalLanguageDirectory,
    ReplicaLanguageDirectory,
)
from languages.models import Language as LanguageRow
from languages.models import LanguageOutbox
from languages.public import Language, get_language_directory
from project.kernel.replica import apply_events
from project.kernel.request_id import _current as current_request_id
from project.topology import DEPARTMENTS, Topology
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory
from tests.linked_orderings import EXPECTED, create_sortable_countries

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

T = TypeVar("T")


def replicate_everything() -> None:
    """Give this process replicas of every department, fed with events of their owners'
    current rows, as a replica would have heard them."""
    for rows, outbox in (
        (CountryRow.objects, CountryOutbox),
        (CurrencyRow.objects, CurrencyOutbox),
        (LanguageRow.objects, LanguageOutbox),
    ):
        events = [outbox.record("created", row, using=rows.db) for row in rows.all()]
        stream = outbox.stream
        apply_events(stream.department, [stream.decode(event.message()) for event in events])


# Where no call may go: a replica read never asks the owner.
NOWHERE = "http://127.0.0.1:9"


class AdapterBuilder:
    """Builds a port's adapter the way the settings choose it: in-process when this process
    serves the department, HTTP to the live server when it does not, or its replica where the
    read model says so. `kind` says which."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.kind: str = request.param
        self._request = request

    def __call__(self, get_directory: Callable[[], T]) -> T:
        if self.kind == "in-process":
            return get_directory()
        if self.kind == "replica":
            replicate_everything()
            # A page of linked countries is always the owner's answer; nothing else is asked.
            live_server = self._request.getfixturevalue("live_server")
            replicated = Topology(
                service="portal",
                service_urls={
                    "countries": live_server.url,
                    "currencies": NOWHERE,
                    "languages": NOWHERE,
                },
                read_model="replica",
            )
            with override_settings(TOPOLOGY=replicated):
                return get_directory()
        live_server = self._request.getfixturevalue("live_server")
        remote = Topology(
            service="portal", service_urls=dict.fromkeys(DEPARTMENTS, live_server.url)
        )
        with override_settings(TOPOLOGY=remote):
            return get_directory()


@pytest.fixture(params=["in-process", "http"])
def adapter(request: pytest.FixtureRequest) -> AdapterBuilder:
    return AdapterBuilder(request)


@pytest.fixture(params=["in-process", "http", "replica"])
def any_adapter(request: pytest.FixtureRequest) -> AdapterBuilder:
    return AdapterBuilder(request)


@pytest.mark.parametrize(
    ("get_directory", "chosen"),
    [
        (
            get_country_directory,
            {
                "in-process": LocalCountryDirectory,
                "http": HttpCountryDirectory,
                "replica": ReplicaCountryDirectory,
            },
        ),
        (
            get_currency_directory,
            {
                "in-process": LocalCurrencyDirectory,
                "http": HttpCurrencyDirectory,
                "replica": ReplicaCurrencyDirectory,
            },
        ),
        (
            get_language_directory,
            {
                "in-process": LocalLanguageDirectory,
                "http": HttpLanguageDirectory,
                "replica": ReplicaLanguageDirectory,
            },
        ),
    ],
    ids=["countries", "currencies", "languages"],
)
def test_the_adapter_is_chosen_by_settings(any_adapter, get_directory, chosen):
    directory = any_adapter(get_directory)

    assert type(directory) is chosen[any_adapter.kind]


def test_writes_check_links_with_the_owner_even_where_reads_use_a_replica(live_server):
    replicated = Topology(
        service="countries",
        service_urls=dict.fromkeys(("currencies", "languages"), live_server.url),
        read_model="replica",
    )
    with override_settings(TOPOLOGY=replicated):
        assert type(get_currency_directory(live=True)) is HttpCurrencyDirectory
        assert type(get_language_directory(live=True)) is HttpLanguageDirectory
        assert type(get_currency_directory()) is ReplicaCurrencyDirectory


@pytest.mark.parametrize(
    ("get_directory", "factory", "dto"),
    [
        (get_currency_directory, CurrencyFactory, Currency),
        (get_language_directory, LanguageFactory, Language),
    ],
    ids=["currencies", "languages"],
)
class TestCodeNameDirectories:
    def test_get_many_looks_for_nothing_that_cannot_be_a_code(
        self, any_adapter, get_directory, factory, dto
    ):
        """A separator, a NUL or a space inside a code finds nothing, whichever adapter asks:
        no code can be smuggled in next to another."""
        record = factory()
        code = record.code
        odd = [f"{code},", f"{code},{code}", f"{code[0]} {code[1:]}", f"{code}\x00", f"{code};"]

        assert any_adapter(get_directory).get_many(odd) == {}
        assert any_adapter(get_directory).get_many([*odd, f" {code} "]) == {
            code: dto(code=code, name=record.name)
        }

    def test_get_many_answers_dtos_by_stored_code_ignoring_case(
        self, any_adapter, get_directory, factory, dto
    ):
        first, second = factory(name="First"), factory(name="Second")
        factory(name="Not asked")

        found = any_adapter(get_directory).get_many([first.code.swapcase(), second.code, "zzz"])

        assert found == {
            first.code: dto(code=first.code, name="First"),
            second.code: dto(code=second.code, name="Second"),
        }

    def test_get_many_of_nothing_is_empty(self, any_adapter, get_directory, factory, dto):
        assert any_adapter(get_directory).get_many([]) == {}

    def test_list_all_follows_pagination_in_code_order(
        self, any_adapter, get_directory, factory, dto
    ):
        factory.create_batch(520)  # more than one page of 500

        everything = any_adapter(get_directory).list_all()

        assert len(everything) == 520
        assert all(isinstance(item, dto) for item in everything)
        assert [item.code for item in everything] == sorted(item.code for item in everything)

    def test_count(self, any_adapter, get_directory, factory, dto):
        factory.create_batch(3)

        assert any_adapter(get_directory).count() == 3

    def test_names_per_language_travel_with_the_record(
        self, any_adapter, get_directory, factory, dto
    ):
        record = factory(name="Main", names={"en": "English", "de": "Deutsch"})

        assert any_adapter(get_directory).get_many([record.code]) == {
            record.code: dto(
                code=record.code, name="Main", names={"en": "English", "de": "Deutsch"}
            )
        }


class TestCountryDirectory:
    @pytest.fixture
    def linked(self):
        CurrencyFactory(code="EUR", name="Euro")
        LanguageFactory(code="de", name="German", names={"de": "Deutsch"})
        CountryFactory(
            code="DE",
            name="Germany",
            names={"de": "Deutschland"},
            currency_code="EUR",
            language_code="de",
        )
        CountryFactory(
            code="AT",
            name="Austria",
            names={"de": "Österreich"},
            currency_code="EUR",
            language_code="de",
        )
        CountryFactory(code="CH", name="Switzerland")

    def test_get_many_and_list_all(self, any_adapter, linked):
        directory = any_adapter(get_country_directory)

        assert directory.get_many(["de"]) == {
            "DE": Country(
                code="DE",
                name="Germany",
                names={"de": "Deutschland"},
                currency_code="EUR",
                language_code="de",
            )
        }
        assert [c.code for c in directory.list_all()] == ["AT", "CH", "DE"]
        assert directory.count() == 3

    def test_linked_page(self, any_adapter, linked):
        page = any_adapter(get_country_directory).linked_page(page=1, page_size=1, ordering="name")

        assert isinstance(page, LinkedCountryPage)
        assert (page.count, page.num_pages, page.unavailable) == (2, 2, [])
        assert (page.total_countries, page.total_fully_linked) == (3, 2)
        [austria] = page.results
        assert (austria.code, austria.name) == ("AT", "Austria")
        assert (austria.currency.code, austria.currency.name) == ("EUR", "Euro")
        assert (austria.language.code, austria.language.name) == ("de", "German")
        assert (austria.names, austria.language.names) == ({"de": "Österreich"}, {"de": "Deutsch"})

    def test_linked_page_sorts_names_in_the_language_asked_for(self, any_adapter, linked):
        page = any_adapter(get_country_directory).linked_page(ordering="name", language="de")

        assert [c.code for c in page.results] == ["DE", "AT"]  # Deutschland, Österreich

    def test_linked_page_sorts_by_each_ordering_both_ways(self, any_adapter):
        create_sortable_countries()
        directory = any_adapter(get_country_directory)

        orders = {
            ordering: [c.code for c in directory.linked_page(ordering=ordering).results]
            for ordering in LINKED_ORDERINGS
        }

        assert orders == EXPECTED

    def test_linked_page_search(self, any_adapter, linked):
        page = any_adapter(get_country_directory).linked_page(search="germ")

        assert [c.code for c in page.results] == ["DE"]

    def test_linked_page_past_the_end_is_empty(self, any_adapter, linked):
        page = any_adapter(get_country_directory).linked_page(page=9, page_size=1)

        assert page.results == []
        assert page.total_countries == 3

    def test_a_search_also_answers_its_first_matches_not_fully_linked_and_counts_them(
        self, any_adapter, linked
    ):
        CountryFactory(code="LI", name="Liechtenstein", currency_code="ZZZ", language_code="de")

        # "ch": Switzerland's code (no links), then Liechtenstein's name (a currency that is not).
        page = any_adapter(get_country_directory).linked_page(search="ch", not_linked=1)

        assert page.not_linked == FoundCountries(
            results=[
                Country(code="CH", name="Switzerland", currency_code=None, language_code=None)
            ],
            count=2,
        )

    def test_a_search_keeps_the_fully_linked_apart_from_the_others(self, any_adapter, linked):
        CountryFactory(code="LI", name="Liechtenstein", currency_code="ZZZ", language_code="de")
        directory = any_adapter(get_country_directory)

        def codes(**kwargs) -> tuple[list[str], list[str]]:
            page = directory.linked_page(search="ch", ordering="name", not_linked=20, **kwargs)
            assert page.not_linked is not None
            return [c.code for c in page.results], [c.code for c in page.not_linked.results]

        # Austria's and Germany's German names hold "ch" too.
        assert codes() == (["AT", "DE"], ["CH", "LI"])
        assert codes(language="de") == (["DE", "AT"], ["CH", "LI"])  # Deutschland, Österreich

    def test_no_matches_not_fully_linked_unless_a_search_asks_for_them(self, any_adapter, linked):
        directory = any_adapter(get_country_directory)

        assert directory.linked_page(search="atlantis", not_linked=20).not_linked == FoundCountries(
            results=[], count=0
        )
        assert directory.linked_page(search="ch").not_linked is None
        assert directory.linked_page(not_linked=20).not_linked is None

    def test_linked_to_a_currency_or_a_language(self, any_adapter, linked):
        directory = any_adapter(get_country_directory)

        assert [c.code for c in directory.linked_to(currency_code="eur")] == ["AT", "DE"]
        assert [c.code for c in directory.linked_to(language_code=" DE ")] == ["AT", "DE"]
        assert directory.linked_to(currency_code="EUR", language_code="fr") == []
        assert directory.linked_to(currency_code="USD") == []

    @pytest.mark.parametrize("code", ["EUR,USD", "EU R", "E\x00R", "EURO", "€", ""])
    def test_linked_to_a_code_that_cannot_exist_is_nothing(self, any_adapter, linked, code):
        assert any_adapter(get_country_directory).linked_to(currency_code=code) == []


def test_http_adapter_passes_the_request_id_on(live_server, caplog):
    remote = Topology(service="portal", service_urls=dict.fromkeys(DEPARTMENTS, live_server.url))
    with override_settings(TOPOLOGY=remote):
        directory = get_currency_directory()
    token = current_request_id.set("trace-me-123")
    try:
        with caplog.at_level(logging.INFO, logger="project.requests"):
            directory.list_all()
    finally:
        current_request_id.reset(token)

    served = [r for r in caplog.records if getattr(r, "path", None) == "/api/currencies/"]
    assert [r.request_id for r in served] == ["trace-me-123"]
