from django.urls import path

from languages.admin import admin_site
from languages.apis import urls, v1_urls

urlpatterns = [
    *urls,
    path("admin/languages/", admin_site.urls),
    *v1_urls,
]
