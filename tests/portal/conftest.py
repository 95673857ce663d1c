import pytest
from django.utils import translation

from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A German request leaves German active in the thread; later tests expect the default."""
    yield
    translation.deactivate()


def linked_countries(count: int, *, name: str = "Country {:02d}") -> list:
    """`count` fully linked countries, each with its own currency and language."""
    return [
        CountryFactory(
            name=name.format(number),
            currency_code=CurrencyFactory().code,
            language_code=LanguageFactory().code,
        )
        for number in range(count)
    ]
