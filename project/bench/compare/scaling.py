"""Scaling variants: one budget of gunicorn workers, spent two ways. The monolith scales as one
(X axis: every worker serves everything); a split topology first gets the budget evenly (a
quarter per service), then gives each service a share of the budget in proportion to the CPU
it used under the even split (Y axis: the workers go where the load is). A service keeps at
least one worker: it still answers its own API and its health checks."""

from collections.abc import Mapping

from project.bench.processes import tree_cpu_seconds
from project.bench.split import START_ORDER, LocalSplit

# The scenarios the variants are measured on: the portal page, and the API read behind it.
SCALING_SCENARIOS = ("portal", "linked")


def even_allocation(budget: int) -> dict[str, int]:
    """The budget shared alike, what does not divide going to the services called first."""
    return allocation_by_load(dict.fromkeys(START_ORDER, 1.0), budget)


def allocation_by_load(cpu_seconds: Mapping[str, float], budget: int) -> dict[str, int]:
    """Workers per service in proportion to the CPU each used, at least one each, `budget` in
    all: one each, then the rest by the largest remainder (ties to the busier service)."""
    services = list(cpu_seconds)
    if budget < len(services):
        raise ValueError(f"a budget of {budget} workers cannot give {len(services)} one each")
    spare = budget - len(services)
    used = {service: max(0.0, seconds) for service, seconds in cpu_seconds.items()}
    total = sum(used.values())
    shares = {
        service: spare * (used[service] / total if total else 1 / len(services))
        for service in services
    }
    workers = {service: 1 + int(shares[service]) for service in services}
    by_remainder = sorted(
        services, key=lambda s: (shares[s] - int(shares[s]), used[s]), reverse=True
    )
    for service in by_remainder[: budget - sum(workers.values())]:
        workers[service] += 1
    return workers


def allocate(split: LocalSplit, workers: Mapping[str, int]) -> None:
    """Restart the services whose worker count changes, in the order they call each other."""
    for service in START_ORDER:
        if split.workers_of(service) != workers[service]:
            split.restart(service, workers=workers[service])


def cpu_seconds(split: LocalSplit) -> dict[str, float]:
    """The CPU each service's gunicorn (master and workers) has used so far."""
    return {service: tree_cpu_seconds(split.processes[service].pid) for service in START_ORDER}


def used_since(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    return {service: round(after[service] - before[service], 2) for service in before}
