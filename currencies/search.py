"""What a currency is found by: its code, its name and its name in every language of the site
(CLDR, through babel)."""

from babel import Locale
from django.conf import settings

from project.kernel.search import search_key


def currency_search_key(code: str, name: str) -> str:
    cldr = [
        Locale(language).currencies.get(code.strip().upper()) for language, _ in settings.LANGUAGES
    ]
    return search_key([code, name, *cldr])
