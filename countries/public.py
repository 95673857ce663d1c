"""The country department's public port: the only module the portal may import from here."""

from dataclasses import dataclass
from typing import Protocol

from project.http import HttpDirectory, get_json
from project.ports import DepartmentUnavailable, Directory, choose_adapter

__all__ = [
    "Country",
    "CountryDirectory",
    "DepartmentUnavailable",
    "Link",
    "LinkedCountry",
    "LinkedCountryPage",
    "get_country_directory",
]


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    currency_code: str | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class Link:
    code: str
    name: str | None  # None while the owning department is unavailable


@dataclass(frozen=True, slots=True)
class LinkedCountry:
    code: str
    name: str
    currency: Link
    language: Link


@dataclass(frozen=True)
class LinkedCountryPage:
    results: list[LinkedCountry]
    count: int  # fully linked countries matching the search
    page: int
    page_size: int
    unavailable: list[str]  # departments whose names could not be fetched
    total_countries: int
    total_fully_linked: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


class CountryDirectory(Directory[Country], Protocol):
    def linked_page(
        self, *, search: str = "", page: int = 1, page_size: int = 50, ordering: str = "code"
    ) -> LinkedCountryPage:
        """One page of fully linked countries with the names of their currency and language.
        A page past the end has no results."""


def _from_json(item: dict) -> Country:
    return Country(
        code=item["code"],
        name=item["name"],
        currency_code=item["currency_code"],
        language_code=item["language_code"],
    )


def _linked_from_json(item: dict) -> LinkedCountry:
    return LinkedCountry(
        code=item["code"],
        name=item["name"],
        currency=Link(**item["currency"]),
        language=Link(**item["language"]),
    )


class HttpCountryDirectory(HttpDirectory[Country]):
    def __init__(self, base_url: str):
        super().__init__("countries", f"{base_url}/api/countries/", _from_json)
        self._linked_url = f"{base_url}/api/linked-countries/"

    def linked_page(self, *, search="", page=1, page_size=50, ordering="code"):
        params = {"search": search, "page": page, "page_size": page_size, "ordering": ordering}
        body = get_json("countries", self._linked_url, params)
        if body is None:  # a page past the end; ask page 1 for the totals
            body = get_json("countries", self._linked_url, {**params, "page": 1})
            body["results"] = []
        return LinkedCountryPage(
            results=[_linked_from_json(item) for item in body["results"]],
            count=body["count"],
            page=page,
            page_size=page_size,
            unavailable=body["unavailable"],
            total_countries=body["totals"]["countries"],
            total_fully_linked=body["totals"]["fully_linked"],
        )


def _local() -> CountryDirectory:
    from countries.local_port import LocalCountryDirectory  # noqa: PLC0415 - needs the app

    return LocalCountryDirectory()


def get_country_directory() -> CountryDirectory:
    return choose_adapter("countries", local=_local, remote=HttpCountryDirectory)
