from django.db.models import QuerySet

from currencies.models import Currency
from project.kernel.queries import filter_code_and_name, get_by_code, ordered


def currency_list(
    *,
    search: str | None = None,
    codes: list[str] | None = None,
    ordering: str = "code",
    language: str | None = None,
) -> QuerySet[Currency]:
    records = filter_code_and_name(Currency.objects.all(), search=search, codes=codes)
    return ordered(records, ordering, language=language)


def currency_get(*, code: str) -> Currency | None:
    return get_by_code(Currency.objects.all(), code)
