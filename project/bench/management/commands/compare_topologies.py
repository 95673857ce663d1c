import os
import signal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from project.bench.compare.report import format_table, write_outputs
from project.bench.compare.run import SCENARIOS, Options, run

QUICK = {
    "duration": 0.5,
    "warmup": 0.2,
    "concurrency": 2,
    "countries": (250,),
    "max_requests": 40,
    "repetitions": 2,
    "open_loop": (0.5,),
    "port_calls": 1_000,
    "lag_renames": 20,
    "scaling_budget": 5,
    "hop_delays_ms": (0.0, 5.0),
}


def _numbers(text: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise CommandError(
            f"--countries: {text!r} is not a comma-separated list of numbers"
        ) from None
    if not numbers or min(numbers) < 1:
        raise CommandError("--countries needs at least one positive number")
    return numbers


def _floats(option: str, text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a comma-separated list") from None


def _shares(text: str) -> tuple[float, ...]:
    """`0.25,0.5`, or `0` for none; a share above 1 offers more than the capacity."""
    shares = _floats("--open-loop", text)
    if shares == (0.0,):
        return ()
    if not shares or not all(0 < share <= 5 for share in shares):
        raise CommandError("--open-loop: shares between 0 and 5, e.g. 0.25,0.5,0.75,0.9")
    return shares


def _delays(text: str) -> tuple[float, ...]:
    """`0,1,5` (ms), or an empty string for none."""
    delays = _floats("--hop-delays", text)
    if not all(0 <= delay <= 100 for delay in delays):
        raise CommandError("--hop-delays: milliseconds between 0 and 100, e.g. 0,1,5")
    return delays


def _scenarios(text: str) -> tuple[str, ...]:
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    unknown = wanted - set(SCENARIOS)
    if unknown or not wanted:
        raise CommandError(f"--scenarios: choose from {', '.join(SCENARIOS)}")
    return tuple(s for s in SCENARIOS if s in wanted)  # writes always last


class Command(BaseCommand):
    help = (
        "Measures the monolith (one gunicorn, SERVICE=all) against the split topology (four "
        "gunicorns), with synchronous calls and with replicas fed by events (NATS and an event "
        "worker per service), on loopback, with the same data, total workers and load: "
        "requests/s and p50/p95/p99 per scenario (the portal page, and a revisit of it sending "
        "its ETag back: a 304); the replication lag; each portal with the "
        "currency service down; two floors (a minimal Django app, and the product's own "
        "middleware, each answering the portal page's bytes); one port call in-process vs over "
        "HTTP. "
        "Uses fresh PostgreSQL databases when DATABASE_URL points at PostgreSQL (created and "
        "dropped; the database it names is not touched), SQLite in a tmp dir otherwise. Prints "
        "a table and writes JSON, Markdown and a PNG chart into --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, help="seconds per scenario (default 10)")
        parser.add_argument("--warmup", type=float, help="seconds of warm-up (default 2)")
        parser.add_argument("--concurrency", type=int, help="connections in flight (default 4)")
        parser.add_argument(
            "--workers",
            type=int,
            help="gunicorn workers in all (default 4): the monolith's; the split gets a quarter "
            "per service (at least 1) unless --split-workers says otherwise",
        )
        parser.add_argument("--split-workers", type=int, help="gunicorn workers per service")
        parser.add_argument(
            "--countries", type=_numbers, help="data sizes, e.g. 250,25000 (the default)"
        )
        parser.add_argument(
            "--scenarios", type=_scenarios, help=f"any of {','.join(SCENARIOS)} (default all)"
        )
        parser.add_argument(
            "--max-requests", type=int, help="hard cap per measurement (default 1000000)"
        )
        parser.add_argument(
            "--repetitions",
            type=int,
            help="of every measurement, the topologies interleaved (default 3)",
        )
        parser.add_argument("--port-calls", type=int, help="port calls each way (default 1000)")
        parser.add_argument(
            "--lag-renames", type=int, help="renames timed for the replication lag (default 200)"
        )
        parser.add_argument(
            "--hop-delays",
            dest="hop_delays_ms",
            type=_delays,
            help="one-way delays in ms added to every hop between the split services, the "
            "portal measured at each (default 0,1,5; '' for none)",
        )
        parser.add_argument(
            "--scaling-budget",
            type=int,
            help="gunicorn workers in all for the scaling variants, at least 4 (default 8; 0: "
            "none): the monolith gets them all, each split topology a quarter per service, then "
            "shares by the CPU each service used",
        )
        parser.add_argument(
            "--open-loop",
            type=_shares,
            help="portal arrival rates as shares of the monolith's capacity, e.g. "
            "0.25,0.5,0.75,0.9 (the default); 0 for none",
        )
        parser.add_argument(
            "--p99-bound-ms", type=float, help="the open loop's p99 bound (default 250)"
        )
        parser.add_argument(
            "--trace-ratio",
            type=float,
            help="share of requests traced, e.g. 0.1: prints where a portal page's time goes "
            "per topology (default 0: no tracing, which costs throughput)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "var" / "compare",
            help="results folder (default var/compare/)",
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="a smoke run for tests: 250 countries, 0.5 s per scenario, 2 connections",
        )

    def handle(self, *args, output, quick, **given):
        chosen: dict[str, Any] = {**(QUICK if quick else {})}
        chosen.update({k: v for k, v in given.items() if k in _OPTION_NAMES and v is not None})
        if "workers" in chosen and "split_workers" not in chosen:
            chosen["split_workers"] = max(1, chosen["workers"] // 4)
        if not 0 <= chosen.get("trace_ratio", 0) <= 1:
            raise CommandError("--trace-ratio must be between 0 and 1")
        for name in ("duration", "concurrency", "workers", "split_workers", "repetitions"):
            if name in chosen and chosen[name] <= 0:
                raise CommandError(f"--{name.replace('_', '-')} must be positive")
        if chosen.get("scaling_budget", 4) not in (0, *range(4, 65)):
            raise CommandError("--scaling-budget: 0 (none), or 4 to 64 workers")
        database_url = os.environ.get("DATABASE_URL", "")
        options = Options(
            output=output,
            quick=quick,
            database_url=database_url if database_url.startswith("postgres") else "",
            **chosen,
        )
        # Ctrl-C and SIGTERM both end in run()'s clean-up, which stops every process.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            result = run(options, say=self.stdout.write)
        except KeyboardInterrupt:
            raise CommandError("Interrupted; every process started was stopped.") from None
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        paths = write_outputs(result, output)
        self.stdout.write("")
        self.stdout.write(format_table(result))
        self.stdout.write("")
        for kind in ("json", "png", "md"):
            self.stdout.write(f"{kind.upper():>4}: {paths[kind]}  (also {paths['latest_' + kind]})")


_OPTION_NAMES = {
    "duration",
    "warmup",
    "concurrency",
    "workers",
    "split_workers",
    "countries",
    "scenarios",
    "max_requests",
    "port_calls",
    "repetitions",
    "open_loop",
    "scaling_budget",
    "hop_delays_ms",
    "p99_bound_ms",
    "trace_ratio",
}
