"""The language department's public port: the only module other departments may import."""

from dataclasses import dataclass

from project.directories import record_directory
from project.ports import DepartmentUnavailable, Directory

__all__ = ["DepartmentUnavailable", "Language", "LanguageDirectory", "get_language_directory"]


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str


LanguageDirectory = Directory[Language]


def get_language_directory() -> LanguageDirectory:
    return record_directory("languages", Language, "languages.selectors.language_list")
