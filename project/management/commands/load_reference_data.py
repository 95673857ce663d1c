from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from project.departments import department
from project.kernel.ports import DepartmentUnavailable
from project.topology import in_call_order


class Command(BaseCommand):
    help = (
        "Loads ISO reference data (pycountry), with CLDR names and country links (babel), into the "
        "departments this process serves. Idempotent: names and links are never overwritten."
    )

    def handle(self, *args, **options):
        local = settings.TOPOLOGY.local_departments
        if not local:
            raise CommandError(f"SERVICE={settings.TOPOLOGY.service} serves no department.")
        # Countries last: their links are checked against the other departments.
        for name in in_call_order(local):
            try:
                report = department(name).load_reference_data()
            except DepartmentUnavailable as error:
                raise CommandError(f"{name}: {error}") from None
            self.stdout.write(f"{name}: {report}")
