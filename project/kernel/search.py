"""Search that finds what people type: "Osterreich" finds Österreich, "cote" Côte d'Ivoire.

Each record keeps a search key, written with the record: every term it can be found by (its code,
its names, other codes), each folded (see `folded`) and framed by "|". A search folds the term the
same way and looks for it in the key, on SQLite and PostgreSQL alike; the rank says how well a
record matches: a whole term first (a code, a name), then a term that starts with it, then the rest.
`rank` ranks records already in memory by the same rules.
"""

import unicodedata
from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When

SEPARATOR = "|"
RANK = "search_rank"
WHOLE, START, HOLDS = 0, 1, 2  # the ranks, best first

# Letters that are not a base letter plus marks, so that NFKD leaves them whole; and the
# typographic apostrophe CLDR writes ("Côte d\u2019Ivoire") as the one people type.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "\u0131": "i", "\u2019": "'"}
)


def folded(text: str) -> str:
    """`text` in lower case without accents or the separator, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace(SEPARATOR, " ").split())


def search_key(terms: Iterable[str | None]) -> str:
    """The key a record is found by: its folded terms, each once, framed by the separator."""
    unique = dict.fromkeys(folded(term) for term in terms if term)
    return SEPARATOR + SEPARATOR.join(term for term in unique if term) + SEPARATOR


def searched(queryset: QuerySet, term: str, *, field: str = "search_key") -> QuerySet:
    """The records of `queryset` whose key holds `term`, annotated with their `RANK`. A term
    of nothing but separators or marks finds nothing, as no key holds it."""
    term = folded(term)
    if not term:
        return queryset.none()
    whole, start = f"{SEPARATOR}{term}{SEPARATOR}", f"{SEPARATOR}{term}"
    return queryset.filter(**{f"{field}__contains": term}).annotate(
        **{
            RANK: Case(
                When(**{f"{field}__contains": whole}, then=Value(WHOLE)),
                When(**{f"{field}__contains": start}, then=Value(START)),
                default=Value(HOLDS),
                output_field=IntegerField(),
            )
        }
    )


def rank(term: str, terms: Iterable[str | None]) -> int | None:
    """How well a record found by `terms` matches `term`, as `searched` ranks it in the
    database (`WHOLE`, `START` or `HOLDS`); None when it does not match."""
    term, key = folded(term), search_key(terms)
    if not term or term not in key:
        return None
    if f"{SEPARATOR}{term}{SEPARATOR}" in key:
        return WHOLE
    return START if f"{SEPARATOR}{term}" in key else HOLDS
