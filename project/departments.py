"""What each department plugs into a process that serves it: its URLs and its reference data.

Real imports, so the import contracts see every arrow from the composition root to a department;
made inside the function because a department's models exist only in processes that install it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver

from project.kernel.reference_data import LoadReport


@dataclass(frozen=True)
class Department:
    urlpatterns: list[URLPattern | URLResolver]
    load_reference_data: Callable[[], LoadReport]


def department(name: str) -> Department:
    """The department called `name`; only where this process installs it."""
    match name:
        case "countries":
            import countries.reference_data  # noqa: PLC0415
            import countries.urls  # noqa: PLC0415

            return Department(
                countries.urls.urlpatterns, countries.reference_data.load_reference_data
            )
        case "currencies":
            import currencies.reference_data  # noqa: PLC0415
            import currencies.urls  # noqa: PLC0415

            return Department(
                currencies.urls.urlpatterns, currencies.reference_data.load_reference_data
            )
        case "languages":
            import languages.reference_data  # noqa: PLC0415
            import languages.urls  # noqa: PLC0415

            return Department(
                languages.urls.urlpatterns, languages.reference_data.load_reference_data
            )
    raise LookupError(f"There is no department {name!r}.")
