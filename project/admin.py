"""Each department gets an admin site of its own, showing only its own models."""

from django.contrib import admin

from project.throttling import ThrottledAdminSite


def department_admin_site(department: str, title: str) -> admin.AdminSite:
    site = ThrottledAdminSite(name=f"{department}_admin")
    site.site_header = site.site_title = title
    site.index_title = f"{title}: reference data"
    return site


class CodeRecordAdmin(admin.ModelAdmin):
    """Admin for a code + name record. The model form runs the model's own validation (code shape,
    case-insensitive uniqueness, name rules), the same rules the API's services apply."""

    list_display = ("code", "name")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # A code identifies the record in URLs and in other departments' links.
        return ("code",) if obj else ()
