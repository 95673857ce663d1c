"""Template filters for the portal's hot loops, where an {% include %} per row is too slow."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.filter
def link_label(link) -> str:
    """A currency or language of a linked country: its name and code, or the code alone while
    its department cannot tell the name."""
    if link.name:
        return format_html('{} <code class="code">{}</code>', link.name, link.code)
    return format_html(
        '<code class="code">{}</code> <span class="muted">{}</span>',
        link.code,
        gettext("name unavailable"),
    )
