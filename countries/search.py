"""What a country is found by: its code and name, its alpha-3 and numeric codes and other names
(pycountry), and its name in every language of the site (CLDR, through babel)."""

import pycountry

from project.kernel.search import in_site_languages, search_key


def country_search_key(code: str, name: str) -> str:
    territory = code.strip().upper()
    iso = pycountry.countries.get(alpha_2=territory)
    other = [
        getattr(iso, key, None) for key in ("alpha_3", "numeric", "official_name", "common_name")
    ]
    cldr = in_site_languages(lambda locale: locale.territories.get(territory))
    return search_key([code, name, *other, *cldr])
