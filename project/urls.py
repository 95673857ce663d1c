"""URLs are the same in every topology; a process mounts only what it serves (see topology)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    *(
        path("", include(f"{department}.urls"))
        for department in settings.TOPOLOGY.local_departments
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
if settings.TOPOLOGY.serves_portal:
    urlpatterns.append(path("", include("portal.urls")))

handler404 = "project.errors.not_found"
handler500 = "project.errors.server_error"
