from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from django.db import connections, router
from django.db.models import Count, Q, QuerySet

from countries.models import Country
from currencies.public import Currency, get_currency_directory
from languages.public import Language, get_language_directory
from project.kernel.fields import code_shaped
from project.kernel.ports import ask_departments
from project.kernel.queries import filter_code_and_name, get_by_code, ordered

_LINKS_SET = Q(currency_code__isnull=False, language_code__isnull=False)
# What a country shows; not its search and sort keys, which a page would only decode.
COUNTRY_FIELDS = ("code", "name", "names", "currency_code", "language_code")


@dataclass(frozen=True)
class LinkCheck:
    """What the currency and language departments know of some link codes: their records, or
    None where the department could not be asked.

    A link whose department no longer knows its code is broken (its record was deleted). A
    department that could not be asked breaks nothing: its names are just missing."""

    currencies: Mapping[str, Currency] | None
    languages: Mapping[str, Language] | None
    currency_codes: frozenset[str]
    language_codes: frozenset[str]

    @property
    def unavailable(self) -> list[str]:
        answers = {"currencies": self.currencies, "languages": self.languages}
        return [department for department, found in answers.items() if found is None]

    # Cached: `fully_linked` asks them for every row of a page.
    @cached_property
    def broken_currency_codes(self) -> frozenset[str]:
        return _unknown(self.currency_codes, self.currencies)

    @cached_property
    def broken_language_codes(self) -> frozenset[str]:
        return _unknown(self.language_codes, self.languages)

    def fully_linked(self, currency_code: str | None, language_code: str | None) -> bool:
        """Both links set, and neither known to be broken (the codes were among those checked)."""
        return (
            Country.links_complete(currency_code, language_code)
            and currency_code not in self.broken_currency_codes
            and language_code not in self.broken_language_codes
        )

    def fully_linked_q(self) -> Q:
        """`fully_linked` as a filter, for countries whose links were all among those checked."""
        resolvable = _LINKS_SET
        if broken := self.broken_currency_codes:
            resolvable &= ~Q(currency_code__in=sorted(broken))
        if broken := self.broken_language_codes:
            resolvable &= ~Q(language_code__in=sorted(broken))
        return resolvable


def _unknown(codes: frozenset[str], found: Mapping[str, object] | None) -> frozenset[str]:
    return frozenset() if found is None else codes - set(found)


def check_links(currency_codes: Iterable[str], language_codes: Iterable[str]) -> LinkCheck:
    """One batched port call per department (none for no codes), at the same time where both
    are served elsewhere."""
    currencies, languages = frozenset(currency_codes), frozenset(language_codes)
    found = ask_departments(
        {
            "currencies": lambda: get_currency_directory().get_many(currencies),
            "languages": lambda: get_language_directory().get_many(languages),
        }
    )
    return LinkCheck(found["currencies"], found["languages"], currencies, languages)


def check_all_links() -> LinkCheck:
    """The check of every link a fully linked country has (each distinct code once)."""
    return check_links(*_distinct_linked_codes())


def check_links_of(links: Iterable[tuple[str | None, str | None]]) -> LinkCheck:
    """The check of these (currency code, language code) links, the complete ones only."""
    complete = [(currency, language) for currency, language in links if currency and language]
    return check_links({currency for currency, _ in complete}, {lang for _, lang in complete})


def country_list(
    *,
    search: str | None = None,
    codes: list[str] | None = None,
    fully_linked: bool | None = None,
    currency_code: str | None = None,
    language_code: str | None = None,
    links: LinkCheck | None = None,
    ordering: str = "code",
    language: str | None = None,
) -> QuerySet[Country]:
    """Countries by search and codes; by whether they are fully linked (by `links`, else by a
    check of all links with their departments); by the currency or language they link to;
    sorted by `ordering`, names as read in `language`."""
    countries = ordered(
        filter_code_and_name(Country.objects.all(), search=search, codes=codes),
        ordering,
        language=language,
    )
    for link, code in (("currency_code", currency_code), ("language_code", language_code)):
        if code is None:
            continue
        # CodeField looks the code up in the letter case it stores; no odd one is looked for.
        countries = countries.filter(**{link: code}) if code_shaped([code]) else countries.none()
    if fully_linked is None:
        return countries
    resolvable = (links or check_all_links()).fully_linked_q()
    return countries.filter(resolvable) if fully_linked else countries.exclude(resolvable)


def country_get(*, code: str) -> Country | None:
    return get_by_code(Country.objects.all(), code)


@dataclass(frozen=True)
class LinkedCountries:
    """Fully linked countries whose links resolve, with the linked records' names.

    A department that could not be asked is listed in `unavailable`; its links are then kept
    unresolved (the names are missing), not dropped."""

    countries: QuerySet[Country]
    currencies: Mapping[str, Currency]
    languages: Mapping[str, Language]
    unavailable: list[str]
    total_countries: int
    total_fully_linked: int
    count: int | None  # how many `countries`, when known without another query
    links: LinkCheck  # the check the countries were told fully linked by

    def not_fully_linked(self, *, search: str, language: str | None = None) -> QuerySet[Country]:
        """The countries `search` finds that are not fully linked, by the same check, the best
        match first, then by name as read in `language`."""
        return country_list(
            search=search, fully_linked=False, links=self.links, ordering="name", language=language
        )


# Each distinct code of both link columns, skipping through each column's index from one code
# to the next, in one statement. A plain SELECT DISTINCT reads every fully linked country;
# neither PostgreSQL 15 nor SQLite skips through an index by itself. Names come from this
# module, never from a request.
_DISTINCT_LINKED_CODES = """
WITH RECURSIVE currency_codes(code) AS (
    {currency_skip}
), language_codes(code) AS (
    {language_skip}
)
SELECT 'currency', code FROM currency_codes WHERE code IS NOT NULL
UNION ALL
SELECT 'language', code FROM language_codes WHERE code IS NOT NULL
"""
_SKIP_THROUGH = """
    SELECT MIN({column}) FROM {table} WHERE {column} IS NOT NULL AND {other} IS NOT NULL
    UNION ALL
    SELECT (
        SELECT MIN({column}) FROM {table} WHERE {column} > {codes}.code AND {other} IS NOT NULL
    )
    FROM {codes} WHERE {codes}.code IS NOT NULL
"""


def _distinct_linked_codes() -> tuple[set[str], set[str]]:
    """The distinct currency codes and language codes of the countries with both links set."""
    connection = connections[router.db_for_read(Country)]
    quote = connection.ops.quote_name
    table, currency, language = (
        quote(name) for name in (Country._meta.db_table, "currency_code", "language_code")
    )
    sql = _DISTINCT_LINKED_CODES.format(
        currency_skip=_SKIP_THROUGH.format(
            table=table, column=currency, other=language, codes="currency_codes"
        ),
        language_skip=_SKIP_THROUGH.format(
            table=table, column=language, other=currency, codes="language_codes"
        ),
    )
    found: dict[str, set[str]] = {"currency": set(), "language": set()}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for link, code in cursor.fetchall():
            found[link].add(code)
    return found["currency"], found["language"]


def linked_countries(
    *,
    search: str | None = None,
    codes: list[str] | None = None,
    ordering: str = "code",
    language: str | None = None,
) -> LinkedCountries:
    """One batched port call per department, whatever the page size or the number of
    countries: only the distinct linked codes are resolved. The database work is a skip through
    the index of each link column (a few hundred probes, however many countries there are), one
    pass to count, and the page itself."""
    links = check_all_links()
    resolvable = links.fully_linked_q()
    totals = Country.objects.aggregate(
        countries=Count("pk"), fully_linked=Count("pk", filter=resolvable)
    )
    unfiltered = not search and codes is None
    return LinkedCountries(
        countries=ordered(
            filter_code_and_name(Country.objects.filter(resolvable), search=search, codes=codes),
            ordering,
            language=language,
        ).only(*COUNTRY_FIELDS),
        currencies=links.currencies or {},
        languages=links.languages or {},
        unavailable=links.unavailable,
        total_countries=totals["countries"],
        total_fully_linked=totals["fully_linked"],
        count=totals["fully_linked"] if unfiltered else None,
        links=links,
    )
