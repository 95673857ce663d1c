import json

from django.core.management.base import BaseCommand

from project.bench.compare.seeding import time_port_calls


class Command(BaseCommand):
    help = (
        "Times --calls calls of the currency port, in-process or over HTTP as SERVICE says; "
        "prints the seconds of each as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, required=True)

    def handle(self, *args, calls, **options):
        self.stdout.write(json.dumps({"samples": time_port_calls(calls)}))
