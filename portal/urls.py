from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="portal-home"),
    path("countries/<str:code>/", views.country_detail, name="portal-country"),
    path("currencies/", views.currencies, name="portal-currencies"),
    path("currencies/<str:code>/", views.currency_detail, name="portal-currency"),
    path("languages/", views.languages, name="portal-languages"),
    path("languages/<str:code>/", views.language_detail, name="portal-language"),
    path("attention/", views.attention, name="portal-attention"),
    path("favicon.ico", views.favicon, name="portal-favicon"),
    # Django's set_language view, for the language switcher (works without JavaScript).
    path("i18n/", include("django.conf.urls.i18n")),
]
