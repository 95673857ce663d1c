"""ISO 4217 currencies from pycountry."""

import pycountry
from django.db import router, transaction

from currencies.models import Currency
from currencies.services import currency_create
from project.kernel.reference_data import LoadReport, create_missing


def load_reference_data() -> LoadReport:
    with transaction.atomic(using=router.db_for_write(Currency)):
        return create_missing(
            {currency.alpha_3: currency.name for currency in pycountry.currencies},
            existing_codes=Currency.objects.values_list("code", flat=True),
            create=currency_create,
        )
