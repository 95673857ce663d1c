"""ISO 4217 currencies from pycountry: those that CLDR (babel) knows as legal tender in some
territory today. Test codes (XTS, XXX), funds (CHE, USN) and metals (XAU) are left out: no
country pays with them."""

import babel.numbers
import pycountry
from babel.core import get_global
from django.db import router, transaction

from currencies.models import Currency
from currencies.services import currency_create
from project.kernel.reference_data import LoadReport, create_missing


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
        return create_missing(
            {c.alpha_3: c.name for c in pycountry.currencies if c.alpha_3 in tender},
            existing_codes=Currency.objects.values_list("code", flat=True),
            create=currency_create,
        )
