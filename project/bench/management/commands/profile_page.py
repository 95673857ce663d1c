import time
import warnings

from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings


class Command(BaseCommand):
    help = (
        "Serves one URL in this process, again and again, and prints the CPU time per request "
        "and a pyinstrument profile of where it goes. Runs as SERVICE says: SERVICE=portal with "
        "the service URLs of a running `make split` profiles the portal's own share of a split "
        "page. Debug mode is off while it measures, as in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="path and query, e.g. / or /api/linked-countries/")
        parser.add_argument("--requests", type=int, default=200, help="measured (default 200)")

    def handle(self, *args, url, requests, **options):
        try:
            from pyinstrument import Profiler  # noqa: PLC0415 - a development dependency
        except ImportError:
            raise CommandError("pyinstrument is not installed (requirements-dev.txt)") from None
        if requests < 1:
            raise CommandError("--requests must be positive")
        plain_static = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        # WhiteNoise warns of the static files folder: none is needed here.
        warnings.filterwarnings("ignore", message="No directory at")
        client = Client(SERVER_NAME="localhost")

        def get():
            return client.get(url, secure=True)  # as behind the TLS-ending Ingress

        # No collected static files needed, no query log, no traceback pages.
        with override_settings(DEBUG=False, STORAGES=plain_static):
            status = get().status_code
            if status != 200:
                raise CommandError(f"{url} answered {status}")
            for _ in range(20):  # warm: templates, URLs, connections
                get()
            started = time.process_time()
            for _ in range(requests):
                get()
            cpu_ms = (time.process_time() - started) / requests * 1000
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(requests):
                    get()
        self.stdout.write(f"{url}: {cpu_ms:.2f} ms CPU per request in this process")
        self.stdout.write(profiler.output_text(unicode=False, color=False))
