from django.db.models import QuerySet

from currencies.models import Currency
from project.kernel.queries import filter_code_and_name


def currency_list(
    *, search: str | None = None, codes: list[str] | None = None
) -> QuerySet[Currency]:
    return filter_code_and_name(Currency.objects.all(), search=search, codes=codes)


def currency_get(*, code: str) -> Currency | None:
    return Currency.objects.filter(code=code).first()
