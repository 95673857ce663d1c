from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from project.ports import DepartmentUnavailable


class Command(BaseCommand):
    help = (
        "Loads ISO reference data (pycountry) and CLDR country links (babel) into the departments "
        "this process serves. Idempotent: existing records and links are never overwritten."
    )

    def handle(self, *args, **options):
        # Countries last: their links are checked against the other departments.
        order = ("currencies", "languages", "countries")
        departments = [d for d in order if settings.TOPOLOGY.is_local(d)]
        if not departments:
            raise CommandError(f"SERVICE={settings.TOPOLOGY.service} serves no department.")
        for department in departments:
            try:
                report = import_module(f"{department}.reference_data").load_reference_data()
            except DepartmentUnavailable as error:
                raise CommandError(f"{department}: {error}") from None
            self.stdout.write(f"{department}: {report}")
