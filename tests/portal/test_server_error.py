"""A server error on a portal page is a page in the portal's layout; the API's stay JSON."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import department_user

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def crash(monkeypatch, settings):
    """A bug below the currencies page and below the API's lists. With DEBUG on, Django would
    show its debug page instead of the handler's."""
    settings.DEBUG = False

    def boom(*args, **kwargs):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr("portal.pages.currency_page", boom)
    monkeypatch.setattr("project.kernel.rest.StandardPagination.paginate_queryset", boom)


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def test_a_server_error_is_a_page_in_the_portal_layout(crash, client):
    response = client.get("/currencies/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.text
    assert '<html lang="en">' in html
    assert "<title>Something went wrong · Country Provider</title>" in html
    assert '<nav class="site-nav"' in html
    assert '<a href="/languages/">Languages</a>' in html
    assert "<h1>Something went wrong</h1>" in html
    assert "Something went wrong on our side. It has been logged." in html
    assert '<footer class="site-footer">' in html
    assert "secret-internal-detail" not in html


def test_the_server_error_page_speaks_german_by_accept_language(crash, client):
    response = client.get("/currencies/", headers={"accept-language": "de"})

    assert response.status_code == 500
    html = response.text
    assert '<html lang="de">' in html
    assert "<h1>Etwas ist schiefgelaufen</h1>" in html
    assert "Bei uns ist etwas schiefgelaufen. Der Fehler wurde protokolliert." in html
    assert '<a href="/languages/">Sprachen</a>' in html


def test_the_server_error_page_speaks_the_chosen_language(crash, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    html = client.get("/currencies/", headers={"accept-language": "en"}).text

    assert '<html lang="de">' in html
    assert "<h1>Etwas ist schiefgelaufen</h1>" in html


def test_the_language_switcher_works_on_the_server_error_page(crash, client):
    response = client.get("/currencies/")

    assert 'name="csrfmiddlewaretoken"' in response.text
    assert '<input type="hidden" name="next" value="/currencies/">' in response.text
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_the_server_error_page_reads_no_database(crash, client, django_assert_num_queries):
    """Not even for a logged-in member of staff, whose session and permissions the other
    pages load: the navigation shows them no staff link here."""
    client.force_login(department_user("currencies", username="carla"))

    with django_assert_num_queries(0):
        response = client.get("/currencies/")

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.text
    assert "/attention/" not in response.text


def test_if_the_portal_page_cannot_be_rendered_the_plain_error_page_is_shown(
    crash, client, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr("portal.views.render_to_string", broken)

    response = client.get("/currencies/")

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.text
    assert '<nav class="site-nav"' not in response.text


def test_a_server_error_under_the_api_is_still_json(crash, client):
    response = client.get("/api/currencies/")

    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side. It has been logged."}
