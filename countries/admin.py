from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from countries.models import Country
from countries.services import country_links_resolve
from project.admin import CodeRecordAdmin, department_admin_site
from project.ports import DepartmentUnavailable

admin_site = department_admin_site("countries", "Country department")


class CountryAdminForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ["code", "name", "currency_code", "language_code"]

    def clean(self):
        cleaned = super().clean()
        links = {
            field: self.instance._meta.get_field(field).to_python(cleaned.get(field)) or None
            for field in ("currency_code", "language_code")
        }
        try:
            # The same check the API makes: the other departments must know the codes.
            for field, code in country_links_resolve(**links).items():
                cleaned[field] = code
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
