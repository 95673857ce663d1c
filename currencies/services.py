from currencies.models import Currency
from project.persistence import validate_and_save


def currency_create(*, code: str, name: str) -> Currency:
    return validate_and_save(Currency(code=code, name=name))


def currency_update(*, currency: Currency, name: str | None = None) -> Currency:
    if name is None:
        return currency
    currency.name = name
    return validate_and_save(currency, update_fields=["name"])
