from dataclasses import dataclass

from django.db.models import Q, QuerySet

from countries.models import Country
from currencies.public import Currency, get_currency_directory
from languages.public import Language, get_language_directory
from project.ports import DepartmentUnavailable
from project.selectors import filter_code_and_name

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
    return Country.objects.filter(code=code).first()


@dataclass(frozen=True)
class LinkedCountries:
    """Fully linked countries whose links resolve, with the linked records' names.

    A department that could not be asked is listed in `unavailable`; its links are then kept
    unresolved (the names are missing), not dropped."""

    countries: QuerySet[Country]
    currencies: dict[str, Currency]
    languages: dict[str, Language]
    unavailable: list[str]
    total_countries: int
    total_fully_linked: int
    count: int | None  # how many `countries`, when known without another query


def _resolve(directory, codes: list[str], department: str, unavailable: list[str]) -> dict | None:
    try:
        return directory().get_many(codes)
    except DepartmentUnavailable:
        unavailable.append(department)
        return None


def linked_countries(
    *, search: str | None = None, codes: list[str] | None = None, ordering: str = "code"
) -> LinkedCountries:
    """One batched port call per department, whatever the page size or the number of
    countries: only the distinct linked codes are resolved. The database work is a pass over
    the distinct currency codes and one over the distinct language codes (at most a few hundred
    each, read from indexes), one count, and the page itself."""
    fully_linked = Country.objects.filter(_FULLY_LINKED)
    # order_by(): Meta.ordering ("code") would otherwise join the SELECT DISTINCT, and every
    # fully linked country would come back instead of each code once.
    currency_codes = set(fully_linked.order_by().values_list("currency_code", flat=True).distinct())
    language_codes = set(fully_linked.order_by().values_list("language_code", flat=True).distinct())
    unavailable: list[str] = []
    currencies = _resolve(get_currency_directory, currency_codes, "currencies", unavailable)
    languages = _resolve(get_language_directory, language_codes, "languages", unavailable)

    # Links the other department does not know (any more) are broken: left out. A department
    # that could not be asked breaks nothing: its names are just missing.
    broken = Q(pk__in=[])
    if currencies is not None:
        broken |= Q(currency_code__in=sorted(currency_codes - set(currencies)))
    if languages is not None:
        broken |= Q(language_code__in=sorted(language_codes - set(languages)))
    resolvable = fully_linked.exclude(broken)
    # Two counts, each answered from an index, rather than one aggregate over every row.
    totals = {"countries": Country.objects.count(), "fully_linked": resolvable.count()}
    unfiltered = not search and codes is None
    return LinkedCountries(
        countries=filter_code_and_name(resolvable, search=search, codes=codes).order_by(
            ordering, "code"
        ),
        currencies=currencies or {},
        languages=languages or {},
        unavailable=unavailable,
        total_countries=totals["countries"],
        total_fully_linked=totals["fully_linked"],
        count=totals["fully_linked"] if unfiltered else None,
    )
