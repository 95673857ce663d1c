"""Query helpers shared by the departments' selectors."""

from typing import TypeVar

from django.db.models import F, Model, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from project.kernel.fields import code_shaped, has_control_characters
from project.kernel.search import RANK, searched

Row = TypeVar("Row", bound=Model)


def filter_code_and_name(
    queryset: QuerySet[Row], *, search: str | None = None, codes: list[str] | None = None
) -> QuerySet[Row]:
    """`search` matches what a record is found by (see `project.kernel.search`), ignoring case
    and accents, ranked; `codes` keeps only those codes. A search with control characters finds
    nothing (no code or name holds one), and only code-shaped codes are looked for: no odd
    character reaches the database."""
    if search and has_control_characters(search):
        return queryset.none()
    if search:
        queryset = searched(queryset, search)
    if codes is not None:
        queryset = queryset.filter(code__in=code_shaped(codes))
    return queryset


def sort_key_in(language: str) -> Coalesce:
    """The collation key of a record's name in `language`, its main name's where it has none:
    what lists sort by in that language, and what a model's index on it is built from."""
    return Coalesce(KT(f"name_sort_keys__{language}"), F("name_sort_key"))


def _sort_field(name: str, language: str | None) -> F | Coalesce:
    """Names sort by their collation keys (see `project.kernel.collation`), not by code points;
    in `language`, by the name in that language where the record has one."""
    if name != "name":
        return F(name)
    return F("name_sort_key") if language is None else sort_key_in(language)


def ordered(
    queryset: QuerySet[Row], ordering: str, *, language: str | None = None
) -> QuerySet[Row]:
    """`queryset` sorted by `ordering` (a field, "-" first for descending; names as read in
    `language`, else by the main name) within the ranks of a search (best match first), ties by
    code, empty values last either way (as PostgreSQL and SQLite would not agree on). The API's
    filters let only documented fields and site languages through."""
    field = _sort_field(ordering.removeprefix("-"), language)
    by = field.desc(nulls_last=True) if ordering.startswith("-") else field.asc(nulls_last=True)
    best_first = [RANK] if RANK in queryset.query.annotations else []
    return queryset.order_by(*best_first, by, "code")


def get_by_code(queryset: QuerySet[Row], code: str) -> Row | None:
    """The record stored under `code` (any letter case), None if there is none, or if `code`
    cannot be a code."""
    if not code_shaped([code]):
        return None
    return queryset.filter(code=code).first()
