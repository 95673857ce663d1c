from currencies.models import Currency, CurrencyOutbox
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)


def currency_create(*, code: str, name: str) -> Currency:
    return validate_and_save(Currency(code=code, name=name), outbox=CurrencyOutbox)


def currency_update(*, currency: Currency, name: str | Unchanged = UNCHANGED) -> Currency:
    """Rename the currency; saves only the name, so a concurrent change is not overwritten."""
    if name is UNCHANGED:
        return currency
    currency.name = name
    return validate_and_save(currency, update_fields=["name"], outbox=CurrencyOutbox)


def currency_delete(*, currency: Currency) -> None:
    delete_and_record(currency, outbox=CurrencyOutbox)
