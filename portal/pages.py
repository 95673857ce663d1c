"""What each portal page shows, read through the departments' public ports only.

Each function makes at most one call per department (a search of the home page two to the
country department), whatever the amount of data, and turns `DepartmentUnavailable` into a
notice: a page degrades, it never fails.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from countries.public import (
    Country,
    FoundCountries,
    IsoCodes,
    LinkedCountryPage,
    get_country_directory,
    iso_codes,
    record_api_path,
)
from currencies.public import Currency, get_currency_directory
from languages.public import Language, get_language_directory
from project.kernel.collation import sort_key
from project.kernel.fields import code_shaped, control_characters_replaced
from project.kernel.names import active_language, name_in
from project.kernel.ports import Directory, ask_departments
from project.kernel.search import rank

PAGE_SIZE = 50  # rows a page of a list shows

_UNAVAILABLE_NOTICES = {
    "countries": gettext_lazy("The country department is unavailable right now."),
    "currencies": gettext_lazy("The currency department is unavailable right now."),
    "languages": gettext_lazy("The language department is unavailable right now."),
}


def unavailable_notice(department: str) -> str:
    """One sentence, in the active language, saying that `department` could not be reached."""
    notice = _UNAVAILABLE_NOTICES.get(department)
    if notice is None:
        return gettext("The %(department)s department is unavailable right now.") % {
            "department": department
        }
    return str(notice)


@dataclass
class Unavailable:
    """The departments a page could not reach, in the order they failed, each once."""

    departments: list[str] = field(default_factory=list)

    def add(self, department: str) -> None:
        if department not in self.departments:
            self.departments.append(department)

    def ask(self, calls: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
        """Each department's answer, or None (and the department noted) where it is
        unavailable. Departments served elsewhere are asked at the same time."""
        answers = ask_departments(calls)
        for department, answer in answers.items():
            if answer is None:
                self.add(department)
        return answers

    def __contains__(self, department: str) -> bool:
        return department in self.departments

    def __bool__(self) -> bool:
        return bool(self.departments)

    @property
    def notices(self) -> list[str]:
        return [unavailable_notice(department) for department in self.departments]


@dataclass(frozen=True)
class Pager:
    """Which page of a list is shown, of how many, and the pages next to it."""

    number: int
    num_pages: int

    @property
    def past_the_end(self) -> bool:
        return self.number > self.num_pages

    @property
    def previous(self) -> int | None:
        return min(self.number - 1, self.num_pages) if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.num_pages else None


@dataclass(frozen=True)
class Searched:
    search: str

    @property
    def shown_search(self) -> str:
        """The search as the page shows it back: no record holds a control character, and none
        reaches the page."""
        return control_characters_replaced(self.search)


# --- Linked countries (the home page) ------------------------------------------------------

# The home table's sortable columns (as `?sort=` names them) and the field each sorts by, as
# the country port's `linked_page` takes it: a link by its code, which the country department
# holds (the names belong to the other departments).
SORT_FIELDS = {
    "name": "name",
    "code": "code",
    "currency": "currency_code",
    "language": "language_code",
}
_SORT_LABELS = {
    "name": gettext_lazy("name"),
    "code": gettext_lazy("code"),
    "currency": gettext_lazy("currency code"),
    "language": gettext_lazy("language code"),
}


@dataclass(frozen=True)
class Sort:
    """How the home table is sorted: by a column of SORT_FIELDS, either way."""

    column: str = "name"
    descending: bool = False

    @classmethod
    def parse(cls, raw: str) -> "Sort":
        """`?sort=`'s value, a column with "-" first for descending; anything else is the
        default, by name (an old or mistyped link still shows the list)."""
        column = raw.removeprefix("-")
        if column not in SORT_FIELDS:
            return cls()
        return cls(column=column, descending=raw.startswith("-"))

    @property
    def param(self) -> str:
        return f"-{self.column}" if self.descending else self.column

    @property
    def is_default(self) -> bool:
        return self == Sort()

    @property
    def ordering(self) -> str:
        field = SORT_FIELDS[self.column]
        return f"-{field}" if self.descending else field

    @property
    def aria_sort(self) -> str:
        return "descending" if self.descending else "ascending"

    def toggled(self, column: str) -> str:
        """The `?sort=` a click on `column`'s header asks for: the sorted column reversed,
        another one ascending."""
        return Sort(column=column, descending=column == self.column and not self.descending).param

    @property
    def caption(self) -> str:
        direction = gettext("descending") if self.descending else gettext("ascending")
        return gettext("Linked countries, sorted by %(column)s, %(direction)s") % {
            "column": _SORT_LABELS[self.column],
            "direction": direction,
        }


NOT_LINKED_SHOWN = 20  # a search's matches that are not fully linked, shown beside the table


@dataclass(frozen=True)
class NotLinkedMatches:
    """The countries a search finds that are not fully linked, each with what it lacks."""

    rows: list[tuple[Country, str]]
    count: int  # all of them, shown or not

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def missing_links(country: Country) -> str:
    """What keeps a country that is not fully linked off the table, in the active language. A
    country with both links set has one its department does not have (its page says which)."""
    if not country.currency_code and not country.language_code:
        return gettext("no currency and no language")
    if not country.currency_code:
        return gettext("no currency")
    if not country.language_code:
        return gettext("no language")
    return gettext("a currency or language its department does not have")


def _not_linked_matches(found: FoundCountries) -> NotLinkedMatches:
    return NotLinkedMatches(
        rows=[(country, missing_links(country)) for country in found.results], count=found.count
    )


@dataclass(frozen=True)
class HomePage(Searched):
    sort: Sort
    linked: LinkedCountryPage | None  # None while the country department is unavailable
    # None without a search, and while the country department is unavailable.
    not_linked: NotLinkedMatches | None
    currency_count: int | None  # None while the currency department is unavailable
    language_count: int | None
    unavailable: Unavailable

    @property
    def pager(self) -> Pager | None:
        if self.linked is None:
            return None
        return Pager(number=self.linked.page, num_pages=self.linked.num_pages)


def home_page(*, search: str = "", page: int = 1, sort: Sort = Sort()) -> HomePage:
    """Fully linked countries sorted by `sort` (names as the reader's language has them), one
    page of them, with a search also the first matches that are not fully linked, and how many
    records each department holds: one call to each port (the country port asks the other two
    for the names). In the split topology the departments are asked at the same time."""
    language = active_language()  # read here: the calls may run in other threads

    unavailable = Unavailable()
    answers = unavailable.ask(
        {
            "countries": lambda: get_country_directory().linked_page(
                search=search,
                page=page,
                page_size=PAGE_SIZE,
                ordering=sort.ordering,
                language=language,
                not_linked=NOT_LINKED_SHOWN if search else 0,
            ),
            "currencies": lambda: get_currency_directory().count(),
            "languages": lambda: get_language_directory().count(),
        }
    )
    linked: LinkedCountryPage | None = answers["countries"]
    found = linked.not_linked if linked is not None else None
    if linked is not None:
        for department in linked.unavailable:
            unavailable.add(department)
    return HomePage(
        search=search,
        sort=sort,
        linked=linked,
        not_linked=_not_linked_matches(found) if found is not None else None,
        currency_count=answers["currencies"],
        language_count=answers["languages"],
        unavailable=unavailable,
    )


# --- One country ---------------------------------------------------------------------------

LINKED = "linked"
BROKEN = "broken"  # the code is set but the other department does not have it (any more)
NOT_LINKED = "not-linked"
UNKNOWN = "unknown"  # the other department could not be asked


@dataclass(frozen=True)
class LinkStatus:
    code: str | None
    name: str | None
    state: str
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CountryPage:
    code: str
    country: Country | None  # None when not found or the country department is unavailable
    currency: LinkStatus | None
    language: LinkStatus | None
    unavailable: Unavailable

    @property
    def not_found(self) -> bool:
        return self.country is None and "countries" not in self.unavailable

    @property
    def iso_codes(self) -> IsoCodes | None:
        return iso_codes(self.code)

    @property
    def api_path(self) -> str:
        return record_api_path(self.code)


def link_status(code: str | None, records: Mapping[str, Currency | Language] | None) -> LinkStatus:
    """The state of link `code`. `records`: what the owning department answered for the codes
    asked, keyed by code as stored (links are stored normalised alike); None if it could not
    be asked."""
    if not code:
        return LinkStatus(code=None, name=None, state=NOT_LINKED)
    if records is None:
        return LinkStatus(code=code, name=None, state=UNKNOWN)
    record = records.get(code)
    if record is None:
        return LinkStatus(code=code, name=None, state=BROKEN)
    return LinkStatus(code=record.code, name=record.name, state=LINKED, names=record.names)


def country_page(code: str) -> CountryPage:
    """A country with the names of its currency and language: one call to each port, the
    currency and language calls at the same time where they go to other services."""
    unavailable = Unavailable()
    found: Mapping[str, Country] | None = unavailable.ask(
        {"countries": lambda: get_country_directory().get_many([code])}
    )["countries"]
    # One code asked, so one record at most, under the code as its department stores it.
    country = next(iter(found.values()), None) if found else None
    currency = language = None
    if country is not None:
        calls: dict[str, Callable[[], Mapping[str, Currency] | Mapping[str, Language]]] = {}
        if currency_code := country.currency_code:
            calls["currencies"] = lambda: get_currency_directory().get_many([currency_code])
        if language_code := country.language_code:
            calls["languages"] = lambda: get_language_directory().get_many([language_code])
        records = unavailable.ask(calls)
        currency = link_status(country.currency_code, records.get("currencies"))
        language = link_status(country.language_code, records.get("languages"))
    return CountryPage(
        code=country.code if country else code,
        country=country,
        currency=currency,
        language=language,
        unavailable=unavailable,
    )


# --- Currencies and languages with the countries that use them -----------------------------


@dataclass(frozen=True)
class DirectoryRow:
    code: str
    name: str | None  # None while the department is unavailable
    countries: list[Country] | None  # None while the country department is unavailable
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DirectoryPage(Searched):
    in_use: bool  # only the records some country uses, asked
    department: str
    rows: list[DirectoryRow]  # the rows of this page
    count: int  # rows matching the search and the filter, on every page
    pager: Pager
    # Codes that countries link to but the department does not have (broken links).
    broken: list[DirectoryRow]
    unavailable: Unavailable

    @property
    def countries_available(self) -> bool:
        return "countries" not in self.unavailable

    @property
    def department_available(self) -> bool:
        return self.department not in self.unavailable

    @property
    def in_use_unknown(self) -> bool:
        """The filter was asked, but without the countries no row can be told in use."""
        return self.in_use and not self.countries_available


def _matching(rows: list[DirectoryRow], search: str) -> list[DirectoryRow]:
    """The rows that match `search` over code and names, the best first, as the departments'
    API ranks them; in their order within a rank."""
    if not search:
        return rows
    ranked = [
        (found, row)
        for row in rows
        if (found := rank(search, [row.code, row.name, *row.names.values()])) is not None
    ]
    return [row for _, row in sorted(ranked, key=lambda pair: pair[0])]


def countries_by_name(countries: Iterable[Country]) -> list[Country]:
    """`countries` sorted by their names as the reader's language has them."""
    language = active_language()
    return sorted(countries, key=lambda c: (sort_key(name_in(language, c.name, c.names)), c.code))


# A department's port getter: the currency or the language one.
GetDirectory = Callable[[], Directory[Currency | Language]]


def _directory_page(
    department: str,
    get_directory: GetDirectory,
    link_field: str,
    *,
    search: str,
    page: int,
    in_use: bool,
) -> DirectoryPage:
    unavailable = Unavailable()
    answers = unavailable.ask(
        {
            department: lambda: get_directory().list_all(),
            "countries": lambda: get_country_directory().list_all(),
        }
    )
    records, countries = answers[department], answers["countries"]

    users: dict[str, list[Country]] = defaultdict(list)
    for country in countries_by_name(countries or []):
        code = getattr(country, link_field)
        if code:
            users[code].append(country)

    def countries_of(code: str) -> list[Country] | None:
        return users.get(code, []) if countries is not None else None

    if records is not None:
        rows = [DirectoryRow(r.code, r.name, countries_of(r.code), r.names) for r in records]
        known = {r.code for r in records}
        broken = [
            DirectoryRow(code, None, users[code]) for code in sorted(users) if code not in known
        ]
    else:  # show the codes the countries link to, without names
        rows = [DirectoryRow(code, None, users[code]) for code in sorted(users)]
        broken = []
    if in_use:  # without the countries (None) no row is known to be in use: all are shown
        rows = [row for row in rows if row.countries is None or row.countries]
    rows = _matching(rows, search)
    pager = Pager(number=page, num_pages=max(1, -(-len(rows) // PAGE_SIZE)))
    return DirectoryPage(
        search=search,
        in_use=in_use,
        department=department,
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        count=len(rows),
        pager=pager,
        broken=_matching(broken, search),
        unavailable=unavailable,
    )


def currency_page(*, search: str = "", page: int = 1, in_use: bool = False) -> DirectoryPage:
    """One page of the currencies matching `search`, with the countries that use each: one call
    to each of the two ports."""
    return _directory_page(
        "currencies",
        get_currency_directory,
        "currency_code",
        search=search,
        page=page,
        in_use=in_use,
    )


def language_page(*, search: str = "", page: int = 1, in_use: bool = False) -> DirectoryPage:
    """One page of the languages matching `search`, with the countries that speak each: one
    call to each of the two ports."""
    return _directory_page(
        "languages",
        get_language_directory,
        "language_code",
        search=search,
        page=page,
        in_use=in_use,
    )


# --- One currency or language with the countries that use it -------------------------------


@dataclass(frozen=True)
class RecordPage:
    department: str
    code: str
    record: Currency | Language | None  # None when not found or the department is unavailable
    countries: list[Country] | None  # by name; None while the country department is unavailable
    unavailable: Unavailable

    @property
    def not_found(self) -> bool:
        return self.record is None and self.department not in self.unavailable


def _record_page(
    department: str, get_directory: GetDirectory, link_field: str, code: str
) -> RecordPage:
    unavailable = Unavailable()
    if not code_shaped([code]):  # no department has such a code: nothing to ask
        return RecordPage(department, code, None, None, unavailable)
    answers = unavailable.ask(
        {
            department: lambda: get_directory().get_many([code]),
            "countries": lambda: get_country_directory().linked_to(**{link_field: code}),
        }
    )
    found, countries = answers[department], answers["countries"]
    # One code asked, so one record at most, under the code as its department stores it.
    record = next(iter(found.values()), None) if found else None
    return RecordPage(
        department=department,
        code=record.code if record else code,
        record=record,
        countries=countries_by_name(countries) if countries is not None else None,
        unavailable=unavailable,
    )


def currency_detail_page(code: str) -> RecordPage:
    """A currency and the countries that use it: one call to each of the two ports, at the same
    time where they go to other services."""
    return _record_page("currencies", get_currency_directory, "currency_code", code)


def language_detail_page(code: str) -> RecordPage:
    """A language and the countries that speak it: one call to each of the two ports, at the
    same time where they go to other services."""
    return _record_page("languages", get_language_directory, "language_code", code)
