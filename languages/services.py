from collections.abc import Mapping

from languages.models import Language, LanguageOutbox
from languages.search import language_search_key
from project.kernel.names import NAME_FIELDS, set_names
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)


def language_create(*, code: str, name: str, names: Mapping[str, str] | None = None) -> Language:
    language = Language(code=code)
    set_names(language, name=name, names=names or {}, search_key=language_search_key)
    return validate_and_save(language, outbox=LanguageOutbox)


def language_update(
    *,
    language: Language,
    name: str | Unchanged = UNCHANGED,
    names: Mapping[str, str] | Unchanged = UNCHANGED,
) -> Language:
    """Rename the language (`names` replaces every name per language); saves only the names, so a
    concurrent change is not overwritten."""
    if name is UNCHANGED and names is UNCHANGED:
        return language
    set_names(
        language,
        name=language.name if name is UNCHANGED else name,
        names=language.names if names is UNCHANGED else names,
        search_key=language_search_key,
    )
    return validate_and_save(language, update_fields=NAME_FIELDS, outbox=LanguageOutbox)


def language_delete(*, language: Language) -> None:
    delete_and_record(language, outbox=LanguageOutbox)
