from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "project"
    verbose_name = "Country Provider"

    def ready(self) -> None:
        from django.conf import settings  # noqa: PLC0415 - once the apps are loaded

        from project.departments import department  # noqa: PLC0415
        from project.kernel import metrics  # noqa: PLC0415

        served = settings.TOPOLOGY.local_departments
        metrics.collect_at_scrape(metrics.OutboxBacklog([department(d).outbox for d in served]))
