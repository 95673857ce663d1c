"""The country department's public port: the only module other departments and the portal may
import from here. DTOs, the protocol, the getter of the configured adapter, and what a code
tells without asking the department (its ISO 3166-1 codes, its record's path in the API)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import pycountry

from project.kernel.events import Event, EventStream
from project.kernel.ports import DepartmentUnavailable, Directory, choose_adapter

__all__ = [
    "COUNTRY_EVENTS",
    "LINKED_ORDERINGS",
    "Country",
    "CountryDirectory",
    "CountryEvent",
    "DepartmentUnavailable",
    "FoundCountries",
    "IsoCodes",
    "Link",
    "LinkedCountry",
    "LinkedCountryPage",
    "get_country_directory",
    "iso_codes",
    "record_api_path",
]


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    currency_code: str | None
    language_code: str | None
    names: dict[str, str] = field(default_factory=dict)  # per language, see kernel.names


@dataclass(frozen=True, slots=True)
class Link:
    code: str
    name: str | None  # None while the owning department is unavailable
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkedCountry:
    code: str
    name: str
    currency: Link
    language: Link
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FoundCountries:
    results: list[Country]  # the best matches first, at most the limit asked for
    count: int  # every country the search finds


@dataclass(frozen=True)
class LinkedCountryPage:
    results: list[LinkedCountry]
    count: int  # fully linked countries matching the search
    page: int
    page_size: int
    unavailable: list[str]  # departments whose names could not be fetched
    total_countries: int
    total_fully_linked: int
    # With a search and `not_linked` asked: the first matches that are not fully linked.
    not_linked: FoundCountries | None = None

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


# What a page of linked countries can be sorted by: a field, "-" first for descending.
LINKED_ORDERINGS = tuple(
    f"{sign}{field}"
    for field in ("code", "name", "currency_code", "language_code")
    for sign in ("", "-")
)


@dataclass(frozen=True, slots=True)
class IsoCodes:
    alpha_3: str  # e.g. "DEU"
    numeric: str  # three digits, e.g. "276"


def iso_codes(code: str) -> IsoCodes | None:
    """The ISO 3166-1 alpha-3 and numeric codes of the country whose code is alpha-2 `code`;
    None for a code ISO 3166-1 does not assign (one the department's staff made, e.g. "QX").
    The standard's, not the department's records: no call to the department."""
    iso = pycountry.countries.get(alpha_2=code.strip().upper())
    if iso is None:
        return None
    return IsoCodes(alpha_3=iso.alpha_3, numeric=iso.numeric)


def record_api_path(code: str) -> str:
    """The path of a country's record in the department's REST API, the same in every topology
    (in the split one the Ingress routes it to the department's service). Built here, not
    reversed: a process that does not serve the department has no URL pattern for it."""
    return f"/api/countries/{code}/"


# What the department publishes of every change (see project/kernel/events.py and
# docs/events/country-event.schema.json).
CountryEvent = Event[Country]
COUNTRY_EVENTS: EventStream[Country] = EventStream("countries", "country", Country)


class CountryDirectory(Directory[Country], Protocol):
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
        """One page of fully linked countries with the names of their currency and language,
        sorted by `ordering` (one of LINKED_ORDERINGS; ties by code), names as read in
        `language` (a site language; None: by the main name). A page past the end has no
        results. With a search, also the first `not_linked` countries it finds that are not
        fully linked (up to 500), the best match first, then by name, and how many it finds:
        in the same answer, so that a search page asks the department once."""

    def linked_to(
        self, *, currency_code: str | None = None, language_code: str | None = None
    ) -> list[Country]:
        """The countries whose link is this currency or this language (any letter case), by
        code: what a delete of that record would leave dangling."""


def get_country_directory(*, live: bool = False) -> CountryDirectory:
    """In-process where this process serves the country department; else this service's
    replica of it with READ_MODEL=replica, unless `live`; else HTTP to its service."""
    from countries import adapters  # noqa: PLC0415 - the adapters import this module's DTOs

    # Typed as the port, so that mypy checks every adapter against it.
    local: Callable[[], CountryDirectory] = adapters.LocalCountryDirectory
    remote: Callable[[str], CountryDirectory] = adapters.HttpCountryDirectory
    replica: Callable[[], CountryDirectory] = adapters.ReplicaCountryDirectory
    return choose_adapter("countries", local=local, remote=remote, replica=replica, live=live)
