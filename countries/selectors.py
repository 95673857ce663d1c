from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Count, Q, QuerySet

from countries.models import Country
from currencies.public import Currency, get_currency_directory
from languages.public import Language, get_language_directory
from project.kernel.ports import ask_departments
from project.kernel.queries import filter_code_and_name, get_by_code

_FULLY_LINKED = Q(currency_code__isnull=False, language_code__isnull=False)


def country_list(
    *,
    search: str | None = None,
    codes: list[str] | None = None,
    fully_linked: bool | None = None,
) -> QuerySet[Country]:
    countries = filter_code_and_name(Country.objects.all(), search=search, codes=codes)
    if fully_linked is True:
        countries = countries.filter(_FULLY_LINKED)
    elif fully_linked is False:
        countries = countries.exclude(_FULLY_LINKED)
    return countries


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


# Each distinct code once, skipping through the link column's index from one code to the next.
# A plain SELECT DISTINCT reads every fully linked country; neither PostgreSQL 15 nor SQLite
# skips through an index by itself. Column names come from this module, never from a request.
_DISTINCT_LINKED_CODES = """
WITH RECURSIVE codes(code) AS (
    SELECT MIN({column}) FROM {table} WHERE {column} IS NOT NULL AND {other} IS NOT NULL
    UNION ALL
    SELECT (
        SELECT MIN({column}) FROM {table} WHERE {column} > codes.code AND {other} IS NOT NULL
    )
    FROM codes WHERE codes.code IS NOT NULL
)
SELECT code FROM codes WHERE code IS NOT NULL
"""


def _distinct_linked_codes(column: str, other: str) -> set[str]:
    """The distinct values of link `column` among the countries whose `other` link is set."""
    connection = connections[router.db_for_read(Country)]
    quote = connection.ops.quote_name
    sql = _DISTINCT_LINKED_CODES.format(
        table=quote(Country._meta.db_table), column=quote(column), other=quote(other)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {code for (code,) in cursor.fetchall()}


def linked_countries(
    *, search: str | None = None, codes: list[str] | None = None, ordering: str = "code"
) -> LinkedCountries:
    """One batched port call per department, whatever the page size or the number of
    countries: only the distinct linked codes are resolved. The database work is a skip through
    the index of each link column (a few hundred probes, however many countries there are), one
    pass to count, and the page itself."""
    currency_codes = _distinct_linked_codes("currency_code", "language_code")
    language_codes = _distinct_linked_codes("language_code", "currency_code")
    names = ask_departments(
        {
            "currencies": lambda: get_currency_directory().get_many(currency_codes),
            "languages": lambda: get_language_directory().get_many(language_codes),
        }
    )
    unavailable = [department for department, found in names.items() if found is None]
    currencies: Mapping[str, Currency] | None = names["currencies"]
    languages: Mapping[str, Language] | None = names["languages"]

    # Links the other department does not know (any more) are broken: left out. A department
    # that could not be asked breaks nothing: its names are just missing.
    resolvable = _FULLY_LINKED
    if currencies is not None and (unknown := currency_codes - set(currencies)):
        resolvable &= ~Q(currency_code__in=sorted(unknown))
    if languages is not None and (unknown := language_codes - set(languages)):
        resolvable &= ~Q(language_code__in=sorted(unknown))
    totals = Country.objects.aggregate(
        countries=Count("pk"), fully_linked=Count("pk", filter=resolvable)
    )
    unfiltered = not search and codes is None
    return LinkedCountries(
        countries=filter_code_and_name(
            Country.objects.filter(resolvable), search=search, codes=codes
        ).order_by(ordering, "code"),
        currencies=currencies or {},
        languages=languages or {},
        unavailable=unavailable,
        total_countries=totals["countries"],
        total_fully_linked=totals["fully_linked"],
        count=totals["fully_linked"] if unfiltered else None,
    )
