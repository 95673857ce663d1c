"""The port of a department whose records are a code and a name (currencies, languages)."""

from django.utils.module_loading import import_string

from project.http import HttpDirectory
from project.ports import Directory, LocalDirectory, T, choose_adapter


def record_directory(department: str, dto: type[T], list_selector: str) -> Directory[T]:
    """In-process: the department's list selector (a dotted path, imported only in a process
    that serves the department). Otherwise HTTP to its service. Both answer `dto(code, name)`."""

    def from_json(item: dict) -> T:
        return dto(code=item["code"], name=item["name"])

    def local() -> Directory[T]:
        return LocalDirectory(department, import_string(list_selector), dto)

    def remote(base_url: str) -> Directory[T]:
        return HttpDirectory(department, f"{base_url}/api/{department}/", from_json)

    return choose_adapter(department, local=local, remote=remote)
