"""What a language is found by: its code and alpha-3 code (pycountry), its name and its name in
every language of the site (CLDR, through babel)."""

import pycountry
from babel import Locale
from django.conf import settings

from project.kernel.search import search_key


def language_search_key(code: str, name: str) -> str:
    iso = pycountry.languages.get(alpha_2=code.strip().lower())
    cldr = [
        Locale(language).languages.get(code.strip().lower()) for language, _ in settings.LANGUAGES
    ]
    return search_key([code, name, getattr(iso, "alpha_3", None), *cldr])
