"""Query helpers shared by the departments' selectors."""

from django.db.models import Q, QuerySet


def filter_code_and_name(
    queryset: QuerySet, *, search: str | None = None, codes: list[str] | None = None
) -> QuerySet:
    """`search` matches code or name, ignoring case; `codes` keeps only those codes."""
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if codes is not None:
        queryset = queryset.filter(code__in=codes)
    return queryset
