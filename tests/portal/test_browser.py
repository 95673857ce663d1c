"""The portal as a person uses it: headless Chromium (Debian's) against a live server."""

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory, department_user
from tests.portal.conftest import linked_countries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A name for the live server that is not the loopback's (Chromium resolves it to 127.0.0.1).
PUBLIC_HOST = "country-provider.test"


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread: Django would refuse the test's
    # own database calls (factories, flush) without this.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1",
                ],
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_browse_search_page_switch_language_and_open_a_country(live_server, page):
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    linked_countries(60)

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Linked countries")
    expect(page.locator("table.data tbody tr")).to_have_count(50)
    expect(page.locator("table.data tbody tr").first).to_contain_text("Austria")

    page.get_by_label("Search by country code or name").fill("country")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=country$"))
    expect(page.get_by_text("60 linked countries")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    page.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"\?q=country&page=2$"))
    expect(page.locator("table.data tbody tr")).to_have_count(10)
    expect(page.locator("table.data tbody tr").first).to_contain_text("Country 50")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_url(re.compile(r"\?q=country&page=2$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verknüpfte Länder")
    expect(page.get_by_text("Seite 2 von 2")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Währung")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "portal.png", full_page=True)

    page.get_by_role("link", name="Country 55").click()
    expect(page).to_have_url(re.compile(r"/countries/[A-Z]{2,3}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Country 55")
    expect(page.locator("dl.details")).to_contain_text("Währung")
    expect(page.locator("dl.details")).to_contain_text("Currency")  # the currency's own name
    page.screenshot(path=ARTIFACTS / "portal-country.png", full_page=True)


def test_pages_work_without_javascript(live_server, browser):
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/currencies/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("heading", level=1)).to_have_text("Währungen")

        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Currencies")

        page.get_by_role("link", name="Germany").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Germany")
        expect(page.locator("dl.details")).to_contain_text("Euro")
    finally:
        context.close()


def test_search_filter_and_follow_a_currency_without_javascript(live_server, browser):
    CurrencyFactory(code="CHE", name="WIR Euro")
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="XEU", name="European Currency Unit")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        codes = page.locator("table.data tbody tr td:first-child")
        page.goto(f"{live_server.url}/currencies/")
        page.get_by_label("Search by currency code or name").fill("euro")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"/currencies/\?q=euro$"))
        expect(codes).to_have_text(["EUR", "XEU", "CHE"])

        page.get_by_label("Only those in use").check()
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"\?q=euro&in_use=1$"))
        expect(codes).to_have_text(["EUR"])

        page.get_by_role("link", name="Euro", exact=True).click()
        expect(page).to_have_url(re.compile(r"/currencies/EUR/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Euro")
        page.get_by_role("link", name="Austria").click()
        expect(page).to_have_url(re.compile(r"/countries/AT/$"))
        page.get_by_role("link", name="German").click()
        expect(page).to_have_url(re.compile(r"/languages/de/$"))
        expect(page.locator("table.data tbody tr")).to_have_count(2)
    finally:
        context.close()


def test_sort_by_a_header_search_and_find_what_is_not_linked_without_javascript(
    live_server, browser
):
    CurrencyFactory(code="CHF", name="Swiss franc")
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="CH", name="Switzerland", currency_code="CHF", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    CountryFactory(code="IS", name="Iceland", currency_code=None, language_code="de")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        names = page.locator("table.data tbody tr td:nth-child(2)")
        currency = page.get_by_role("columnheader", name="Currency")
        page.goto(f"{live_server.url}/")
        expect(names).to_have_text(["Austria", "Germany", "Switzerland"])
        expect(page.get_by_role("columnheader", name="Country")).to_have_attribute(
            "aria-sort", "ascending"
        )

        currency.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/\?sort=currency$"))
        expect(names).to_have_text(["Switzerland", "Austria", "Germany"])  # CHF, then EUR
        expect(currency).to_have_attribute("aria-sort", "ascending")
        expect(currency).to_contain_text("▲")

        currency.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/\?sort=-currency$"))
        expect(names).to_have_text(["Austria", "Germany", "Switzerland"])
        expect(currency).to_have_attribute("aria-sort", "descending")
        expect(currency).to_contain_text("▼")

        page.get_by_label("Search by country code or name").fill("land")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"/\?q=land&sort=-currency$"))
        expect(names).to_have_text(["Germany", "Switzerland"])  # Deutschland, Switzerland
        also_found = page.get_by_role("region", name="Also found, not fully linked")
        expect(also_found.get_by_role("listitem")).to_have_text(["Iceland IS — no currency"])

        also_found.get_by_role("link", name="Iceland").click()
        expect(page).to_have_url(re.compile(r"/countries/IS/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Iceland")
    finally:
        context.close()


@pytest.mark.parametrize(
    "path", ["/", "/currencies/", "/countries/DE/", "/admin/login/", "/api/countries/"]
)
def test_pages_live_with_the_content_security_policy(live_server, page, path):
    """The CSP (same-origin scripts only) breaks nothing: no violation in the console, and
    nothing is fetched from another origin."""
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))

    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")

    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert not [line for line in console if "Content Security Policy" in line], console
    assert all(url.startswith(live_server.url) for url in fetched), fetched


def test_the_api_docs_offer_each_department_offline_under_the_csp(live_server, page, settings):
    """Swagger UI comes from the product's own static files: it renders each department's
    operations, picked from its menu, without any other origin and without breaking the CSP.
    Under a host name that is not the loopback's, as Swagger UI only asks elsewhere about
    public ones (its validator badge)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, PUBLIC_HOST]
    origin = live_server.url.replace("localhost", PUBLIC_HOST)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))

    page.goto(f"{origin}/api/docs/")
    menu = page.get_by_label("Select a definition")
    expect(menu.locator("option")).to_have_text(["countries", "currencies", "languages"])
    expect(page.get_by_text("/api/linked-countries/").first).to_be_visible()
    menu.select_option("currencies")

    expect(page).to_have_url(re.compile(r"\?urls\.primaryName=currencies$"))
    expect(page.get_by_text("/api/currencies/{code}/").first).to_be_visible()
    expect(page.get_by_text("/api/countries/")).to_have_count(0)
    assert not [line for line in console if "Content Security Policy" in line], console
    assert all(url.startswith(origin) for url in fetched), fetched
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "api-docs.png")


PHONE = {"width": 360, "height": 780}  # the narrowest common phone width
PHONE_PAGES = [
    "/",
    "/countries/CD/",
    "/currencies/",
    "/currencies/EUR/",
    "/languages/",
    "/languages/fr/",
    "/no/such/page/",
    "/countries/QQ/",
    "/attention/",  # for staff: the browser logs in as a superuser first
]
# Elements that reach past the right edge of the viewport, other than inside a box that
# scrolls sideways on its own.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => ['auto', 'scroll'].includes(getComputedStyle(element).overflowX);
  const inScrollBox = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .filter((element) => !inScrollBox(element))
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
}"""


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_every_portal_page_fits_a_phone_screen(live_server, browser, locale):
    """At 360 px no page scrolls sideways: a wide table scrolls in its own box, and its last
    column can be scrolled to. With the real reference data, whose names are long."""
    call_command("load_reference_data", stdout=StringIO())
    context = browser.new_context(locale=locale, viewport=PHONE)
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("phone", password="x" * 12))
    session = staff.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
    context.add_cookies([cookie])
    failed: list[str] = []

    def note_failure(response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            failed.append(response.url)

    try:
        page = context.new_page()
        page.on("response", note_failure)
        for path in PHONE_PAGES:
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("nav.site-nav")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide"
            assert page.evaluate(STICKING_OUT) == [], path
            if path == "/":
                last_column = page.locator("table.data thead th").last
                last_column.scroll_into_view_if_needed()
                box = last_column.bounding_box()
                assert box is not None and box["x"] + box["width"] <= PHONE["width"] + 0.5
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=ARTIFACTS / f"portal-phone-{locale}.png", full_page=True)
        assert failed == [], "fetched without success (the favicon among them?)"
    finally:
        context.close()


# The contrast of an element's text with what is behind it (WCAG 2's formula): its colour over
# the first background that is not transparent, from the element up.
CONTRAST = """(element) => {
  const parse = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let background = [255, 255, 255];
  for (let up = element; up; up = up.parentElement) {
    const [r, g, b, a = 1] = parse(getComputedStyle(up).backgroundColor);
    if (a > 0) { background = [r, g, b]; break; }
  }
  const [r, g, b, a = 1] = parse(getComputedStyle(element).color);
  const text = [r, g, b].map((c, i) => c * a + background[i] * (1 - a));
  const [light, dark] = [luminance(text), luminance(background)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}"""


def test_the_pager_meets_the_wcag_aa_contrast_with_its_disabled_labels(live_server, page):
    linked_countries(60)

    for path, disabled in [("/", "← Previous"), ("/?page=2", "Next →")]:
        page.goto(f"{live_server.url}{path}")
        pager = page.locator("nav.pager")
        expect(pager.locator(".disabled")).to_have_text(disabled)
        for label in pager.locator("a, span").all():
            ratio = label.evaluate(CONTRAST)
            assert ratio >= 4.5, f"{label.text_content()!r} on {path}: {ratio:.2f}:1"


SEARCH_LABEL = {
    "en-US": "Search by country code or name",
    "de-DE": "Suche nach Ländercode oder Name",
}
SEARCH_BUTTON = {"en-US": "Search", "de-DE": "Suchen"}


@pytest.fixture
def reference_data():
    call_command("load_reference_data", stdout=StringIO())


# Search and sort as a person types and reads, in English and German, in the real reference data.
@pytest.fixture(params=["en-US", "de-DE"])
def reader(request, browser):
    context = browser.new_context(locale=request.param, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield request.param, page
    context.close()


@pytest.mark.parametrize(
    ("term", "first"),
    [
        ("Deutschland", "DE"),  # the German name, also on the English page
        ("Osterreich", "AT"),  # without the umlaut
        ("DEU", "DE"),  # alpha-3
        ("276", "DE"),  # numeric
        ("cote", "CI"),  # without the accent: C\u00f4te d\u2019Ivoire
        ("germany", "DE"),
    ],
)
def test_a_search_finds_the_country_people_mean_first(
    live_server, reference_data, reader, term, first
):
    locale, page = reader
    page.goto(f"{live_server.url}/")

    page.get_by_label(SEARCH_LABEL[locale]).fill(term)
    page.get_by_role("button", name=SEARCH_BUTTON[locale], exact=True).click()

    first_row = page.locator("table.data tbody tr").first
    expect(first_row.locator("a").first).to_have_attribute("href", f"/countries/{first}/")


def row_names(page) -> list[str]:
    return page.locator("table.data tbody tr td:nth-child(2) a").all_inner_texts()


@pytest.mark.parametrize(
    ("locale", "in_order"),
    [
        # Accents weigh less than letters: Côte d'Ivoire between Costa Rica and Croatia, Åland
        # with the A's, not after Zimbabwe.
        (
            "en-US",
            [
                "Afghanistan",
                "Åland Islands",
                "Albania",
                "Costa Rica",
                "C\u00f4te d\u2019Ivoire",
                "Croatia",
            ],
        ),
        (
            "de-DE",
            [
                "Afghanistan",
                "Ålandinseln",
                "Albanien",
                "Costa Rica",
                "C\u00f4te d\u2019Ivoire",
                "Dänemark",
            ],
        ),
    ],
)
def test_the_countries_sort_by_the_rules_of_the_readers_language(
    live_server,
    reference_data,
    browser,
    locale,
    in_order,
):
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        shown: list[str] = []
        for number in (1, 2):  # the first hundred countries by name
            page.goto(f"{live_server.url}/?page={number}")
            shown += row_names(page)
    finally:
        context.close()

    positions = [shown.index(name) for name in in_order]
    assert positions == sorted(positions), list(zip(in_order, positions, strict=True))


# axe-core, installed by `make browser` (scripts/ensure-axe): the accessibility rules checked.
AXE = Path(__file__).resolve().parents[2] / "var/axe/node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Each violation as a line to read: the rule, its impact, what it asks, and where it fails.
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
  return results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\\n      ` +
    v.nodes.map((node) => node.target.join(' ')).join('\\n      '));
}"""
# Every kind of portal page: with a search, a linked country, one not linked and one with a
# broken link, the lists (with their pager and broken links), a record of each, the 404s; with
# the status each answers.
AXE_PAGES = [
    ("/", 200),
    ("/?q=country", 200),
    ("/countries/DE/", 200),
    ("/countries/BG/", 200),
    ("/countries/ME/", 200),
    ("/countries/QQ/", 404),
    ("/currencies/", 200),
    ("/currencies/?q=euro&in_use=1", 200),
    ("/currencies/EUR/", 200),
    ("/currencies/QQQ/", 404),
    ("/languages/", 200),
    ("/languages/de/", 200),
    ("/no/such/page/", 404),
]


@pytest.mark.parametrize("width", [1200, 360])
@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_no_portal_page_has_an_accessibility_violation(
    live_server, browser, monkeypatch, locale, width
):
    """axe-core finds nothing against WCAG 2 A and AA and its best practices on any page, in
    English and German, on a desktop and a phone: the needs-attention page for staff, and the
    server error's page too."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make browser` (scripts/ensure-axe)")
    CurrencyFactory(code="EUR", name="Euro")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="BG", name="Bulgaria", currency_code="BGN", language_code="de")
    CountryFactory(code="ME", name="Montenegro", currency_code=None, language_code="de")
    linked_countries(60)
    # The site's CSP runs no script it does not serve itself, so it would refuse the tag that
    # injects axe: this context alone bypasses it (the CSP has its own test above).
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": 900}, bypass_csp=True
    )
    found: dict[str, list[str]] = {}

    def check(path: str, status: int) -> None:
        response = tab.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == status, path
        expect(tab.locator("html")).to_have_attribute("lang", locale[:2])
        tab.add_script_tag(path=AXE)
        violations = tab.evaluate(AXE_RUN, AXE_TAGS)
        if violations:
            found[path] = violations

    try:
        tab = context.new_page()
        for path, status in AXE_PAGES:
            check(path, status)
        # The server error's page, where a bug breaks the currencies list.
        with monkeypatch.context() as patch:
            patch.setattr("portal.pages.currency_page", lambda *args, **kwargs: 1 / 0)
            check("/currencies/?500", 500)
        staff = Client()
        staff.force_login(department_user("countries"))
        session = staff.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        context.add_cookies([cookie])
        check("/attention/", 200)
    finally:
        context.close()
    report = "\n".join(
        f"{path}:\n" + "\n".join(f"  {line}" for line in lines) for path, lines in found.items()
    )
    assert not found, f"axe-core found violations ({locale}, {width} px):\n{report}"
