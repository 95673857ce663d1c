import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from project.bench.loadtest import SCENARIOS, run_load
from project.bench.split import START_ORDER, LocalSplit, free_ports


class Command(BaseCommand):
    help = (
        "Starts the split topology on loopback with the reference data, drives a bounded mixed "
        "load (portal pages, API reads, writes that create and link countries), then reads "
        "every acknowledged write back. Fails on any 5xx, unanswered request or lost write."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=30, help="seconds of load")
        parser.add_argument("--concurrency", type=int, default=8, help="connections in all")
        parser.add_argument("--max-requests", type=int, default=20_000, help="a cap on requests")
        parser.add_argument(
            "--database-url",
            default="",
            help="an empty PostgreSQL database for the services (default: SQLite files)",
        )

    def handle(self, *args, duration, concurrency, max_requests, database_url, **options):
        with tempfile.TemporaryDirectory(prefix="load-") as data_dir:
            split = LocalSplit(
                ports=free_ports(START_ORDER),
                data_dir=Path(data_dir),
                database_url=database_url,
                # The load measures the services, not the write rate limit.
                extra_env={"WRITE_THROTTLE_RATE": "1000000/minute"},
            )
            try:
                self.stdout.write("Starting the split topology with the reference data...")
                split.prepare()
                for service in START_ORDER:
                    if service != "portal":
                        split.manage(service, "load_reference_data")
                    split.start(service)
                token = split.manage(
                    "countries", "create_department_user", "load", "--department", "countries"
                ).splitlines()[-1]
                self.stdout.write(
                    f"Load: {duration:g} s, {concurrency} connections, at most {max_requests} "
                    "requests..."
                )
                report = run_load(
                    split,
                    token,
                    duration=duration,
                    concurrency=concurrency,
                    max_requests=max_requests,
                )
            finally:
                split.stop_all()
        for name in SCENARIOS:
            result = report.results[name]
            self.stdout.write(
                f"{name:>7}: {result.requests:6d} requests, {result.rps:7.1f}/s, "
                f"p50 {result.p50_ms:7.1f} ms, p99 {result.p99_ms:7.1f} ms, "
                f"{result.errors} unexpected"
            )
        self.stdout.write(
            f"requests: {report.requests}, 5xx: {report.server_errors}, "
            f"writes acknowledged: {report.acknowledged}, lost writes: {len(report.lost)}"
        )
        if not report.ok:
            first = next((r.first_error for r in report.results.values() if r.first_error), "")
            raise CommandError(f"The load found problems. First unexpected answer: {first}")
