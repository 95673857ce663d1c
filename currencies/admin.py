from currencies.models import Currency
from project.admin import CodeRecordAdmin, department_admin_site

admin_site = department_admin_site("currencies", "Currency department")
admin_site.register(Currency, CodeRecordAdmin)
