from django.contrib import admin

from countries.public import get_country_directory
from languages.models import Language
from languages.services import language_create, language_delete, language_update
from project.kernel.admin import LinkedRecordAdmin, department_admin_site

admin_site = department_admin_site("languages", "Language department")


@admin.register(Language, site=admin_site)
class LanguageAdmin(LinkedRecordAdmin):
    linked_by = ("country", "countries")

    def linked_to(self, code):
        return get_country_directory(live=True).linked_to(language_code=code)

    def create(self, fields):
        return language_create(**fields)

    def update(self, record, fields):
        return language_update(language=record, **fields)

    def delete(self, record):
        language_delete(language=record)
