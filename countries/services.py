from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError

from countries.models import Country, CountryOutbox
from countries.search import country_search_key
from countries.selectors import country_get
from currencies.public import get_currency_directory
from languages.public import get_language_directory
from project.kernel.names import NAME_FIELDS, set_names
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)
from project.kernel.ports import Coded, Directory

# Links are checked with the departments that own them, never with a replica: a write must not
# link to a record that its owner has just deleted.
_DIRECTORIES: dict[str, Callable[..., Directory[Coded]]] = {
    "currency_code": get_currency_directory,
    "language_code": get_language_directory,
}


def country_links_resolve(**links: str | None) -> dict[str, str | None]:
    """Check link targets (`currency_code=`, `language_code=`) with the departments that own
    them and answer their canonical codes; None stays None (unlinked).

    Raises ValidationError naming each unknown code, or DepartmentUnavailable when a department
    cannot be asked, before anything is saved."""
    resolved: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    for field, code in links.items():
        if code is None:
            resolved[field] = None
            continue
        found = list(_DIRECTORIES[field](live=True).get_many([code]).values())
        if found:
            resolved[field] = found[0].code
        else:
            errors[field] = [f"Unknown {field.removesuffix('_code')} code {code!r}."]
    if errors:
        raise ValidationError(errors)
    return resolved


def country_create(
    *,
    code: str,
    name: str,
    names: Mapping[str, str] | None = None,
    currency_code: str | None = None,
    language_code: str | None = None,
) -> Country:
    country = Country(code=code)
    set_names(country, name=name, names=names or {}, search_key=country_search_key)
    # The row's own rules first: a bad code or name needs no call to another department.
    country.full_clean()
    links = country_links_resolve(currency_code=currency_code, language_code=language_code)
    for field, value in links.items():
        setattr(country, field, value)
    return validate_and_save(country, outbox=CountryOutbox)


def country_update(
    *,
    country: Country,
    name: str | Unchanged = UNCHANGED,
    names: Mapping[str, str] | Unchanged = UNCHANGED,
    currency_code: str | Unchanged | None = UNCHANGED,
    language_code: str | Unchanged | None = UNCHANGED,
) -> Country:
    """Change only what is given, and save only that: a concurrent update of another field
    is not overwritten. `names` replaces every name per language. New links are checked with
    their departments first; None unlinks."""
    renamed = name is not UNCHANGED or names is not UNCHANGED
    if renamed:
        set_names(
            country,
            name=country.name if name is UNCHANGED else name,
            names=country.names if names is UNCHANGED else names,
            search_key=country_search_key,
        )
        country.full_clean()  # the row's own rules before asking other departments
    links = {
        field: value
        for field, value in (("currency_code", currency_code), ("language_code", language_code))
        if value is not UNCHANGED
    }
    for field, value in country_links_resolve(**links).items():
        setattr(country, field, value)
    changed = NAME_FIELDS * renamed + list(links)
    return validate_and_save(country, update_fields=changed, outbox=CountryOutbox)


def country_delete(*, country: Country) -> None:
    delete_and_record(country, outbox=CountryOutbox)


def country_link(*, code: str, currency_code: str, language_code: str) -> Country:
    """Link an existing country to a currency and a language. Every unknown code is named at
    once, the country's as well as the links', and nothing is saved."""
    country = country_get(code=code)
    if country is not None:
        return country_update(
            country=country, currency_code=currency_code, language_code=language_code
        )
    errors = {"code": [f"Unknown country code {code!r}."]}
    try:
        country_links_resolve(currency_code=currency_code, language_code=language_code)
    except ValidationError as error:
        errors.update(error.message_dict)
    raise ValidationError(errors)
