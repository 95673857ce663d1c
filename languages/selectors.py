from django.db.models import QuerySet

from languages.models import Language
from project.kernel.queries import filter_code_and_name


def language_list(
    *, search: str | None = None, codes: list[str] | None = None
) -> QuerySet[Language]:
    return filter_code_and_name(Language.objects.all(), search=search, codes=codes)


def language_get(*, code: str) -> Language | None:
    return Language.objects.filter(code=code).first()
