from languages.models import Language, LanguageOutbox
from languages.search import language_search_key
from project.kernel.collation import sort_key
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)


def language_create(*, code: str, name: str) -> Language:
    language = Language(
        code=code,
        name=name,
        search_key=language_search_key(code, name),
        name_sort_key=sort_key(name),
    )
    return validate_and_save(language, outbox=LanguageOutbox)


def language_update(*, language: Language, name: str | Unchanged = UNCHANGED) -> Language:
    """Rename the language; saves only the name, so a concurrent change is not overwritten."""
    if name is UNCHANGED:
        return language
    language.name = name
    language.search_key = language_search_key(language.code, name)
    language.name_sort_key = sort_key(name)
    return validate_and_save(
        language, update_fields=["name", "search_key", "name_sort_key"], outbox=LanguageOutbox
    )


def language_delete(*, language: Language) -> None:
    delete_and_record(language, outbox=LanguageOutbox)
