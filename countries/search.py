"""What a country is found by: its code and names, its alpha-3 and numeric codes and other names
(pycountry), and its name in every language of the site (CLDR, through babel)."""

from collections.abc import Mapping

import pycountry

from project.kernel.names import cldr_names
from project.kernel.search import search_key


def country_search_key(code: str, name: str, names: Mapping[str, str]) -> str:
    territory = code.strip().upper()
    iso = pycountry.countries.get(alpha_2=territory)
    other = [
        getattr(iso, key, None) for key in ("alpha_3", "numeric", "official_name", "common_name")
    ]
    cldr = country_cldr_names(code).values()
    return search_key([code, name, *names.values(), *other, *cldr])


def country_cldr_names(code: str) -> dict[str, str]:
    """The country's name in each language of the site that CLDR knows it in: what the reference
    data seeds its names with."""
    return cldr_names(lambda locale: locale.territories.get(code.strip().upper()))
