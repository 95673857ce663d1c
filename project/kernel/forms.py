"""Form fields shared by the departments' admin sites."""

from typing import Any

from django import forms
from django.conf import settings

from project.kernel.names import site_languages

NAME_LENGTH = 100


class NamesWidget(forms.MultiWidget):
    """One labelled text box per language of the site."""

    template_name = "kernel/names_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            widgets={
                language: forms.TextInput(attrs={"title": label, "size": 40})
                for language, label in settings.LANGUAGES
            },
            attrs=attrs,
        )

    def decompress(self, value: Any) -> list[str]:
        names = value if isinstance(value, dict) else {}
        return [names.get(language, "") for language in site_languages()]


class NamesFormField(forms.MultiValueField):
    """A record's names per language as one box each; an empty box is no name of its own."""

    widget = NamesWidget

    def __init__(self, **kwargs: Any) -> None:
        for unused in ("encoder", "decoder", "max_length"):  # what a JSONField would pass
            kwargs.pop(unused, None)
        kwargs["required"] = False
        kwargs["show_hidden_initial"] = False  # the initial is the record's, not a default
        super().__init__(
            fields=[
                forms.CharField(max_length=NAME_LENGTH, required=False) for _ in settings.LANGUAGES
            ],
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> dict[str, str]:
        if not data_list:  # every box empty
            return {}
        pairs = zip(site_languages(), data_list, strict=True)
        return {language: name for language, name in pairs if name}
