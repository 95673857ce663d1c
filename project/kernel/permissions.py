"""Who may write through the departments' REST APIs."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission


class DepartmentPermission(BasePermission):
    """Reads are public; writes need the department's permission on the view's `model`: add
    for POST, change for PATCH, or the view's own `write_action`."""

    _actions = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            return True  # reads are public; a method the view lacks is DRF's 405
        if not request.user or not request.user.is_authenticated:
            return False
        opts = view.model._meta
        action = getattr(view, "write_action", None) or self._actions[request.method]
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class CompatibilityPermission(DepartmentPermission):
    """The department rules, unless the classroom setting lets anyone write."""

    def has_permission(self, request, view):
        return settings.V1_ALLOW_ANONYMOUS_WRITES or super().has_permission(request, view)
