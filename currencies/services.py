from collections.abc import Mapping

from currencies.models import Currency, CurrencyOutbox
from currencies.search import currency_search_key
from project.kernel.names import NAME_FIELDS, set_names
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)


def currency_create(*, code: str, name: str, names: Mapping[str, str] | None = None) -> Currency:
    currency = Currency(code=code)
    set_names(currency, name=name, names=names or {}, search_key=currency_search_key)
    return validate_and_save(currency, outbox=CurrencyOutbox)


def currency_update(
    *,
    currency: Currency,
    name: str | Unchanged = UNCHANGED,
    names: Mapping[str, str] | Unchanged = UNCHANGED,
) -> Currency:
    """Rename the currency (`names` replaces every name per language); saves only the names, so a
    concurrent change is not overwritten."""
    if name is UNCHANGED and names is UNCHANGED:
        return currency
    set_names(
        currency,
        name=currency.name if name is UNCHANGED else name,
        names=currency.names if names is UNCHANGED else names,
        search_key=currency_search_key,
    )
    return validate_and_save(currency, update_fields=NAME_FIELDS, outbox=CurrencyOutbox)


def currency_delete(*, currency: Currency) -> None:
    delete_and_record(currency, outbox=CurrencyOutbox)
