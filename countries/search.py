"""What a country is found by: its code and name, its alpha-3 and numeric codes and other names
(pycountry), and its name in every language of the site (CLDR, through babel)."""

import pycountry
from babel import Locale
from django.conf import settings

from project.kernel.search import search_key


def country_search_key(code: str, name: str) -> str:
    iso = pycountry.countries.get(alpha_2=code.strip().upper())
    other = [
        getattr(iso, key, None) for key in ("alpha_3", "numeric", "official_name", "common_name")
    ]
    cldr = [
        Locale(language).territories.get(code.strip().upper()) for language, _ in settings.LANGUAGES
    ]
    return search_key([code, name, *other, *cldr])
