"""The country port's adapters, built as in every department: in-process over the department's
own selectors, HTTP over its REST API, and replica over another service's copy fed by the
departments' events; all answer the port's DTOs and pass one contract suite.

Processes that only reach the country department import this module too: its selectors (and so
its models, which need the installed app) are imported when the in-process adapter is built."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger

from countries.public import (
    COUNTRY_EVENTS,
    Country,
    FoundCountries,
    Link,
    LinkedCountry,
    LinkedCountryPage,
)
from currencies.public import Currency
from languages.public import Language
from project.kernel.fields import code_shaped
from project.kernel.http import HttpDirectory, fetch_json
from project.kernel.paginator import ThriftyPaginator
from project.kernel.ports import DepartmentUnavailable, LocalDirectory
from project.kernel.replica import ReplicaDirectory

if TYPE_CHECKING:
    from countries.selectors import LinkedCountries


def _link(code: str, records: Mapping[str, Currency | Language]) -> Link:
    record = records.get(code)
    if record is None:
        return Link(code=code, name=None)
    return Link(code=code, name=record.name, names=record.names)


def linked_country_dto(row: Any, linked: "LinkedCountries") -> LinkedCountry:
    """A fully linked country row, with the names `linked` resolved for its links."""
    return LinkedCountry(
        code=row.code,
        name=row.name,
        names=row.names,
        currency=_link(row.currency_code, linked.currencies),
        language=_link(row.language_code, linked.languages),
    )


class LocalCountryDirectory(LocalDirectory[Country]):
    def __init__(self) -> None:
        from countries import selectors  # noqa: PLC0415 - only where installed

        super().__init__("countries", selectors.country_list, Country)
        self._linked_countries = selectors.linked_countries

    def linked_page(
        self,
        *,
        search: str = "",
        page: int = 1,
        page_size: int = 50,
        ordering: str = "code",
        language: str | None = None,
        not_linked: int = 0,
    ) -> LinkedCountryPage:
        with self._reading():
            linked = self._linked_countries(search=search, ordering=ordering, language=language)
            found = None
            if search and not_linked:
                matches = linked.not_fully_linked(search=search, language=language)
                found = FoundCountries(self._read(matches[:not_linked]), matches.count())
            paginator = ThriftyPaginator(linked.countries, page_size, count=linked.count)
            try:
                rows = list(paginator.page(page).object_list)
            except (EmptyPage, PageNotAnInteger):
                rows = []  # a page past the end
            return LinkedCountryPage(
                results=[linked_country_dto(row, linked) for row in rows],
                count=paginator.count,
                page=page,
                page_size=page_size,
                unavailable=linked.unavailable,
                total_countries=linked.total_countries,
                total_fully_linked=linked.total_fully_linked,
                not_linked=found,
            )

    def linked_to(
        self, *, currency_code: str | None = None, language_code: str | None = None
    ) -> list[Country]:
        with self._reading():
            return self._read(self._list(currency_code=currency_code, language_code=language_code))


def _from_json(item: dict) -> Country:
    return Country(
        code=item["code"],
        name=item["name"],
        currency_code=item["currency_code"],
        language_code=item["language_code"],
        names=item.get("names", {}),  # none from an older service: the main name is shown
    )


def _found_from_json(found: dict) -> FoundCountries:
    return FoundCountries(
        results=[_from_json(item) for item in found["results"]], count=found["count"]
    )


def _linked_from_json(item: dict) -> LinkedCountry:
    return LinkedCountry(
        code=item["code"],
        name=item["name"],
        names=item.get("names", {}),
        currency=Link(**item["currency"]),
        language=Link(**item["language"]),
    )


class HttpCountryDirectory(HttpDirectory[Country]):
    def __init__(self, base_url: str) -> None:
        super().__init__("countries", f"{base_url}/api/countries/", _from_json)
        self._linked_url = f"{base_url}/api/linked-countries/"

    def linked_page(
        self,
        *,
        search: str = "",
        page: int = 1,
        page_size: int = 50,
        ordering: str = "code",
        language: str | None = None,
        not_linked: int = 0,
    ) -> LinkedCountryPage:
        params: dict[str, str | int] = {
            "search": search,
            "page": page,
            "page_size": page_size,
            "ordering": ordering,
        }
        if language is not None:
            params["language"] = language
        if not_linked:
            params["not_linked"] = not_linked
        status, body = fetch_json("countries", self._linked_url, params, statuses=(200, 404))
        if status == 404 and not (body and "count" in body):
            raise DepartmentUnavailable("countries", "it answered HTTP 404")
        # A page past the end is a 404 that still carries the counts: no second request.
        results = body["results"] if status == 200 else []
        return LinkedCountryPage(
            results=[_linked_from_json(item) for item in results],
            count=body["count"],
            page=page,
            page_size=page_size,
            unavailable=body["unavailable"],
            total_countries=body["totals"]["countries"],
            total_fully_linked=body["totals"]["fully_linked"],
            not_linked=_found_from_json(found) if (found := body.get("not_fully_linked")) else None,
        )

    def linked_to(
        self, *, currency_code: str | None = None, language_code: str | None = None
    ) -> list[Country]:
        links = {"currency_code": currency_code, "language_code": language_code}
        wanted = {link: code_shaped([code]) for link, code in links.items() if code is not None}
        if not all(wanted.values()):
            return []  # a code that cannot exist links nothing, and reaches no URL
        return self._fetch({link: shaped[0] for link, shaped in wanted.items()})


class ReplicaCountryDirectory(ReplicaDirectory[Country]):
    """Countries as this service's replica holds them. A page of linked countries (with a
    search's matches not fully linked) and the countries linked to a record are the country
    department's own answers, over HTTP:
    it counts and pages through its indexes, and checks the links with its own replicas, in one
    call."""

    def __init__(self) -> None:
        super().__init__(COUNTRY_EVENTS)
        self._owner = HttpCountryDirectory(settings.TOPOLOGY.service_url("countries"))

    def linked_page(
        self,
        *,
        search: str = "",
        page: int = 1,
        page_size: int = 50,
        ordering: str = "code",
        language: str | None = None,
        not_linked: int = 0,
    ) -> LinkedCountryPage:
        return self._owner.linked_page(
            search=search,
            page=page,
            page_size=page_size,
            ordering=ordering,
            language=language,
            not_linked=not_linked,
        )

    def linked_to(
        self, *, currency_code: str | None = None, language_code: str | None = None
    ) -> list[Country]:
        return self._owner.linked_to(currency_code=currency_code, language_code=language_code)
