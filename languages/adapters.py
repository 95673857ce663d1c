"""The language port's adapters, built as in every department: in-process over the department's own
selector, HTTP over its REST API, and replica over another service's copy fed by the
department's events; all answer `Language` DTOs and pass one contract suite.

Processes that only reach the language department import this module too: its selectors (and so
its models, which need the installed app) are imported when the in-process adapter is built."""

from languages.public import LANGUAGE_EVENTS, Language
from project.kernel.http import HttpDirectory
from project.kernel.ports import LocalDirectory
from project.kernel.replica import ReplicaDirectory


class LocalLanguageDirectory(LocalDirectory[Language]):
    def __init__(self) -> None:
        from languages.selectors import language_list  # noqa: PLC0415 - only where installed

        super().__init__("languages", language_list, Language)


def _from_json(item: dict) -> Language:
    # An older service answers no names: the main name is shown meanwhile.
    return Language(code=item["code"], name=item["name"], names=item.get("names", {}))


class HttpLanguageDirectory(HttpDirectory[Language]):
    def __init__(self, base_url: str) -> None:
        super().__init__("languages", f"{base_url}/api/languages/", _from_json)


class ReplicaLanguageDirectory(ReplicaDirectory[Language]):
    def __init__(self) -> None:
        super().__init__(LANGUAGE_EVENTS)
