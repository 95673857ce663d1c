"""What a language is found by: its code and alpha-3 code (pycountry), its name and its name in
every language of the site (CLDR, through babel)."""

import pycountry

from project.kernel.search import in_site_languages, search_key


def language_search_key(code: str, name: str) -> str:
    language = code.strip().lower()
    iso = pycountry.languages.get(alpha_2=language)
    cldr = in_site_languages(lambda locale: locale.languages.get(language))
    return search_key([code, name, getattr(iso, "alpha_3", None), *cldr])
