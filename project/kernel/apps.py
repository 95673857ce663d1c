from django.apps import AppConfig


class KernelConfig(AppConfig):
    """Installed for its error page template and its translations."""

    name = "project.kernel"
    label = "kernel"
    verbose_name = "Shared kernel"
