from django.urls import URLPattern, URLResolver, path

from currencies.admin import admin_site
from currencies.apis import CurrencyDetailApi, CurrencyListCreateApi
from currencies.apis_v1 import V1CurrencyDetailApi, V1CurrencyListCreateApi
from project.kernel.conditional import data_versions_api
from project.kernel.v1 import v1_record_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/currencies/", CurrencyListCreateApi.as_view(), name="currency-list"),
    # Before the detail view: "data-versions" is no code.
    path("api/currencies/data-versions/", data_versions_api, name="currency-data-versions"),
    path("api/currencies/<str:code>/", CurrencyDetailApi.as_view(), name="currency-detail"),
    path("admin/currencies/", admin_site.urls),
    *v1_record_urls(list_create=V1CurrencyListCreateApi, detail=V1CurrencyDetailApi),
]
