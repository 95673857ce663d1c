from django.urls import URLPattern, URLResolver, path, re_path

from countries.admin import admin_site
from countries.apis import CountryDetailApi, CountryListCreateApi, LinkedCountryListApi
from countries.apis_v1 import V1CountryDetailApi, V1CountryLinksApi, V1CountryListCreateApi
from project.kernel.conditional import data_versions_api
from project.kernel.v1 import optional_slash, v1_record_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/countries/", CountryListCreateApi.as_view(), name="country-list"),
    # Before the detail view: "data-versions" is no code.
    path("api/countries/data-versions/", data_versions_api, name="country-data-versions"),
    path("api/countries/<str:code>/", CountryDetailApi.as_view(), name="country-detail"),
    path("api/linked-countries/", LinkedCountryListApi.as_view(), name="linked-country-list"),
    path("admin/countries/", admin_site.urls),
    *v1_record_urls(list_create=V1CountryListCreateApi, detail=V1CountryDetailApi),
    re_path(
        optional_slash("api/v1/countries-with-languages-and-currencies"),
        V1CountryLinksApi.as_view(),
        name="v1-countries-with-languages-and-currencies",
    ),
]
