"""Thin views: parse the request, ask `portal.pages` for the page, render it."""

import logging
import re
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.context_processors import csrf, i18n
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal import pages
from portal.attention import attention_page, may_see_attention
from project.kernel import errors
from project.kernel.conditional import conditional_page

logger = logging.getLogger(__name__)

_CODE = re.compile(r"[A-Za-z]{2,3}")
MAX_SEARCH_LENGTH = 100  # names are at most 100 characters


def _page_number(raw: str | None) -> int:
    """The requested page; anything that is not a positive number is the first page."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return max(number, 1)


def _search(request) -> str:
    return request.GET.get("q", "").strip()[:MAX_SEARCH_LENGTH]


@require_safe
@conditional_page
def home(request):
    page = pages.home_page(
        search=_search(request),
        page=_page_number(request.GET.get("page")),
        sort=pages.Sort.parse(request.GET.get("sort", "")),
    )
    if page.pager is not None and page.pager.past_the_end:
        return _last_page(request, page.pager.num_pages)
    return render(request, "portal/home.html", {"page": page})


def _last_page(request, last: int) -> HttpResponseRedirect:
    """A page number past the end goes to the last page, the search and the sort kept."""
    query = request.GET.copy()
    if last > 1:
        query["page"] = str(last)
    else:
        query.pop("page", None)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


@require_safe
@conditional_page
def country_detail(request, code: str):
    if not _CODE.fullmatch(code):
        return render(request, "portal/country_not_found.html", {"code": code}, status=404)
    page = pages.country_page(code)
    if page.not_found:
        return render(request, "portal/country_not_found.html", {"code": page.code}, status=404)
    return render(request, "portal/country.html", {"page": page})


def _directory(request, directory_page: Callable[..., pages.DirectoryPage], template: str):
    page = directory_page(
        search=_search(request),
        page=_page_number(request.GET.get("page")),
        in_use=request.GET.get("in_use") == "1",
    )
    if page.pager.past_the_end:
        return _last_page(request, page.pager.num_pages)
    return render(request, template, {"page": page})


def _record(request, record_page: Callable[[str], pages.RecordPage], template: str, code: str):
    page = record_page(code)
    return render(request, template, {"page": page}, status=404 if page.not_found else 200)


@require_safe
@conditional_page
def currencies(request):
    return _directory(request, pages.currency_page, "portal/currencies.html")


@require_safe
@conditional_page
def languages(request):
    return _directory(request, pages.language_page, "portal/languages.html")


@require_safe
@conditional_page
def currency_detail(request, code: str):
    return _record(request, pages.currency_detail_page, "portal/currency.html", code)


@require_safe
@conditional_page
def language_detail(request, code: str):
    return _record(request, pages.language_detail_page, "portal/language.html", code)


@require_safe
@never_cache
@login_required
def attention(request):
    """Countries that need attention: for department staff only."""
    if not may_see_attention(request.user):
        raise PermissionDenied
    return render(request, "portal/attention.html", {"page": attention_page()})


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links: the portal's icon."""
    return redirect(static("portal/favicon.svg"))


def not_found(request, exception):
    """Every 404 of a process that serves the portal, unknown addresses included: a page in the
    portal's layout; the API's stay JSON."""
    if request.path.startswith("/api/"):
        return errors.not_found(request, exception)
    return render(request, "portal/not_found.html", status=404)


def server_error(request) -> HttpResponse:
    """Every 500 of a process that serves the portal: a page in the portal's layout; the API's
    stay JSON. It must not fail in turn, so it reads nothing that might: no department, no
    database. Hence only the context processors that need neither (not the user's, which
    loads the session and permissions: the navigation shows no staff link here), and the
    plain error page if this one cannot be rendered."""
    if request.path.startswith("/api/"):
        return errors.server_error(request)
    context = {"request": request, **i18n(request), **csrf(request)}
    try:
        html = render_to_string("portal/server_error.html", context)
    except Exception:
        logger.exception("The portal's error page could not be rendered")
        return errors.server_error(request)
    return HttpResponseServerError(html)
