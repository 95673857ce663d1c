"""The portal's pages render what the departments' ports give them."""

import re
from pathlib import Path

import pytest
from django.urls import set_script_prefix

from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory
from tests.portal.conftest import linked_countries

pytestmark = pytest.mark.django_db(databases="__all__")


def names_in_table(response) -> list[str]:
    """The country names in the linked-countries table, in the order shown."""
    return re.findall(r'<td><a href="/countries/[A-Z]+/">([^<]+)</a></td>', response.text)


@pytest.fixture
def europe():
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="CHF", name="Swiss franc")
    LanguageFactory(code="de", name="German")
    LanguageFactory(code="fr", name="French")
    LanguageFactory(code="it", name="Italian")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="FR", name="France", currency_code="EUR", language_code="fr")
    CountryFactory(code="CH", name="Switzerland", currency_code="CHF", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    CountryFactory(code="IT", name="Italy", currency_code="EUR", language_code=None)
    CountryFactory(code="LI", name="Liechtenstein", currency_code=None, language_code=None)


# --- Linked countries ----------------------------------------------------------------------


def test_home_lists_linked_countries_with_currency_and_language_names(client, europe):
    response = client.get("/")

    assert response.status_code == 200
    html = response.text
    assert "<h1>Linked countries</h1>" in html
    assert '<a href="/countries/DE/">Germany</a>' in html
    assert "Euro" in html
    assert "Swiss franc" in html
    assert "French" in html
    # Not fully linked: not listed.
    assert "Italy" not in html
    assert "Liechtenstein" not in html


def test_home_links_each_currency_and_language_to_its_page(client, europe):
    html = client.get("/").text

    assert '<a href="/currencies/CHF/">Swiss franc</a> <code class="code">CHF</code>' in html
    assert '<a href="/languages/fr/">French</a> <code class="code">fr</code>' in html


def test_home_links_keep_the_script_prefix_the_portal_is_served_under(client, europe):
    client.get("/")  # the links reversed once without a prefix

    set_script_prefix("/portal/")  # as a WSGI server mounting the site under /portal sets it
    try:
        html = client.get("/").text
    finally:
        set_script_prefix("/")

    assert '<a href="/portal/countries/DE/">Germany</a>' in html
    assert '<a href="/portal/currencies/CHF/">Swiss franc</a>' in html
    assert '<a href="/portal/languages/fr/">French</a>' in html
    assert '<a href="/countries/DE/">' not in html


def test_home_escapes_the_names_in_its_table(client):
    CurrencyFactory(code="QXA", name="Pound <b>bold</b>")
    LanguageFactory(code="qxa", name='Say "hi" & go')
    CountryFactory(code="QX", name="<script>x</script>", currency_code="QXA", language_code="qxa")

    html = client.get("/").text

    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Pound &lt;b&gt;bold&lt;/b&gt;" in html
    assert "Say &quot;hi&quot; &amp; go" in html
    assert "<script>x" not in html and "<b>bold" not in html


def test_home_sorts_countries_by_name(client, europe):
    response = client.get("/")

    assert names_in_table(response) == ["Austria", "France", "Germany", "Switzerland"]


def test_home_shows_the_counts_of_every_department(client, europe):
    CountryFactory(code="XB", name="Broken", currency_code="ZZZ", language_code="de")

    response = client.get("/")

    html = response.text
    assert "<dt>Countries</dt><dd>7</dd>" in html
    assert "<dt>Fully linked</dt><dd>4</dd>" in html  # Broken's currency does not resolve
    assert "<dt>Currencies</dt><dd>2</dd>" in html
    assert "<dt>Languages</dt><dd>3</dd>" in html


def test_home_searches_country_code_and_names_in_every_language(client, europe):
    by_name = client.get("/", {"q": "land"})  # Switzerland, and Germany as "Deutschland"
    by_code = client.get("/", {"q": "fr"})

    assert names_in_table(by_name) == ["Germany", "Switzerland"]
    assert names_in_table(by_code) == ["France"]
    assert 'value="land"' in by_name.text
    assert "2 linked countries" in by_name.text


def test_home_search_without_match_says_so(client, europe):
    response = client.get("/", {"q": "Atlantis"})

    assert response.status_code == 200
    assert names_in_table(response) == []
    assert "No linked country matches “Atlantis”." in response.text


def test_home_says_when_no_country_is_linked_yet(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "No country is linked to both a currency and a language yet." in response.text


def test_home_shows_fifty_countries_a_page_and_links_the_next_page(client):
    linked_countries(60)

    first = client.get("/")
    second = client.get("/", {"page": "2"})

    assert names_in_table(first) == [f"Country {n:02d}" for n in range(50)]
    assert names_in_table(second) == [f"Country {n:02d}" for n in range(50, 60)]
    assert "Page 1 of 2" in first.text
    assert 'rel="next" href="?page=2"' in first.text
    assert 'rel="prev"' not in first.text
    assert 'rel="prev" href="?page=1"' in second.text
    assert 'rel="next"' not in second.text


def test_pagination_links_keep_the_search(client):
    linked_countries(55, name="Alpha {:02d}")
    linked_countries(3, name="Beta {:02d}")

    first = client.get("/", {"q": "alpha"})
    second = client.get("/", {"q": "alpha", "page": 2})

    assert 'rel="next" href="?q=alpha&amp;page=2"' in first.text
    assert 'rel="prev" href="?q=alpha&amp;page=1"' in second.text
    assert names_in_table(second) == [f"Alpha {n:02d}" for n in range(50, 55)]


@pytest.mark.parametrize("page", ["abc", "0", "-3", ""])
def test_an_invalid_page_number_shows_the_first_page(client, page):
    linked_countries(51)

    response = client.get("/", {"page": page})

    assert response.status_code == 200
    assert "Page 1 of 2" in response.text
    assert names_in_table(response)[0] == "Country 00"


def test_a_page_past_the_end_goes_to_the_last_page_with_the_search_kept(client):
    linked_countries(120, name="Country {:03d}")

    response = client.get("/", {"q": "country", "page": 99})
    last = client.get(response.url)

    assert response.status_code == 302
    assert response.url == "/?q=country&page=3"
    assert "Page 3 of 3" in last.text
    assert names_in_table(last) == [f"Country {n:03d}" for n in range(100, 120)]


@pytest.mark.parametrize("search", ["", "nothing like it"])
def test_a_page_past_a_single_page_goes_to_the_first(client, europe, search):
    response = client.get("/", {"q": search, "page": 2} if search else {"page": 2})

    assert response.status_code == 302
    assert response.url == ("/?q=nothing+like+it" if search else "/")


# Europe's linked countries in the order each sort shows them; ties by code either way.
SORTED = {
    "name": ["Austria", "France", "Germany", "Switzerland"],
    "-name": ["Switzerland", "Germany", "France", "Austria"],
    "code": ["Austria", "Switzerland", "Germany", "France"],  # AT CH DE FR
    "-code": ["France", "Germany", "Switzerland", "Austria"],
    "currency": ["Switzerland", "Austria", "Germany", "France"],  # CHF, then EUR
    "-currency": ["Austria", "Germany", "France", "Switzerland"],
    "language": ["Austria", "Switzerland", "Germany", "France"],  # de, then fr
    "-language": ["France", "Austria", "Switzerland", "Germany"],
}


def header(html: str, label: str) -> str:
    """The linked-countries table's header cell of the column labelled `label`."""
    [cell] = re.findall(rf"<th [^>]*><a [^>]*>{label}\b.*?</th>", html)
    return cell


@pytest.mark.parametrize("sort", SORTED)
def test_home_sorts_by_each_column_both_ways(client, europe, sort):
    assert names_in_table(client.get("/", {"sort": sort})) == SORTED[sort]


@pytest.mark.parametrize("sort", ["colour", "--name", "name ", "", "NAME", "-"])
def test_an_unknown_sort_falls_back_to_by_name(client, europe, sort):
    response = client.get("/", {"sort": sort})

    assert response.status_code == 200
    assert names_in_table(response) == SORTED["name"]
    assert 'aria-sort="ascending"><a href="?sort=-name">Country' in response.text


def test_the_headers_link_each_sort_and_the_sorted_one_says_which_way(client, europe):
    by_name = client.get("/").text
    by_currency = client.get("/", {"sort": "currency"}).text
    reversed_currency = client.get("/", {"sort": "-currency"}).text

    assert header(by_name, "Country") == (
        '<th scope="col" aria-sort="ascending"><a href="?sort=-name">Country '
        '<span aria-hidden="true">▲</span><span class="visually-hidden"> (sorted ascending)'
        "</span></a></th>"
    )
    assert header(by_name, "Code") == '<th scope="col"><a href="?sort=code">Code</a></th>'
    assert header(by_currency, "Currency").startswith(
        '<th scope="col" aria-sort="ascending"><a href="?sort=-currency">Currency '
    )
    assert header(by_currency, "Country") == (
        '<th scope="col"><a href="?sort=name">Country</a></th>'
    )
    assert header(reversed_currency, "Currency") == (
        '<th scope="col" aria-sort="descending"><a href="?sort=currency">Currency '
        '<span aria-hidden="true">▼</span><span class="visually-hidden"> (sorted descending)'
        "</span></a></th>"
    )
    assert by_name.count("aria-sort") == reversed_currency.count("aria-sort") == 1
    assert "Linked countries, sorted by currency code, descending" in reversed_currency


def test_a_header_keeps_the_search_and_goes_back_to_the_first_page(client):
    linked_countries(55)

    html = client.get("/", {"q": "country", "sort": "-code", "page": 2}).text

    assert header(html, "Code").startswith(
        '<th scope="col" aria-sort="descending"><a href="?q=country&amp;sort=code">Code '
    )
    assert '<a href="?q=country&amp;sort=language">Language</a>' in html


def test_the_pager_and_the_search_keep_the_sort(client):
    linked_countries(55)

    first = client.get("/", {"sort": "-name"})
    searched = client.get("/", {"q": "country", "sort": "-name"}).text

    assert names_in_table(first)[:2] == ["Country 54", "Country 53"]
    assert 'rel="next" href="?sort=-name&amp;page=2"' in first.text
    assert '<input type="hidden" name="sort" value="-name">' in first.text
    assert 'rel="next" href="?q=country&amp;sort=-name&amp;page=2"' in searched
    assert '<a class="clear" href="/?sort=-name">Clear search</a>' in searched
    assert names_in_table(client.get("/", {"sort": "-name", "page": 2})) == [
        f"Country {n:02d}" for n in range(4, -1, -1)
    ]


def test_the_default_sort_adds_nothing_to_the_search(client, europe):
    html = client.get("/", {"q": "a"}).text

    assert 'name="sort"' not in html
    assert '<a class="clear" href="/">Clear search</a>' in html


def test_a_page_past_the_end_keeps_the_sort(client):
    linked_countries(55)

    response = client.get("/", {"sort": "-currency", "page": 9})

    assert response.status_code == 302
    assert response.url == "/?sort=-currency&page=2"


def not_linked_section(html: str) -> str:
    start = html.index('<section class="not-linked"')
    return html[start : html.index("</section>", start)]


def test_a_search_also_lists_the_matches_not_fully_linked_saying_what_they_lack(client, europe):
    LanguageFactory(code="bg", name="Bulgarian")
    CountryFactory(code="BG", name="Bulgaria", currency_code=None, language_code="bg")

    response = client.get("/", {"q": "bulgaria"})

    assert response.status_code == 200
    assert names_in_table(response) == []
    assert "No linked country matches “bulgaria”." in response.text
    section = not_linked_section(response.text)
    assert '<h2 id="not-linked-heading">Also found, not fully linked</h2>' in section
    assert '<a href="/countries/BG/">Bulgaria</a> <code class="code">BG</code> — no currency' in (
        section
    )
    assert "more" not in section


def test_the_matches_not_fully_linked_say_which_link_is_missing_or_broken(client, europe):
    CountryFactory(code="QA", name="Nowhere A", currency_code="ZZZ", language_code="de")
    CountryFactory(code="QB", name="Nowhere B", currency_code="EUR", language_code=None)
    CountryFactory(code="QC", name="Nowhere C", currency_code=None, language_code="de")
    CountryFactory(code="QD", name="Nowhere D", currency_code=None, language_code=None)
    CountryFactory(code="QE", name="Nowhere E", currency_code="EUR", language_code="de")

    response = client.get("/", {"q": "nowhere"})

    assert names_in_table(response) == ["Nowhere E"]
    items = re.findall(
        r'<li><a href="/countries/(\w+)/">Nowhere \w</a> <code class="code">\w+</code> — '
        r"([^<]+)</li>",
        not_linked_section(response.text),
    )
    assert items == [
        ("QA", "a currency or language its department does not have"),
        ("QB", "no language"),
        ("QC", "no currency"),
        ("QD", "no currency and no language"),
    ]


def test_the_matches_not_fully_linked_are_bounded_and_the_rest_counted(client, europe):
    for number in range(23):
        CountryFactory(code=f"Q{chr(65 + number)}", name=f"Unlinked {number:02d}")

    section = not_linked_section(client.get("/", {"q": "unlinked"}).text)

    shown = re.findall(r'<a href="/countries/\w+/">(Unlinked \d+)</a>', section)
    assert shown == [f"Unlinked {n:02d}" for n in range(20)]
    assert '<p class="muted">and 3 more</p>' in section


def test_without_a_search_no_country_that_is_not_fully_linked_is_listed(client, europe):
    html = client.get("/").text

    assert "not-linked" not in html
    assert "Italy" not in html


def test_pages_share_one_layout_with_navigation_and_footer(client, europe):
    for url, title in [
        ("/", "Linked countries"),
        ("/currencies/", "Currencies"),
        ("/languages/", "Languages"),
        ("/countries/DE/", "Germany"),
    ]:
        html = client.get(url).text
        assert f"<title>{title} · Country Provider</title>" in html
        assert '<nav class="site-nav"' in html
        assert 'href="/api/docs/"' in html
        assert '<link rel="stylesheet" href="/static/portal/portal.css">' in html
        assert '<footer class="site-footer">' in html
        assert '<html lang="en">' in html


def test_navigation_marks_the_current_page(client, europe):
    html = client.get("/currencies/").text

    assert '<a href="/currencies/" aria-current="page">Currencies</a>' in html
    assert '<a href="/" aria-current="page">' not in html


def test_pages_link_the_favicon_and_favicon_ico_leads_to_it(client, europe):
    """The browser tests fetch it from a live server; here the static files are not served."""
    from django.contrib.staticfiles import finders  # noqa: PLC0415

    html = client.get("/").text
    response = client.get("/favicon.ico")
    icon = finders.find("portal/favicon.svg")

    assert '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">' in html
    assert response.status_code == 302
    assert response.url == "/static/portal/favicon.svg"
    assert isinstance(icon, str)
    assert Path(icon).read_text().startswith("<svg ")


@pytest.mark.parametrize("path", ["/no/such/page/", "/countries", "/favicon.png"])
def test_an_unknown_address_is_a_404_page_in_the_portal_layout(client, path):
    response = client.get(path)

    assert response.status_code == 404
    html = response.text
    assert "<title>Not found · Country Provider</title>" in html
    assert "<h1>Not found</h1>" in html
    assert '<nav class="site-nav"' in html
    assert '<footer class="site-footer">' in html


def test_an_unknown_api_address_is_still_json(client):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address."}


def test_with_debug_on_an_unknown_address_is_still_the_products_404_page(client, settings):
    """`make run` runs with DEBUG on: a 404 is what users see, not Django's list of URL
    patterns; a missing slash is still added."""
    settings.DEBUG = True

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert '<nav class="site-nav"' in response.text
    assert "URLconf" not in response.text
    assert client.get("/currencies").url == "/currencies/"


def test_stylesheet_is_served(client):
    # The stylesheet lives in portal/static/portal/ and is found by the static finders.
    from django.contrib.staticfiles import finders  # noqa: PLC0415

    assert finders.find("portal/portal.css")


# --- One country ---------------------------------------------------------------------------


def test_country_shows_its_currency_and_language(client, europe):
    response = client.get("/countries/CH/")

    assert response.status_code == 200
    html = response.text
    assert "<h1>Switzerland" in html
    assert '<a href="/currencies/CHF/">Swiss franc</a>' in html
    assert '<a href="/languages/de/">German</a>' in html


def test_country_shows_its_iso_alpha_3_and_numeric_codes(client, europe):
    html = client.get("/countries/CH/").text

    assert "<dt>ISO 3166-1 alpha-3</dt>\n      <dd><code>CHE</code></dd>" in html
    assert "<dt>ISO 3166-1 numeric</dt>\n      <dd><code>756</code></dd>" in html


def test_a_country_iso_3166_does_not_assign_shows_no_iso_codes(client, europe):
    CountryFactory(code="QX", name="Quixland", currency_code=None, language_code=None)

    response = client.get("/countries/QX/")

    assert response.status_code == 200
    assert "<h1>Quixland" in response.text
    assert "ISO 3166-1" not in response.text


def test_country_links_its_record_in_the_api(client, europe):
    html = client.get("/countries/ch/").text
    link = re.search(r'<a href="([^"]+)" type="application/json">JSON</a>', html)

    assert link is not None
    assert link.group(1) == "/api/countries/CH/"
    record = client.get(link.group(1))
    assert record.status_code == 200
    assert record.json()["code"] == "CH"
    assert record.json()["name"] == "Switzerland"


def test_country_code_in_the_url_is_case_insensitive(client, europe):
    response = client.get("/countries/ch/")

    assert response.status_code == 200
    assert "<h1>Switzerland" in response.text


def test_country_shows_a_missing_link_as_not_linked(client, europe):
    response = client.get("/countries/IT/")

    assert response.status_code == 200
    assert "Euro" in response.text
    assert "not linked" in response.text


def test_country_linked_to_a_removed_currency_shows_the_link_as_broken(client, europe):
    CurrencyFactory(code="XTS", name="Test currency")
    CountryFactory(code="XT", name="Testland", currency_code="XTS", language_code="de")
    CurrencyFactory._meta.model.objects.filter(code="XTS").delete()

    response = client.get("/countries/XT/")

    assert response.status_code == 200
    html = response.text
    assert "broken" in html
    assert "XTS</code> — not found in the currency department" in html
    assert "German" in html


def test_country_linked_to_a_removed_language_shows_the_link_as_broken(client, europe):
    CountryFactory(code="XU", name="Utopia", currency_code="EUR", language_code="zzz")

    response = client.get("/countries/XU/")

    assert response.status_code == 200
    assert "zzz</code> — not found in the language department" in response.text
    assert "Euro" in response.text


@pytest.mark.parametrize("code", ["QQ", "Q1", "TOOLONG"])
def test_unknown_country_is_a_404_page(client, europe, code):
    response = client.get(f"/countries/{code}/")

    assert response.status_code == 404
    assert "Country not found" in response.text
    assert '<nav class="site-nav"' in response.text


# --- Currencies and languages --------------------------------------------------------------


def row(html: str, code: str) -> str:
    """The cells of the list's row of `code`, after its code."""
    match = re.search(rf"<tr>\s*<td>(?:<a [^>]*>)?<code>{code}</code>(.*?)</tr>", html, re.S)
    assert match, f"no row {code}"
    return match.group(1)


def codes_in_table(response) -> list[str]:
    """The codes of the list's rows, in the order shown."""
    return re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?<code>(\w+)</code>", response.text)


def test_currencies_lists_every_currency_with_the_countries_using_it(client, europe):
    CurrencyFactory(code="XXX", name="Nobody's money")

    response = client.get("/currencies/")

    assert response.status_code == 200
    html = response.text
    eur = row(html, "EUR")
    assert '<a href="/currencies/EUR/">Euro</a>' in eur
    # Countries by name, each linked to its page.
    assert re.findall(r'href="/countries/\w+/">([^<]+)</a>', eur) == [
        "Austria",
        "France",
        "Germany",
        "Italy",
    ]
    assert '<a href="/countries/AT/">Austria</a>' in eur
    assert "Switzerland" in row(html, "CHF")
    assert "none" in row(html, "XXX")
    assert "3 currencies" in html


def test_languages_lists_every_language_with_the_countries_speaking_it(client, europe):
    response = client.get("/languages/")

    assert response.status_code == 200
    html = response.text
    german = row(html, "de")
    assert '<a href="/languages/de/">German</a>' in german
    assert re.findall(r'href="/countries/\w+/">([^<]+)</a>', german) == [
        "Austria",
        "Germany",
        "Switzerland",
    ]
    assert "France" in row(html, "fr")
    assert "none" in row(html, "it")


def test_currencies_lists_links_to_removed_currencies_as_broken(client, europe):
    CountryFactory(code="XT", name="Testland", currency_code="XTS", language_code="de")

    html = client.get("/currencies/").text

    assert "Broken links" in html
    broken = html.split("Broken links", 1)[1]
    assert "XTS" in broken
    assert '<a href="/countries/XT/">Testland</a>' in broken
    assert 'href="/currencies/XTS/"' not in broken  # its department has no page for it


@pytest.fixture
def money():
    for code, name in [
        ("AUD", "Australian Dollar"),
        ("CAD", "Canadian Dollar"),
        ("CHE", "WIR Euro"),
        ("EUR", "Euro"),
        ("STN", "São Tomé and Príncipe Dobra"),
        ("USD", "US Dollar"),
        ("XEU", "European Currency Unit"),
    ]:
        CurrencyFactory(code=code, name=name)
    CountryFactory(code="AU", name="Australia", currency_code="AUD")
    CountryFactory(code="DE", name="Germany", currency_code="EUR")
    CountryFactory(code="US", name="United States", currency_code="USD")


@pytest.mark.parametrize(
    ("search", "codes"),
    [
        ("euro", ["EUR", "XEU", "CHE"]),  # the whole name, a name that starts so, the rest
        ("Dollar", ["AUD", "CAD", "USD"]),  # by code within a rank
        ("eur", ["EUR", "XEU", "CHE"]),  # the code first
        ("usd", ["USD"]),
        ("SAO TOME", ["STN"]),  # without accents
        ("Príncipe", ["STN"]),
        ("yen", []),
    ],
)
def test_currencies_are_searched_by_code_and_name_the_best_match_first(
    client, money, search, codes
):
    response = client.get("/currencies/", {"q": search})

    assert response.status_code == 200
    assert codes_in_table(response) == codes
    assert f'name="q" value="{search}"' in response.text


def test_a_search_says_how_many_match_or_that_none_does(client, money):
    dollars = client.get("/currencies/", {"q": "dollar"}).text
    yen = client.get("/currencies/", {"q": "yen"}).text

    assert "3 currencies · matching “dollar”" in dollars
    assert "No currency matches “yen”." in yen


def test_languages_are_searched_without_accents(client):
    LanguageFactory(code="nb", name="Norwegian Bokmål")
    LanguageFactory(code="nn", name="Norwegian Nynorsk")

    assert codes_in_table(client.get("/languages/", {"q": "BOKMAL"})) == ["nb"]
    assert codes_in_table(client.get("/languages/", {"q": "norwegian"})) == ["nb", "nn"]


def test_only_those_in_use_leaves_out_the_currencies_no_country_uses(client, money):
    response = client.get("/currencies/", {"in_use": "1"})
    dollars = client.get("/currencies/", {"in_use": "1", "q": "dollar"})

    assert codes_in_table(response) == ["AUD", "EUR", "USD"]
    assert 'name="in_use" value="1" checked' in response.text
    assert codes_in_table(dollars) == ["AUD", "USD"]
    assert 'name="in_use" value="1" checked' not in client.get("/currencies/").text


def test_only_those_in_use_says_when_no_country_uses_any(client):
    LanguageFactory(code="de", name="German")

    response = client.get("/languages/", {"in_use": "1"})

    assert codes_in_table(response) == []
    assert "No country speaks any language yet." in response.text


def test_currencies_show_fifty_a_page_and_the_pager_keeps_search_and_filter(client):
    linked_countries(60)  # 60 currencies in use
    CurrencyFactory.create_batch(5)  # and 5 no country uses

    first = client.get("/currencies/", {"q": "currency", "in_use": "1"})
    second = client.get("/currencies/", {"q": "currency", "in_use": "1", "page": "2"})

    assert len(codes_in_table(first)) == 50
    assert len(codes_in_table(second)) == 10
    assert not set(codes_in_table(first)) & set(codes_in_table(second))
    assert "60 currencies" in first.text
    assert "Page 1 of 2" in first.text
    assert 'rel="next" href="?q=currency&amp;in_use=1&amp;page=2"' in first.text
    assert 'rel="prev" href="?q=currency&amp;in_use=1&amp;page=1"' in second.text
    assert 'rel="next"' not in second.text


def test_a_list_page_past_the_end_goes_to_the_last_page_with_search_and_filter_kept(client):
    # A language's code finds it alone, whatever numbers the factories have reached.
    code = linked_countries(60)[0].language_code

    response = client.get("/languages/", {"q": "language", "in_use": "1", "page": 9})
    single = client.get("/languages/", {"q": code, "page": 3})

    assert response.status_code == 302
    assert response.url == "/languages/?q=language&in_use=1&page=2"
    assert "Page 2 of 2" in client.get(response.url).text
    assert single.status_code == 302
    assert single.url == f"/languages/?q={code}"


def test_one_page_needs_no_pager(client, money):
    assert '<nav class="pager"' not in client.get("/currencies/").text


# --- One currency or language --------------------------------------------------------------


def test_currency_page_shows_the_currency_and_the_countries_using_it_by_name(client, europe):
    response = client.get("/currencies/EUR/")

    assert response.status_code == 200
    html = response.text
    assert "<title>Euro · Country Provider</title>" in html
    assert '<h1>Euro <code class="code-large">EUR</code></h1>' in html
    assert "<dd><code>EUR</code></dd>" in html
    assert "4 countries" in html
    assert names_in_table(response) == ["Austria", "France", "Germany", "Italy"]
    assert '<a href="/currencies/">Currencies</a>' in html  # the breadcrumb


def test_language_page_shows_the_language_and_the_countries_speaking_it(client, europe):
    response = client.get("/languages/DE/")  # any letter case

    assert response.status_code == 200
    assert '<h1>German <code class="code-large">de</code></h1>' in response.text
    assert names_in_table(response) == ["Austria", "Germany", "Switzerland"]


def test_a_currency_no_country_uses_says_so(client, europe):
    CurrencyFactory(code="XXX", name="Nobody's money")

    response = client.get("/currencies/XXX/")

    assert response.status_code == 200
    assert "No country uses this currency." in response.text
    assert names_in_table(response) == []


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/currencies/QQQ/", "The currency department has no currency with the code “QQQ”."),
        ("/currencies/E1/", "The currency department has no currency with the code “E1”."),
        ("/currencies/TOOLONG/", "no currency with the code “TOOLONG”."),
        ("/languages/zz/", "The language department has no language with the code “zz”."),
    ],
)
def test_an_unknown_currency_or_language_is_a_404_page(client, europe, url, text):
    response = client.get(url)

    assert response.status_code == 404
    assert text in response.text
    assert '<nav class="site-nav"' in response.text
    assert "not found · Country Provider</title>" in response.text


def test_a_broken_code_countries_still_use_is_not_found(client, europe):
    CountryFactory(code="XT", name="Testland", currency_code="XTS")

    assert client.get("/currencies/XTS/").status_code == 404
