"""URLs are the same in every topology; a process mounts only what it serves (see topology)."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import portal.urls
from project.departments import department

urlpatterns: list[URLPattern | URLResolver] = [
    *(
        path("", include(department(name).urlpatterns))
        for name in settings.TOPOLOGY.local_departments
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script, so the CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
if settings.TOPOLOGY.serves_portal:
    urlpatterns.append(path("", include(portal.urls)))

handler404 = "project.kernel.errors.not_found"
handler500 = "project.kernel.errors.server_error"
