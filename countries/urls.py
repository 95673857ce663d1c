from django.urls import path, re_path

from countries.admin import admin_site
from countries.apis import (
    CountryDetailApi,
    CountryListCreateApi,
    LinkedCountryListApi,
    V1CountryLinksApi,
    v1_urls,
)
from project.v1 import optional_slash

urlpatterns = [
    path("api/countries/", CountryListCreateApi.as_view(), name="country-list"),
    path("api/countries/<str:code>/", CountryDetailApi.as_view(), name="country-detail"),
    path("api/linked-countries/", LinkedCountryListApi.as_view(), name="linked-country-list"),
    path("admin/countries/", admin_site.urls),
    *v1_urls,
    re_path(
        optional_slash("api/v1/countries-with-languages-and-currencies"),
        V1CountryLinksApi.as_view(),
        name="v1-countries-with-languages-and-currencies",
    ),
]
