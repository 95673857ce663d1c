from django.db.models import QuerySet

from languages.models import Language
from project.kernel.queries import filter_code_and_name, get_by_code


def language_list(
    *, search: str | None = None, codes: list[str] | None = None
) -> QuerySet[Language]:
    return filter_code_and_name(Language.objects.all(), search=search, codes=codes)


def language_get(*, code: str) -> Language | None:
    return get_by_code(Language.objects.all(), code)
