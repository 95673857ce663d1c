"""What a currency is found by: its code, its names and its name in every language of the site
(CLDR, through babel)."""

from collections.abc import Mapping

from project.kernel.names import cldr_names
from project.kernel.search import search_key


def currency_search_key(code: str, name: str, names: Mapping[str, str]) -> str:
    cldr = currency_cldr_names(code).values()
    return search_key([code, name, *names.values(), *cldr])


def currency_cldr_names(code: str) -> dict[str, str]:
    """The currency's name in each language of the site that CLDR knows it in: what the reference
    data seeds its names with."""
    return cldr_names(lambda locale: locale.currencies.get(code.strip().upper()))
