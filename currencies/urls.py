from django.urls import path

from currencies.admin import admin_site
from currencies.apis import urls, v1_urls

urlpatterns = [
    *urls,
    path("admin/currencies/", admin_site.urls),
    *v1_urls,
]
