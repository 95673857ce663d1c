from django.urls import URLPattern, URLResolver, path

from languages.admin import admin_site
from languages.apis import LanguageDetailApi, LanguageListCreateApi
from languages.apis_v1 import V1LanguageDetailApi, V1LanguageListCreateApi
from project.kernel.conditional import data_versions_api
from project.kernel.v1 import v1_record_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/languages/", LanguageListCreateApi.as_view(), name="language-list"),
    # Before the detail view: "data-versions" is no code.
    path("api/languages/data-versions/", data_versions_api, name="language-data-versions"),
    path("api/languages/<str:code>/", LanguageDetailApi.as_view(), name="language-detail"),
    path("admin/languages/", admin_site.urls),
    *v1_record_urls(list_create=V1LanguageListCreateApi, detail=V1LanguageDetailApi),
]
