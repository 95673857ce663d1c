"""ISO 4217 currencies from pycountry, named in the site's languages by CLDR (babel): those that
CLDR knows as legal tender in some territory today. Test codes (XTS, XXX), funds (CHE, USN) and
metals (XAU) are left out: no country pays with them."""

import babel.numbers
import pycountry
from babel.core import get_global
from django.db import router, transaction

from currencies.models import Currency
from currencies.search import currency_cldr_names
from currencies.services import currency_create, currency_update
from project.kernel.reference_data import LoadReport, ReferenceRecord, load_missing


def tender_codes() -> set[str]:
    """Every currency CLDR names as current legal tender of a territory."""
    return {
        code
        for territory in get_global("territory_currencies")
        for code in babel.numbers.get_territory_currencies(territory, tender=True)
    }


def load_reference_data() -> LoadReport:
    tender = tender_codes()
    with transaction.atomic(using=router.db_for_write(Currency)):
        return load_missing(
            {
                c.alpha_3: ReferenceRecord(c.name, currency_cldr_names(c.alpha_3))
                for c in pycountry.currencies
                if c.alpha_3 in tender
            },
            existing=Currency.objects.all(),
            create=currency_create,
            rename=lambda currency, names: currency_update(currency=currency, names=names),
        )
