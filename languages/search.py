"""What a language is found by: its code and alpha-3 code (pycountry), its names and its name in
every language of the site (CLDR, through babel)."""

from collections.abc import Mapping

import pycountry

from project.kernel.names import cldr_names
from project.kernel.search import search_key


def language_search_key(code: str, name: str, names: Mapping[str, str]) -> str:
    language = code.strip().lower()
    iso = pycountry.languages.get(alpha_2=language)
    cldr = language_cldr_names(code).values()
    return search_key([code, name, *names.values(), getattr(iso, "alpha_3", None), *cldr])


def language_cldr_names(code: str) -> dict[str, str]:
    """The language's name in each language of the site that CLDR knows it in: what the reference
    data seeds its names with."""
    return cldr_names(lambda locale: locale.languages.get(code.strip().lower()))
