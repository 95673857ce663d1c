"""A record's names: its main name, and a name per language of the site (`LANGUAGES`), each
department keeping its own. A language without a name of its own shows the main name.

The keys a record is found and sorted by are derived from its names (see `search` and
`collation`), so that "Deutschland" finds Germany and a German page sorts it under D.
"""

from collections.abc import Callable, Mapping
from typing import Any

from babel import Locale
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from project.kernel.collation import sort_key

# What a change of a record's names writes, and only that (see `persistence.validate_and_save`).
NAME_FIELDS = ["name", "names", "search_key", "name_sort_key", "name_sort_keys"]


def site_languages() -> list[str]:
    return [language for language, _ in settings.LANGUAGES]


def active_language() -> str | None:
    """The request's language as a site language ("de-at" reads "de"), None if none is."""
    language = (translation.get_language() or "").split("-")[0]
    return language if language in site_languages() else None


def name_in(language: str | None, name: str, names: Mapping[str, str]) -> str:
    """The name to show in `language`: its own, else the main name."""
    return (names.get(language) if language else None) or name


def cldr_names(name_in: Callable[[Locale], str | None]) -> dict[str, str]:
    """A record's name in every language of the site that CLDR names it in, as `name_in` reads
    it from that language's CLDR data: `lambda locale: locale.territories.get("DE")`."""
    found = {language: name_in(Locale(language)) for language in site_languages()}
    return {language: name for language, name in found.items() if name}


def set_names(
    record: Any,
    *,
    name: str,
    names: Mapping[str, str],
    search_key: Callable[[str, str, Mapping[str, str]], str],
) -> None:
    """Give `record` these names and the keys derived from them (its search key by
    `search_key(code, name, names)`). Names that are not a mapping of text to text are a
    ValidationError of field `names`; the model's validation checks the rest."""
    try:
        names = record._meta.get_field("names").to_python(names)
    except ValidationError as error:
        raise ValidationError({"names": error.messages}) from None
    record.name = name
    record.names = names
    record.search_key = search_key(record.code, name, names)
    record.name_sort_key = sort_key(name)
    record.name_sort_keys = {language: sort_key(local) for language, local in names.items()}
