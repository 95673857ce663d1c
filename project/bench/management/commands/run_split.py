import signal
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from project.bench.nats import LocalNats
from project.bench.split import DEFAULT_NATS_PORT, DEFAULT_PORTS, START_ORDER, LocalSplit
from project.topology import DEPARTMENTS, READ_MODELS


class Command(BaseCommand):
    help = (
        "Runs the split topology locally: migrates each service's own data, loads the reference "
        "data into each department, starts portal (:8000), countries (:8001), currencies (:8002) "
        "and languages (:8003) with gunicorn on loopback, a NATS server (:8004) and each "
        "service's event worker, and stops them all on Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per service")
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.BASE_DIR / "var" / "split",
            help="each service's SQLite files and log go here",
        )
        parser.add_argument(
            "--read-model",
            choices=READ_MODELS,
            default="replica",
            help="how the portal and countries read currencies and languages: from their own "
            "replicas, fed by events (default), or by asking the services on every read",
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="one PostgreSQL database for all services (each keeps its own schemas)",
        )

    def handle(self, *args, host, workers, data_dir, read_model, database_url, **options):
        nats = LocalNats(DEFAULT_NATS_PORT, data_dir / "nats", host=host)
        split = LocalSplit(
            ports=DEFAULT_PORTS,
            data_dir=data_dir,
            host=host,
            workers=workers,
            database_url=database_url,
            extra_env={"READ_MODEL": read_model},
            nats=nats,
        )
        # Ctrl-C and SIGTERM both end in the `finally` below.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            self.stdout.write("Migrating each service's own databases...")
            split.prepare()
            nats.start()
            self.stdout.write(f"{'nats':>10}  {nats.url}   log: {nats.log_path}")
            for service in START_ORDER:
                if service in DEPARTMENTS:
                    # Countries load last: their links are checked with the running services.
                    report = split.manage(service, "load_reference_data").strip()
                    self.stdout.write(report)
                split.start_with_events(service)
                self.stdout.write(
                    f"{service:>10}  {split.url(service)}/   log: {split.log_path(service)}"
                )
            self.stdout.write(
                self.style.SUCCESS(f"Portal: {split.url('portal')}/  (Ctrl-C stops all)")
            )
            running = {
                **split.processes,
                **{f"{s} events": p for s, p in split.event_workers.items()},
            }
            while all(p.poll() is None for p in running.values()):
                time.sleep(0.5)
            stopped = [s for s, p in running.items() if p.poll() is not None]
            self.stderr.write(f"Stopped unexpectedly: {', '.join(stopped)}; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping...")
        finally:
            split.stop_all()
