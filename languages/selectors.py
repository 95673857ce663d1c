from django.db.models import QuerySet

from languages.models import Language
from project.kernel.queries import filter_code_and_name, get_by_code, ordered


def language_list(
    *,
    search: str | None = None,
    codes: list[str] | None = None,
    ordering: str = "code",
    language: str | None = None,
) -> QuerySet[Language]:
    records = filter_code_and_name(Language.objects.all(), search=search, codes=codes)
    return ordered(records, ordering, language=language)


def language_get(*, code: str) -> Language | None:
    return get_by_code(Language.objects.all(), code)
