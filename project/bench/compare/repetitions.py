"""Every measurement is repeated, the topologies interleaved (A B C A B C ...), so that a
machine that slows down for a while slows all of them alike. A figure is the median of its
repetitions with their minimum and maximum; a ratio is computed per repetition, then summarised
the same way; a target is met only when every repetition meets it."""

import statistics

# What each repetition measured and the summary takes the median of.
SUMMARISED = (
    "rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms", "client_cpu_share",
    "bytes_per_response",
)  # fmt: skip
RATIO_KEYS = ("rps", "p50_ms", "p95_ms", "p99_ms")


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def combined(repetitions: list[dict]) -> dict:
    """One measurement's repetitions as one row: medians, `spread` (min, max) per figure,
    requests and errors summed, and every repetition kept."""
    row: dict = {
        "generator": repetitions[0]["generator"],
        "concurrency": repetitions[0]["concurrency"],
        "requests": sum(r["requests"] for r in repetitions),
        "errors": sum(r["errors"] for r in repetitions),
        "first_error": next((r["first_error"] for r in repetitions if r["first_error"]), None),
        "capped": any(r["capped"] for r in repetitions),
        "spread": {},
        "repetitions": repetitions,
    }
    for key in SUMMARISED:
        values = [r[key] for r in repetitions if r.get(key) is not None]
        if values:
            row[key] = _median(values)
            row["spread"][key] = [min(values), max(values)]
    breakdowns = [r["time_breakdown"] for r in repetitions if "time_breakdown" in r]
    if breakdowns:
        parts = sorted({name for b in breakdowns for name in b["median_ms"]})
        row["time_breakdown"] = {
            "traces": sum(b["traces"] for b in breakdowns),
            "median_ms": {
                name: _median([b["median_ms"][name] for b in breakdowns if name in b["median_ms"]])
                for name in parts
            },
        }
    return row


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def ratio_spread(measured: dict, reference: dict, key: str) -> dict:
    """`measured` over `reference` per repetition (paired in the order they ran): the median,
    and the range as [min, max]; None where a repetition has no figure."""
    values = [
        ratio(m.get(key), r.get(key))
        for m, r in zip(measured["repetitions"], reference["repetitions"], strict=False)
    ]
    known = [v for v in values if v is not None]
    if not known:
        return {"value": None, "range": None}
    return {"value": _median(known), "range": [min(known), max(known)]}
