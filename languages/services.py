from languages.models import Language, LanguageOutbox
from project.kernel.persistence import (
    UNCHANGED,
    Unchanged,
    delete_and_record,
    validate_and_save,
)


def language_create(*, code: str, name: str) -> Language:
    return validate_and_save(Language(code=code, name=name), outbox=LanguageOutbox)


def language_update(*, language: Language, name: str | Unchanged = UNCHANGED) -> Language:
    """Rename the language; saves only the name, so a concurrent change is not overwritten."""
    if name is UNCHANGED:
        return language
    language.name = name
    return validate_and_save(language, update_fields=["name"], outbox=LanguageOutbox)


def language_delete(*, language: Language) -> None:
    delete_and_record(language, outbox=LanguageOutbox)
