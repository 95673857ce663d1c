from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed where the checkout has it, for its management commands."""

    name = "project.bench"
    label = "bench"
    verbose_name = "Development tools"
