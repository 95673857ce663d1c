"""Template tags for the portal's hot loops, where an {% include %} per row is too slow."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()

_RECORD_URLS = {"currencies": "portal-currency", "languages": "portal-language"}


@register.simple_tag
def record_url(department: str, code: str) -> str:
    """The page of a currency or a language (`department` says which)."""
    return reverse(_RECORD_URLS[department], args=[code])


@register.filter
def link_label(link, department: str) -> str:
    """A currency or language of a linked country, linked to its page: its name and code, or
    the code alone while its department cannot tell the name."""
    url = record_url(department, link.code)
    if link.name:
        return format_html(
            '<a href="{}">{}</a> <code class="code">{}</code>', url, link.name, link.code
        )
    return format_html(
        '<a href="{}"><code class="code">{}</code></a> <span class="muted">{}</span>',
        url,
        link.code,
        gettext("name unavailable"),
    )
