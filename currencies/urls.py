from django.urls import URLPattern, URLResolver, path

from currencies.admin import admin_site
from currencies.apis import CurrencyDetailApi, CurrencyListCreateApi
from currencies.apis_v1 import V1CurrencyDetailApi, V1CurrencyListCreateApi
from project.kernel.v1 import v1_record_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/currencies/", CurrencyListCreateApi.as_view(), name="currency-list"),
    path("api/currencies/<str:code>/", CurrencyDetailApi.as_view(), name="currency-detail"),
    path("admin/currencies/", admin_site.urls),
    *v1_record_urls(list_create=V1CurrencyListCreateApi, detail=V1CurrencyDetailApi),
]
