"""Runs the comparison: for each data size, the monolith, the split topology with synchronous
calls and the split topology with replicas fed by events, on loopback, the same data, the same
load generator, one scenario after the other; plus the framework floor, the cost of one port
call in-process and over HTTP, the replication lag, and each portal during a currency outage."""

import os
import platform
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
import gunicorn
import requests

from project.bench.compare import load, openloop, remote, replication, scaling, wrk
from project.bench.compare.delay import DelayProxy
from project.bench.compare.repetitions import RATIO_KEYS, combined, ratio, ratio_spread
from project.bench.compare.servers import (
    FloorServer,
    LocalMonolith,
    StackFloorServer,
    fresh_postgres_database,
    postgres_version,
    stop_quietly,
)
from project.bench.nats import LocalNats
from project.bench.split import START_ORDER, LocalSplit, free_ports
from project.bench.traces import OtlpReceiver, receiving, time_breakdown
from project.topology import DEPARTMENTS, SERVICE_URL_VARIABLES

# In this order: the write scenario adds countries, so it runs last.
SCENARIOS = ("portal", "revisit", "linked", "list", "detail", "write")
SCENARIO_REQUESTS = {
    "portal": "GET / (portal home, 50 linked countries by name)",
    "revisit": "GET / sending its ETag back (304 Not Modified, the page not built)",
    "linked": "GET /api/linked-countries/",
    "list": "GET /api/countries/",
    "detail": "GET /api/countries/<code>/",
    "write": "POST /api/countries/ (create and link)",
}
TOPOLOGIES = ("monolith", "split", "replica")
SPLIT_TOPOLOGIES = TOPOLOGIES[1:]
TOPOLOGY_NAMES = {
    "monolith": "monolith",
    "split": "split, synchronous calls",
    "replica": "split, replicas fed by events",
}
MARKER_VARIABLE = "COMPARE_RUN_ID"  # in every process started, to find leftovers
HOP_DELAY_CONCURRENCY = 1  # connections of the per-hop delay sweep (see _delay_sweep)
# The floors measured beside a scenario, interleaved with it: {scenario: {floor: key of its
# figures in a run}}. A revisit's 304 is set against the minimal Django view too.
FLOOR_SCENARIOS = {
    "portal": {"floor": "floor", "stack_floor": "stack_floor"},
    "revisit": {"floor": "revisit_floor"},
}


@dataclass
class Options:
    output: Path
    duration: float = 10.0  # seconds measured per scenario and topology
    warmup: float = 2.0  # seconds of the same load before each measurement, not recorded
    concurrency: int = 4
    workers: int = 4  # the monolith's (and the floor's) gunicorn workers
    split_workers: int = 1  # each of the four services' workers
    countries: tuple[int, ...] = (250, 25_000)
    scenarios: tuple[str, ...] = SCENARIOS
    # A bound per measurement (and per warm-up), far above what the time allows: a figure
    # that reached it is marked `capped` (wrk stops sending but the clock runs on).
    max_requests: int = 1_000_000
    repetitions: int = 3  # of every measurement, the topologies interleaved
    # The portal at fixed arrival rates, as shares of the monolith's closed-loop capacity
    # (once each, the topologies interleaved), and the p99 latency they are judged by.
    open_loop: tuple[float, ...] = (0.25, 0.5, 0.75, 0.9)
    p99_bound_ms: float = 250.0
    port_calls: int = 1_000
    lag_renames: int = 200  # renames timed for the replication lag
    # Workers in all for the scaling variants (0: none measured): the monolith gets them all,
    # each split topology first a quarter per service, then shares by the CPU each used.
    scaling_budget: int = 8
    # One-way delays (ms) added to every hop between the split services, one after the other,
    # the portal measured at each (none: no sweep).
    hop_delays_ms: tuple[float, ...] = (0.0, 1.0, 5.0)
    database_url: str = ""  # a PostgreSQL server to make fresh databases on; else SQLite
    quick: bool = False
    # Above 0, that share of requests is traced (OTLP to a receiver of the run's own) and each
    # portal measurement says where a page's time went; tracing costs throughput, so it is off
    # by default.
    trace_ratio: float = 0.0
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])


@dataclass
class Target:
    """One topology under test, as the load generator sees it."""

    name: str
    topology: LocalSplit
    portal_url: str
    countries_url: str
    seed: dict = field(default_factory=dict)
    token: str = ""
    write_codes: list[str] = field(default_factory=list)
    next_write: int = 0


def _write_payloads(target: Target) -> Callable[[], dict]:
    """Unique unused 3-letter codes, each linked to an existing currency and language."""
    lock, pairs = threading.Lock(), target.seed["pairs"]

    def take() -> dict:
        with lock:
            if target.next_write >= len(target.write_codes):
                raise load.Exhausted
            index = target.next_write
            target.next_write += 1
        currency, language = pairs[index % len(pairs)]
        code = target.write_codes[index]
        return {
            "code": code,
            "name": f"Written {code}",
            "currency_code": currency,
            "language_code": language,
        }

    return take


def scenario_call(scenario: str, target: Target) -> load.Call | wrk.Paths:
    """The GET scenarios go to wrk; the write scenario needs a unique code per request, so the
    Python driver sends it."""
    api = target.countries_url
    if scenario == "portal":
        return wrk.Paths(target.portal_url, ["/"])
    if scenario == "revisit":
        tag = revisit_tag(target.portal_url)
        return wrk.Paths(target.portal_url, ["/"], headers={"If-None-Match": tag})
    if scenario == "linked":
        return wrk.Paths(api, ["/api/linked-countries/"])
    if scenario == "list":
        return wrk.Paths(api, ["/api/countries/"])
    if scenario == "detail":
        return wrk.Paths(api, [f"/api/countries/{code}/" for code in target.seed["letter_codes"]])
    if scenario == "write":
        return load.post_json(
            f"{api}/api/countries/",
            _write_payloads(target),
            headers={"Authorization": f"Token {target.token}"},
        )
    raise ValueError(f"unknown scenario {scenario!r}")


def revisit_tag(portal_url: str) -> str:
    """The home page's ETag, once it is seen to be answered with a 304. Asked as wrk asks,
    without the `Accept: */*` requests sends by default: a tag holds for one content type."""
    page = requests.get(f"{portal_url}/", headers={"Accept": None}, timeout=30)
    page.raise_for_status()
    tag = page.headers.get("ETag")
    if not tag:
        raise RuntimeError(f"{portal_url}/ answered no ETag")
    again = requests.get(
        f"{portal_url}/", headers={"Accept": None, "If-None-Match": tag}, timeout=30
    )
    if again.status_code != 304:
        raise RuntimeError(f"{portal_url}/ answered its own ETag with {again.status_code}")
    return tag


def _drive(
    spec: load.Call | wrk.Paths, options: Options, duration: float, max_requests: int
) -> tuple[load.LoadResult, float]:
    """One bounded run of the load; with the CPU seconds the load generator used."""
    if isinstance(spec, wrk.Paths):
        return wrk.drive(
            spec.base_url,
            spec.paths,
            headers=spec.headers,
            concurrency=options.concurrency,
            duration=duration,
            max_requests=max_requests,
        )
    # The Python driver's threads run in this process: its CPU time is theirs (and little else).
    cpu_before = time.process_time()
    result = load.drive(
        spec, concurrency=options.concurrency, duration=duration, max_requests=max_requests
    )
    return result, time.process_time() - cpu_before


def measure(
    spec: load.Call | wrk.Paths,
    options: Options,
    cap: int | None = None,
    after_warmup: Callable[[], None] = lambda: None,
) -> dict:
    """A warm-up, not recorded, then the measurement: its figures, which generator sent the
    load and the share of a core it used, and whether the request cap was reached."""
    cap = min(options.max_requests, cap if cap is not None else options.max_requests)
    if options.warmup > 0:
        # Enough for every worker to serve a few (each loads templates, URLs, connections).
        warm_cap = max(1, min(cap, max(cap // 10, options.concurrency * 10)))
        _drive(spec, options, options.warmup, warm_cap)
    after_warmup()
    result, cpu_seconds = _drive(spec, options, options.duration, cap)
    return {
        **result.as_dict(),
        "generator": "wrk" if isinstance(spec, wrk.Paths) else "python",
        "client_cpu_share": round(cpu_seconds / result.seconds, 3) if result.seconds else None,
        "capped": result.requests >= cap,
    }


def port_call_summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "calls": len(ordered),
        "p50_ms": round(load.percentile(ordered, 50) * 1000, 3),
        "p95_ms": round(load.percentile(ordered, 95) * 1000, 3),
        "p99_ms": round(load.percentile(ordered, 99) * 1000, 3),
        "mean_ms": round(sum(ordered) / len(ordered) * 1000, 3),
    }


def tracing_env(options: Options, receiver: OtlpReceiver | None) -> dict[str, str]:
    if receiver is None:
        return {}
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": str(options.trace_ratio),
        "OTEL_BSP_SCHEDULE_DELAY": "500",  # ms
    }


# Seconds for the last batch of spans to arrive after a measurement (the schedule delay above).
SPANS_SETTLE = 1.5


def common_env(options: Options, static_root: Path) -> dict[str, str]:
    return {
        # The product's settings, whatever the caller runs under (tests use tests.settings).
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "STATIC_ROOT": str(static_root),
        "HTTPS": "false",  # plain HTTP on loopback: no redirect to https://
        # Three topologies side by side: 2 connections per alias and worker keep them within
        # PostgreSQL's default 100 connections; the load has 4 connections in flight.
        "DATABASE_POOL_SIZE": "2",
        # The write scenario measures capacity, not the per-user write limit.
        "WRITE_THROTTLE_RATE": "1000000/minute",
        # Only the fresh database below, never one the caller's environment points at.
        "DEFAULT_DATABASE_URL": "",
        "COUNTRIES_DATABASE_URL": "",
        "CURRENCIES_DATABASE_URL": "",
        "LANGUAGES_DATABASE_URL": "",
        MARKER_VARIABLE: options.run_id,
    }


def _prepare_monolith(monolith: LocalMonolith, countries: int) -> Target:
    monolith.data_dir.mkdir(parents=True, exist_ok=True)
    monolith.manage("all", "migrate", "--verbosity=0")
    monolith.manage("all", "load_reference_data")
    target = Target("monolith", monolith, monolith.url(), monolith.url())
    target.seed = remote.seed(monolith, "all", countries)
    target.token = remote.department_token(monolith, "all")
    monolith.start("all")
    return target


def _prepare_split(name: str, split: LocalSplit, countries: int) -> Target:
    split.data_dir.mkdir(parents=True, exist_ok=True)
    for service in START_ORDER:
        split.manage(service, "migrate", "--verbosity=0")
    if split.nats is not None:
        split.nats.start()

    for service in ("currencies", "languages"):
        split.manage(service, "load_reference_data")
        split.start_with_events(service)
    # Countries last: their links are checked with the running services.
    split.manage("countries", "load_reference_data")
    target = Target(name, split, split.url("portal"), split.url("countries"))
    target.seed = remote.seed(split, "countries", countries)
    target.token = remote.department_token(split, "countries")
    split.start_with_events("countries")
    split.start_with_events("portal")
    return target


def _replication_results(
    split: Target, replica: Target, options: Options, say: Callable[[str], None]
) -> tuple[dict, dict]:
    """The replication lag, and each topology's portal while the currency service is down."""
    at = f"[{split.seed['countries']} countries]"
    tokens = {
        t.name: remote.department_token(t.topology, "currencies", department="currencies")
        for t in (split, replica)
    }
    say(f"{at} replication lag over {options.lag_renames} renames...")
    lag = replication.replication_lag(
        replica.topology, replica.countries_url, tokens[replica.name], options.lag_renames
    )
    say(f"{at} replication lag: {lag}")
    say(f"{at} each split portal with the currency service down...")
    outage: dict[str, Any] = {
        "monolith": "one process: a department cannot be down on its own",
        **{
            t.name: replication.portal_during_outage(t.topology, t.countries_url, tokens[t.name])
            for t in (split, replica)
        },
    }
    say(f"{at} currency outage: {outage}")
    return lag, outage


def run_scale(
    countries: int,
    options: Options,
    workdir: Path,
    env: dict,
    say,
    *,
    receiver: OtlpReceiver | None = None,
) -> dict:
    scale_dir = workdir / f"countries-{countries}"
    with ExitStack() as databases:
        urls = {name: "" for name in TOPOLOGIES}
        if options.database_url:
            for name in TOPOLOGIES:
                database = f"country_provider_compare_{options.run_id}_{name}"
                urls[name] = databases.enter_context(
                    fresh_postgres_database(options.database_url, database)
                )
        ports = free_ports(
            [
                "monolith",
                *(f"{name}-{service}" for name in SPLIT_TOPOLOGIES for service in START_ORDER),
                "nats",
                "floor",
                "stack_floor",
            ]
        )
        monolith = LocalMonolith(
            ports={"all": ports["monolith"]},
            data_dir=scale_dir / "monolith",
            database_url=urls["monolith"],
            workers=options.workers,
            extra_env=env,
        )
        splits = {
            name: LocalSplit(
                ports={service: ports[f"{name}-{service}"] for service in START_ORDER},
                data_dir=scale_dir / name,
                database_url=urls[name],
                workers=options.split_workers,
                extra_env={**env, "READ_MODEL": "replica" if name == "replica" else "live"},
                nats=LocalNats(ports["nats"], scale_dir / "nats") if name == "replica" else None,
            )
            for name in SPLIT_TOPOLOGIES
        }
        split, replicated = splits["split"], splits["replica"]
        floors: dict[str, FloorServer] = {}
        try:
            say(f"[{countries} countries] preparing data and starting the three topologies...")
            # One after the other: three topologies migrating and loading at once on two cores
            # kept a service from answering its readiness check in time.
            targets = [
                _prepare_monolith(monolith, countries),
                *(_prepare_split(name, topology, countries) for name, topology in splits.items()),
            ]
            monolith_target, split_target, replica_target = targets
            counts = {t.name: t.seed["countries"] for t in targets}
            if len(set(counts.values())) != 1:
                raise RuntimeError(f"the topologies hold different data: {counts}")
            replication.wait_until_caught_up(replicated, split, timeout=300)
            for target in targets:
                target.write_codes = remote.three_letter_codes(target.seed["letter_codes"])

            say(f"[{countries} countries] one port call, {options.port_calls} times each way...")
            port_call: dict[str, Any] = {
                "call": 'get_currency_directory().get_many(["EUR", "USD"])',
                "in_process": port_call_summary(
                    remote.port_call_samples(monolith, "all", options.port_calls)
                ),
                "http": port_call_summary(
                    remote.port_call_samples(split, "countries", options.port_calls)
                ),
            }
            port_call["http_over_in_process"] = ratio(
                port_call["http"]["p50_ms"], port_call["in_process"]["p50_ms"]
            )

            page = requests.get(f"{monolith_target.portal_url}/", timeout=30)
            page.raise_for_status()
            floors = {
                "floor": FloorServer(
                    ports={"all": ports["floor"]},
                    data_dir=scale_dir / "floor",
                    workers=options.workers,
                    extra_env=env,
                    body=page.content,
                ),
                "stack_floor": StackFloorServer(
                    ports={"all": ports["stack_floor"]},
                    data_dir=scale_dir / "stack-floor",
                    database_url=urls["monolith"],
                    workers=options.workers,
                    extra_env={**env, "DATA_DIR": str(monolith.data_dir / "all")},
                    body=page.content,
                ),
            }
            results: dict[str, dict] = {name: {} for name in TOPOLOGIES}
            floor_results: dict[str, dict] = {}

            def say_at(line: str) -> None:
                say(f"[{countries} countries] {line}")

            for scenario in options.scenarios:
                beside = FLOOR_SCENARIOS.get(scenario, {})
                measured = _repeated(
                    scenario,
                    targets,
                    floors={name: floors[name] for name in beside},
                    options=options,
                    receiver=receiver,
                    say=say_at,
                )
                for name, row in measured.items():
                    if name in results:
                        results[name][scenario] = row
                    else:
                        floor_results[beside[name]] = row
            open_loop = None
            if "portal" in options.scenarios and options.open_loop:
                capacity = results["monolith"]["portal"]["rps"]
                open_loop = _open_loop(targets, capacity, options, say=say_at)
            delays = _delay_sweep(targets, options, say=say_at) if options.hop_delays_ms else None
            scaled = _scaling(targets, options, say=say_at) if options.scaling_budget else None
            lag, outage = _replication_results(split_target, replica_target, options, say)
        finally:
            stop_quietly(*floors.values(), *splits.values(), monolith)
    return {
        "countries": counts["monolith"],
        "requested_countries": countries,
        "synthetic_countries": monolith_target.seed["synthetic"],
        "portal_page_bytes": len(page.content),
        "results": results,
        "floor": floor_results.get("floor"),
        "stack_floor": floor_results.get("stack_floor"),
        "revisit_floor": floor_results.get("revisit_floor"),
        "port_call": port_call,
        "ratios": ratios(results),
        "open_loop": open_loop,
        "hop_delay": delays,
        "scaling": scaled,
        "replication_lag": lag,
        "currency_outage": outage,
    }


def _repeated(
    scenario: str,
    targets: list[Target],
    *,
    floors: dict[str, FloorServer],
    options: Options,
    receiver: OtlpReceiver | None,
    say: Callable[[str], None],
) -> dict[str, dict]:
    """`scenario` measured `options.repetitions` times on each target (and floor), interleaved:
    {name: combined row}. The floors run only meanwhile."""
    runs: dict[str, list[dict]] = {name: [] for name in [*(t.name for t in targets), *floors]}
    try:
        for floor in floors.values():
            floor.start()
        for repetition in range(1, options.repetitions + 1):
            for target in targets:
                result = _measured(scenario, target, options, receiver)
                runs[target.name].append(result)
                say(f"{scenario:>6} {target.name:>11} #{repetition}: {_line_dict(result)}")
                if "time_breakdown" in result:
                    went = breakdown_line(result["time_breakdown"])
                    say(f"  where a page's time went: {went}")
            for name, floor in floors.items():
                result = measure(wrk.Paths(floor.url(), [floor.path]), options)
                runs[name].append(result)
                say(f"{scenario:>6} {name:>11} #{repetition}: {_line_dict(result)}")
    finally:
        stop_quietly(*floors.values())
    return {name: combined(results) for name, results in runs.items()}


def _measured(
    scenario: str, target: Target, options: Options, receiver: OtlpReceiver | None
) -> dict:
    """One measurement; for the portal with tracing on, with where a page's time went, from
    the spans of this measurement only."""
    cap = len(target.write_codes) if scenario == "write" else None
    if receiver is None or scenario != "portal":
        return measure(scenario_call(scenario, target), options, cap)
    measured_from = []
    result = measure(
        scenario_call(scenario, target),
        options,
        cap,
        after_warmup=lambda: measured_from.append(time.time_ns()),
    )
    time.sleep(SPANS_SETTLE)
    result["time_breakdown"] = time_breakdown(
        receiver.take(), target="/", since_ns=measured_from[0]
    )
    return result


def _open_loop(
    targets: list[Target], capacity: float, options: Options, say: Callable[[str], None]
) -> dict:
    """The portal of each topology at each of the fixed rates in turn; for each topology, the
    lowest rate tried at which its p99 passed the bound (None: none did)."""
    sweeps: dict[str, list[dict]] = {target.name: [] for target in targets}
    for share in options.open_loop:
        for target in targets:
            result = openloop.drive(
                f"{target.portal_url}/",
                rate=max(1.0, capacity * share),
                duration=options.duration,
                max_requests=options.max_requests,
            ).as_dict()
            sweeps[target.name].append({"share": share, **result})
            say(
                f"open loop {target.name:>8} at {result['offered_rps']:7.1f} req/s: "
                f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                f"{result['errors']} errors, {result['connections']} connections"
            )
    bound = options.p99_bound_ms
    return {
        "capacity_rps": capacity,
        "p99_bound_ms": bound,
        "sweeps": sweeps,
        "p99_passes_bound_at": {
            name: next((r["offered_rps"] for r in rows if r["p99_ms"] > bound), None)
            for name, rows in sweeps.items()
        },
    }


def _delay_sweep(targets: list[Target], options: Options, say: Callable[[str], None]) -> dict:
    """The portal with each of `options.hop_delays_ms` added to every hop between the split
    services: a DelayProxy in front of each department service, the services restarted to
    call each other through them (and restarted again afterwards, calling each other directly).
    The load generator reaches each portal directly, as it reaches the monolith.

    One connection at a time: with several, a request's wait on a delayed hop is filled by
    another request's work on the saturated cores, and what the delay costs one request (what
    a user waits) hides behind the CPU; the relay, too, gets a core when it needs one."""
    splits = targets[1:]
    one_at_a_time = replace(options, concurrency=HOP_DELAY_CONCURRENCY)
    sweep: dict[str, Any] = {
        "delays_ms": list(options.hop_delays_ms),
        "concurrency": HOP_DELAY_CONCURRENCY,
        "results": [],
    }
    with ExitStack() as proxies:
        hops = {
            t.name: {
                d: proxies.enter_context(DelayProxy(t.topology.ports[d], 0.0)) for d in DEPARTMENTS
            }
            for t in splits
        }
        try:
            for target in splits:
                urls = {SERVICE_URL_VARIABLES[d]: p.url for d, p in hops[target.name].items()}
                _reroute(target.topology, urls)
            for delay_ms in options.hop_delays_ms:
                for proxy in (p for by_department in hops.values() for p in by_department.values()):
                    proxy.set_delay(delay_ms)
                before = _chunks(hops)
                rows = _repeated(
                    "portal", targets, floors={}, options=one_at_a_time, receiver=None,
                    say=_prefixed(say, f"hop delay {delay_ms:g} ms"),
                )  # fmt: skip
                carried = {
                    name: {d: count - before[name][d] for d, count in by_department.items()}
                    for name, by_department in _chunks(hops).items()
                }
                sweep["results"].append(
                    {
                        "delay_ms": delay_ms,
                        "rows": rows,
                        "ratios": _to_monolith(rows),
                        "chunks_delayed": carried,
                    }
                )
        finally:
            for target in splits:
                _reroute(target.topology, {})
        sweep["connections"] = {
            name: {d: proxy.accepted for d, proxy in by_department.items()}
            for name, by_department in hops.items()
        }
    return sweep


def _chunks(hops: dict[str, dict[str, DelayProxy]]) -> dict[str, dict[str, int]]:
    """The chunks each proxy has relayed so far, by topology and department."""
    return {
        name: {d: p.chunks for d, p in by_department.items()}
        for name, by_department in hops.items()
    }


def _prefixed(say: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda line: say(f"{prefix} {line}")


def _reroute(split: LocalSplit, service_urls: dict[str, str]) -> None:
    """Restart every service of `split` with these service URLs (none: each other's own)."""
    for variable in SERVICE_URL_VARIABLES.values():
        split.extra_env.pop(variable, None)
    split.extra_env.update(service_urls)
    for service in START_ORDER:
        split.restart(service)


def _scaling(targets: list[Target], options: Options, say: Callable[[str], None]) -> dict:
    """The scaling variants (see `scaling`) for each of SCALING_SCENARIOS that is measured:
    per variant the workers of each split service, the rows, and the ratios to the monolith
    measured in the same turns. The monolith and the split services keep the last variant's
    workers afterwards."""
    budget = options.scaling_budget
    monolith, *splits = targets
    monolith.topology.restart("all", workers=budget)
    variants: dict[str, dict] = {}
    for scenario in (s for s in scaling.SCALING_SCENARIOS if s in options.scenarios):
        even = {t.name: scaling.even_allocation(budget) for t in splits}
        rows_even, used = _allocated(scenario, targets, even, options, _prefixed(say, "even"))
        by_load = {t.name: scaling.allocation_by_load(used[t.name], budget) for t in splits}
        say(f"scaling {scenario}: CPU seconds per service {used}; workers by load {by_load}")
        rows_by_load, _ = _allocated(scenario, targets, by_load, options, _prefixed(say, "by load"))
        variants[scenario] = {
            "cpu_seconds_even": used,
            "even": {"workers": even, "results": rows_even, "ratios": _to_monolith(rows_even)},
            "by_load": {
                "workers": by_load,
                "results": rows_by_load,
                "ratios": _to_monolith(rows_by_load),
            },
        }
    return {"budget": budget, "scenarios": variants}


def _allocated(
    scenario: str,
    targets: list[Target],
    workers: dict[str, dict[str, int]],
    options: Options,
    say: Callable[[str], None],
) -> tuple[dict[str, dict], dict[str, dict[str, float]]]:
    """`scenario` repeated on every target, each split topology with `workers[its name]`; the
    rows, and the CPU seconds each split service used meanwhile."""
    splits = targets[1:]
    for target in splits:
        scaling.allocate(target.topology, workers[target.name])
    before = {t.name: scaling.cpu_seconds(t.topology) for t in splits}
    rows = _repeated(scenario, targets, floors={}, options=options, receiver=None, say=say)
    used = {
        t.name: scaling.used_since(before[t.name], scaling.cpu_seconds(t.topology)) for t in splits
    }
    return rows, used


def _to_monolith(rows: dict[str, dict]) -> dict[str, dict]:
    """Each split topology's throughput and median latency over the monolith's, per turn."""
    return {
        name: {key: ratio_spread(rows[name], rows["monolith"], key) for key in ("rps", "p50_ms")}
        for name in SPLIT_TOPOLOGIES
    }


def breakdown_line(breakdown: dict) -> str:
    """`12.3 ms: portal 4.0, countries 3.1, ..., network 2.0 (medians of N traces)`: each
    service's own time, PostgreSQL's, and the calls' time between the services, summed over
    the calls, which overlap where they run in parallel."""
    medians = dict(breakdown["median_ms"])
    if "total" not in medians:
        return "no complete trace"
    total = medians.pop("total")
    parts = ", ".join(f"{name} {value:.1f}" for name, value in medians.items())
    return f"{total:.1f} ms: {parts} (medians of {breakdown['traces']} traces)"


def ratios(results: dict) -> dict:
    """Each split topology over the monolith, per scenario and repetition: throughput and
    latency percentiles, as {key: median, key_range: [min, max]}."""
    out: dict[str, dict] = {}
    for name in SPLIT_TOPOLOGIES:
        for scenario, measured in results[name].items():
            monolith = results["monolith"].get(scenario)
            if monolith:
                row = out.setdefault(name, {}).setdefault(scenario, {})
                for key in RATIO_KEYS:
                    spread = ratio_spread(measured, monolith, key)
                    row[key], row[f"{key}_range"] = spread["value"], spread["range"]
    return out


def _line_dict(result: dict) -> str:
    cpu = result.get("client_cpu_share")
    return (
        f"{result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms  "
        f"p95 {result['p95_ms']:7.2f}  p99 {result['p99_ms']:7.2f}  "
        f"{result['requests']} requests, {result['errors']} errors"
        + (f"; {result['generator']} used {cpu:.2f} of a core" if cpu is not None else "")
        + ("; capped" if result.get("capped") else "")
        + (f"; first: {result['first_error'][:200]}" if result.get("first_error") else "")
    )


# Portal req/s at least, and p50 at most, these times the monolith's.
PORTAL_TARGETS = {"split": (0.5, 2.0), "replica": (0.8, 1.3)}
LAG_P99_LIMIT_MS = 1000.0
PORTAL_FLOOR_SHARE = 0.25  # the monolith's home page, built, against the minimal view
REVISIT_FLOOR_SHARE = 0.8  # a 304 costs little more than the minimal view


def targets(runs: list[dict]) -> list[dict]:
    """The issues' performance targets, each with what was measured: a ratio ("x"), or
    milliseconds; the median, and for a ratio the range over the repetitions. A target is met
    only when its whole range meets it."""
    checks = []

    def check(name: str, spread: dict, limit: float, at_least: bool, unit="x") -> None:
        value, bounds = spread["value"], spread["range"] or [spread["value"]] * 2
        ok = None not in bounds and all(v >= limit if at_least else v <= limit for v in bounds)
        checks.append(
            {
                "target": name, "value": value, "range": spread["range"], "limit": limit,
                "unit": unit, "ok": ok,
            }
        )  # fmt: skip

    for run in runs:
        at = f"{run['countries']:,} countries"
        monolith = run["results"]["monolith"].get("portal")
        if monolith and run["floor"]:
            check(
                f"monolith portal req/s / floor req/s ({at})",
                ratio_spread(monolith, run["floor"], "rps"),
                PORTAL_FLOOR_SHARE,
                at_least=True,
            )
        revisit = run["results"]["monolith"].get("revisit")
        if revisit and run.get("revisit_floor"):
            check(
                f"monolith revisit (304) req/s / floor req/s ({at})",
                ratio_spread(revisit, run["revisit_floor"], "rps"),
                REVISIT_FLOOR_SHARE,
                at_least=True,
            )
        for name, (throughput, latency) in PORTAL_TARGETS.items():
            portal = run["results"][name].get("portal")
            if monolith and portal:
                check(
                    f"{name} portal req/s / monolith portal req/s ({at})",
                    ratio_spread(portal, monolith, "rps"),
                    throughput,
                    at_least=True,
                )
                check(
                    f"{name} portal p50 / monolith portal p50 ({at})",
                    ratio_spread(portal, monolith, "p50_ms"),
                    latency,
                    at_least=False,
                )
        scaled = run.get("scaling") or {"budget": 0, "scenarios": {}}
        portal_by_load = scaled["scenarios"].get("portal")
        for name, (throughput, latency) in PORTAL_TARGETS.items() if portal_by_load else ():
            ratios = portal_by_load["by_load"]["ratios"][name]
            budget = scaled["budget"]
            label = f"{at}, {budget} workers in all, the split's by load"
            check(f"{name} portal req/s / monolith ({label})", ratios["rps"], throughput, True)
            check(f"{name} portal p50 / monolith ({label})", ratios["p50_ms"], latency, False)
        lag = run["replication_lag"]
        lag_p99 = lag.get("p99_ms") if not lag["missed"] else None
        check(
            f"replication lag p99, currencies to portal ({at})",
            {"value": lag_p99, "range": None},
            LAG_P99_LIMIT_MS,
            at_least=False,
            unit="ms",
        )
    if len(runs) > 1:
        small, large = runs[0], runs[-1]
        for name in TOPOLOGIES:
            before = small["results"][name].get("portal")
            after = large["results"][name].get("portal")
            if before and after:
                check(
                    f"{name} portal p50 at {large['countries']:,} / at {small['countries']:,}",
                    ratio_spread(after, before, "p50_ms"),
                    1.5,
                    at_least=False,
                )
    return checks


def machine() -> dict:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line for line in cpuinfo if line.startswith("model name")).split(":")[1]
    except (OSError, StopIteration, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu.strip(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def run(options: Options, say: Callable[[str], None] = print) -> dict:
    """Measure, and answer everything as one JSON-ready dict. Every process started is stopped
    before this returns, whatever happens."""
    started = datetime.now(UTC)
    database = "SQLite (one file per alias, tmp dir)"
    if options.database_url:
        database = f"PostgreSQL {postgres_version(options.database_url)} (fresh databases)"
    runs = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="compare-")))
        receiver = stack.enter_context(receiving()) if options.trace_ratio > 0 else None
        env = {**common_env(options, workdir / "static"), **tracing_env(options, receiver)}
        # Static files once, with every app installed: the same files for all processes.
        collector = LocalMonolith(ports={"all": 0}, data_dir=workdir / "collect", extra_env=env)
        collector.manage("all", "collectstatic", "--noinput", "--verbosity=0")
        for countries in options.countries:
            runs.append(run_scale(countries, options, workdir, env, say, receiver=receiver))
    finished = datetime.now(UTC)
    return {
        "run_id": options.run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "machine": machine(),
        "database": database,
        "versions": {"django": django.get_version(), "gunicorn": gunicorn.__version__},
        "options": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in asdict(options).items()
            if key not in ("database_url",)
        },
        "scenarios": {name: SCENARIO_REQUESTS[name] for name in options.scenarios},
        "runs": runs,
        "targets": targets(runs),
    }
