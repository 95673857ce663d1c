"""What the department API tests share: each department as a user types its codes, and a
client of its staff."""

from dataclasses import dataclass

import pytest
from factory.django import DjangoModelFactory

from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory


@dataclass(frozen=True)
class Department:
    name: str
    url: str
    factory: type[DjangoModelFactory]
    code_typed: str  # as a user might type it
    code_stored: str  # as it is stored
    bad_codes: tuple[str, ...]

    def count(self) -> int:
        return self.factory._meta.model.objects.count()


DEPARTMENTS = [
    Department(
        "countries",
        "/api/countries/",
        CountryFactory,
        " fr",
        "FR",
        ("F", "FRAN", "F1", "É", "ßA", "F-", "", "  "),
    ),
    Department(
        "currencies",
        "/api/currencies/",
        CurrencyFactory,
        "eur ",
        "EUR",
        ("EU", "EURO", "E1R", "€UR", "ßA", "E R", ""),
    ),
    Department(
        "languages",
        "/api/languages/",
        LanguageFactory,
        "DE",
        "de",
        ("d", "deut", "d3", "dé", "d_", ""),
    ),
]


@pytest.fixture(params=DEPARTMENTS, ids=lambda d: d.name)
def dept(request):
    return request.param


@pytest.fixture
def staff(dept, api_as):
    return api_as(dept.name)
