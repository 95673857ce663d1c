from languages.models import Language
from project.persistence import validate_and_save


def language_create(*, code: str, name: str) -> Language:
    return validate_and_save(Language(code=code, name=name))


def language_update(*, language: Language, name: str | None = None) -> Language:
    if name is None:
        return language
    language.name = name
    return validate_and_save(language, update_fields=["name"])
