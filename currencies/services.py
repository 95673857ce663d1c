from currencies.models import Currency, CurrencyOutbox
from currencies.search import currency_search_key
from project.kernel.collation import sort_key
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)


def currency_create(*, code: str, name: str) -> Currency:
    currency = Currency(
        code=code,
        name=name,
        search_key=currency_search_key(code, name),
        name_sort_key=sort_key(name),
    )
    return validate_and_save(currency, outbox=CurrencyOutbox)


def currency_update(*, currency: Currency, name: str | Unchanged = UNCHANGED) -> Currency:
    """Rename the currency; saves only the name, so a concurrent change is not overwritten."""
    if name is UNCHANGED:
        return currency
    currency.name = name
    currency.search_key = currency_search_key(currency.code, name)
    currency.name_sort_key = sort_key(name)
    return validate_and_save(
        currency, update_fields=["name", "search_key", "name_sort_key"], outbox=CurrencyOutbox
    )


def currency_delete(*, currency: Currency) -> None:
    delete_and_record(currency, outbox=CurrencyOutbox)
