from languages.models import Language
from project.admin import CodeRecordAdmin, department_admin_site

admin_site = department_admin_site("languages", "Language department")
admin_site.register(Language, CodeRecordAdmin)
