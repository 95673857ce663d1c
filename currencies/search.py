"""What a currency is found by: its code, its name and its name in every language of the site
(CLDR, through babel)."""

from project.kernel.search import in_site_languages, search_key


def currency_search_key(code: str, name: str) -> str:
    cldr = in_site_languages(lambda locale: locale.currencies.get(code.strip().upper()))
    return search_key([code, name, *cldr])
