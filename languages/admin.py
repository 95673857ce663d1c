from django.contrib import admin

from languages.models import Language
from languages.services import language_create, language_delete, language_update
from project.kernel.admin import CodeRecordAdmin, department_admin_site

admin_site = department_admin_site("languages", "Language department")


@admin.register(Language, site=admin_site)
class LanguageAdmin(CodeRecordAdmin):
    def create(self, fields):
        return language_create(**fields)

    def update(self, record, fields):
        return language_update(language=record, **fields)

    def delete(self, record):
        language_delete(language=record)
