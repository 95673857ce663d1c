from django.apps import AppConfig


class KernelConfig(AppConfig):
    """Installed for its error page template, its translations and its deployment check."""

    name = "project.kernel"
    label = "kernel"
    verbose_name = "Shared kernel"

    def ready(self):
        from project.kernel import security  # noqa: F401, PLC0415 - registers its check
