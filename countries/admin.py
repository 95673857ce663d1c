from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from countries.models import Country
from countries.services import country_create, country_delete, country_links_resolve, country_update
from project.kernel.admin import CodeRecordAdmin, department_admin_site
from project.kernel.ports import DepartmentUnavailable

admin_site = department_admin_site("countries", "Country department")


class CountryAdminForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ["code", "name", "names", "currency_code", "language_code"]

    def clean(self):
        cleaned = super().clean() or {}
        # An empty box is "not linked".
        links = {field: cleaned.get(field) or None for field in ("currency_code", "language_code")}
        try:
            # The service's own check, so that an unknown code is shown at its field.
            cleaned.update(country_links_resolve(**links))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        except DepartmentUnavailable as error:
            raise ValidationError(str(error)) from None
        return cleaned


@admin.register(Country, site=admin_site)
class CountryAdmin(CodeRecordAdmin):
    form = CountryAdminForm
    list_display = ("code", "name", "currency_code", "language_code")

    def create(self, fields):
        return country_create(**fields)

    def update(self, record, fields):
        return country_update(country=record, **fields)

    def delete(self, record):
        country_delete(country=record)
