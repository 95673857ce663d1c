"""Fully linked countries that each ordering of a linked page sorts its own way, ties included
(two share a currency, two a language), for the API's tests and the port contract alike."""

from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

# The codes in the order each ordering gives them; ties by code, ascending either way.
EXPECTED = {
    "code": ["XA", "XB", "XC", "XD"],
    "-code": ["XD", "XC", "XB", "XA"],
    "name": ["XB", "XC", "XA", "XD"],
    "-name": ["XD", "XA", "XC", "XB"],
    "currency_code": ["XC", "XD", "XA", "XB"],
    "-currency_code": ["XB", "XA", "XC", "XD"],
    "language_code": ["XB", "XD", "XC", "XA"],
    "-language_code": ["XA", "XC", "XB", "XD"],
}


def create_sortable_countries() -> None:
    for code in ("AAA", "BBB", "CCC"):
        CurrencyFactory(code=code)
    for code in ("aa", "bb", "cc"):
        LanguageFactory(code=code)
    CountryFactory(code="XA", name="Charlie", currency_code="BBB", language_code="cc")
    CountryFactory(code="XB", name="Alpha", currency_code="CCC", language_code="aa")
    CountryFactory(code="XC", name="Bravo", currency_code="AAA", language_code="bb")
    CountryFactory(code="XD", name="Delta", currency_code="AAA", language_code="aa")
