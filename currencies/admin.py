from django.contrib import admin

from countries.public import get_country_directory
from currencies.models import Currency
from currencies.services import currency_create, currency_delete, currency_update
from project.kernel.admin import LinkedRecordAdmin, department_admin_site

admin_site = department_admin_site("currencies", "Currency department")


@admin.register(Currency, site=admin_site)
class CurrencyAdmin(LinkedRecordAdmin):
    linked_by = ("country", "countries")

    def linked_to(self, code):
        return get_country_directory(live=True).linked_to(currency_code=code)

    def create(self, fields):
        return currency_create(**fields)

    def update(self, record, fields):
        return currency_update(currency=record, **fields)

    def delete(self, record):
        currency_delete(currency=record)
