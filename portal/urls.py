from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="portal-home"),
    path("countries/<str:code>/", views.country_detail, name="portal-country"),
    path("currencies/", views.currencies, name="portal-currencies"),
    path("languages/", views.languages, name="portal-languages"),
    path("attention/", views.attention, name="portal-attention"),
    path("favicon.ico", views.favicon, name="portal-favicon"),
    # Django's set_language view, for the language switcher (works without JavaScript).
    path("i18n/", include("django.conf.urls.i18n")),
]
