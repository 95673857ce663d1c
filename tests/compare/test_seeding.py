"""The comparison's synthetic countries are written as the services would write them: each with
its event, and the department's data version raised, so a tag taken before seeding is stale."""

import pytest

from countries.models import Country, CountryDataVersion, CountryOutbox
from project.bench.compare.seeding import seed_countries
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

# Outside a test transaction: on PostgreSQL the seeding ends with VACUUM ANALYZE, as the
# comparison's databases are in autocommit.
pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def test_seeding_writes_an_event_per_country_and_raises_the_data_version():
    CurrencyFactory(code="CHF")
    LanguageFactory(code="de")
    CountryFactory(code="CH", currency_code="CHF", language_code="de")
    before = CountryDataVersion.current()

    seeded = seed_countries(6)

    assert seeded["countries"] == Country.objects.count() == 6
    assert CountryOutbox.objects.filter(type="country.created").count() == 5
    assert CountryDataVersion.current() == before + 1
