"""Template tags for the portal's hot loops, where an {% include %} or a `{% url %}` per row is
too slow."""

import functools
from html import escape

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from project.kernel.names import active_language, name_in

register = template.Library()


@register.filter
def local_name(record) -> str:
    """A record's name in the reader's language, else its main name."""
    return name_in(active_language(), record.name, record.names)


@register.filter
def names_per_language(record) -> list[tuple[str, str, str]]:
    """(language code, language, name) for each language of the site, the record's name in it
    or its main name."""
    return [
        (code, label, name_in(code, record.name, record.names))
        for code, label in settings.LANGUAGES
    ]


_RECORD_URLS = {"currencies": "portal-currency", "languages": "portal-language"}


@functools.lru_cache(maxsize=4096)
def _record_path(script_prefix: str, url_name: str, code: str) -> str:
    # `reverse` reads the script prefix itself: the key only tells the prefixes apart.
    return reverse(url_name, args=[code])


def page_url(url_name: str, code: str) -> str:
    """The page `url_name` of the record `code`, reversed once per code: a page of countries
    names several hundred such URLs, and each `reverse` walks the URL patterns."""
    return _record_path(get_script_prefix(), url_name, code)


@register.simple_tag
def record_url(department: str, code: str) -> str:
    """The page of a currency or a language (`department` says which)."""
    return page_url(_RECORD_URLS[department], code)


def _link_cell(link, department: str, language: str | None) -> str:
    """A currency or language of a linked country, linked to its page: its name in `language`
    and its code, or the code alone while its department cannot tell the name. HTML-escaped."""
    url = escape(record_url(department, link.code))
    code = escape(link.code)
    if link.name:
        name = escape(name_in(language, link.name, link.names))
        return f'<a href="{url}">{name}</a> <code class="code">{code}</code>'
    unavailable = escape(gettext("name unavailable"))
    return (
        f'<a href="{url}"><code class="code">{code}</code></a>'
        f' <span class="muted">{unavailable}</span>'
    )


@register.simple_tag
def linked_country_rows(countries) -> str:
    """The rows of the home page's table: code, name, currency and language of each country.
    Escaped with the standard library's `html.escape`, the same as Django's `escape` without
    its check of every value for a lazy string: a page escapes about 250 values."""
    language = active_language()
    return mark_safe(  # every value escaped
        "\n".join(
            f"<tr><td><code>{escape(country.code)}</code></td>"
            f'<td><a href="{escape(page_url("portal-country", country.code))}">'
            f"{escape(name_in(language, country.name, country.names))}</a></td>"
            f"<td>{_link_cell(country.currency, 'currencies', language)}</td>"
            f"<td>{_link_cell(country.language, 'languages', language)}</td></tr>"
            for country in countries
        )
    )


@register.simple_tag(takes_context=True)
def column_header(context, label: str, column: str, sort=None) -> str:
    """A column's header. Where the table sorts (`sort`, a `portal.pages.Sort`), a link that
    sorts by `column`, the sorted column's reversing it, the search kept and back to the first
    page; the sorted column says which way: aria-sort, and an arrow with its words for screen
    readers, so that the link says it too."""
    if not sort:  # none in the context: a table that does not sort
        return format_html('<th scope="col">{}</th>', label)
    query = context.request.GET.copy()
    query["sort"] = sort.toggled(column)
    query.pop("page", None)
    href = f"?{query.urlencode()}"
    if column != sort.column:
        return format_html('<th scope="col"><a href="{}">{}</a></th>', href, label)
    if sort.descending:
        arrow, words = "▼", gettext("sorted descending")
    else:
        arrow, words = "▲", gettext("sorted ascending")
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="{}">{} <span aria-hidden="true">{}'
        '</span><span class="visually-hidden"> ({})</span></a></th>',
        sort.aria_sort,
        href,
        label,
        arrow,
        words,
    )
