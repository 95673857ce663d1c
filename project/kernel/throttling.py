"""Rate limits on writes and on logins, per client, counted in the cache that every worker and
pod of the service shares (CACHES in settings)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from project.kernel.errors import error_response


class WriteThrottle(SimpleRateThrottle):
    """API writes per user (or per address, for anonymous classroom writes)."""

    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in SAFE_METHODS:
            return None
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(SimpleRateThrottle):
    """Login attempts per client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ThrottledAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        # The throttle counts by client address alone: it needs no view.
        if request.method == "POST" and not LoginThrottle().allow_request(request, None):  # type: ignore[arg-type]
            return error_response(
                request, 429, gettext("Too many login attempts. Please wait a minute.")
            )
        return super().login(request, extra_context)


class ThrottledAdminConfig(AdminConfig):
    default_site = "project.kernel.admin.SuperuserAdminSite"
