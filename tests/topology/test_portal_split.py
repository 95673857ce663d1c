"""The split portal (SERVICE=portal) shows what the monolith's does: its own 404 page with the
site's header and navigation, a favicon, and the last page for a page past the end."""

import pytest

pytestmark = pytest.mark.topology


@pytest.mark.parametrize("path", ["/no/such/page/", "/countries/QQ/"])
def test_a_404_of_the_split_portal_has_the_site_header_and_navigation(http, split, path):
    response = http.get(f"{split.url('portal')}{path}", timeout=10)

    assert response.status_code == 404
    assert '<header class="site-header">' in response.text
    assert '<nav class="site-nav"' in response.text
    assert '<footer class="site-footer">' in response.text


def test_an_unknown_api_address_of_the_split_portal_is_still_json(http, split):
    response = http.get(f"{split.url('portal')}/api/no-such-thing/", timeout=10)

    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address."}


def test_the_split_portal_serves_a_favicon(http, split):
    response = http.get(f"{split.url('portal')}/favicon.ico", timeout=10)

    assert response.status_code == 200
    assert response.history[0].status_code == 302
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.text.startswith("<svg ")


def test_a_page_past_the_end_of_the_split_portal_goes_to_the_last_page(http, split):
    response = http.get(f"{split.url('portal')}/", params={"page": 99}, timeout=10)

    assert response.status_code == 200
    assert response.history[0].status_code == 302
    assert "page=99" not in response.url
    assert "Page 99" not in response.text
