"""URLs are the same in every topology; a process mounts only what it serves (see topology)."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

import portal.urls
from project.departments import department
from project.kernel.api_docs import DepartmentSchemaView, DepartmentsSwaggerView, RemoteSchemaView
from project.kernel.ports import choose_adapter


def department_schema(name: str) -> URLPattern:
    """`/api/schema/<department>/`: generated from the department's URL patterns (its
    compatibility API included) where this process serves it, else fetched from its service,
    which answers it at the same path."""
    view = choose_adapter(
        name,
        local=lambda: DepartmentSchemaView.as_view(
            urlconf=department(name).urlpatterns, title=f"Country Provider API ({name})"
        ),
        remote=lambda url: RemoteSchemaView.as_view(
            department=name, url=f"{url}/api/schema/{name}/"
        ),
    )
    return path(f"api/schema/{name}/", view, name=f"schema-{name}")


DOCUMENTED = settings.TOPOLOGY.documented_departments

urlpatterns: list[URLPattern | URLResolver] = [
    *(
        path("", include(department(name).urlpatterns))
        for name in settings.TOPOLOGY.local_departments
    ),
    # Everything this process serves (nothing, in the portal alone); and each department's.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    *(department_schema(name) for name in DOCUMENTED),
    path(
        "api/docs/",
        DepartmentsSwaggerView.as_view(schemas=[(name, f"schema-{name}") for name in DOCUMENTED]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
if settings.TOPOLOGY.serves_portal:
    urlpatterns.append(path("", include(portal.urls)))

# Where the portal is served, its 404 and 500 pages have the site's header and navigation.
handler404 = (
    "portal.views.not_found"
    if settings.TOPOLOGY.serves_portal
    else "project.kernel.errors.not_found"
)
handler500 = (
    "portal.views.server_error"
    if settings.TOPOLOGY.serves_portal
    else "project.kernel.errors.server_error"
)
