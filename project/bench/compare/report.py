"""The comparison's table (Markdown, for the terminal and the README), JSON and PNG chart."""

import json
import logging
import shutil
from pathlib import Path

from project.bench.compare.run import (
    FLOOR_SCENARIOS,
    SPLIT_TOPOLOGIES,
    TOPOLOGIES,
    TOPOLOGY_NAMES,
    breakdown_line,
)

TOPOLOGY_COLOURS = {
    "monolith": "#3b6ea8",
    "split": "#d9822b",
    "replica": "#4c9a5b",
    "floor": "#8c8c8c",
    "stack_floor": "#c4c4c4",
}
FLOORS = {
    "floor": "floor: minimal Django, same bytes",
    "stack_floor": "stack floor: product middleware, same bytes",
}


def _cell(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _ratio_cell(value, bounds=None) -> str:
    if value is None:
        return "-"
    if bounds is None or bounds[0] == bounds[1]:
        return f"{value:.2f}x"
    return f"{value:.2f}x ({bounds[0]:.2f} to {bounds[1]:.2f})"


def _ratio_spread_cell(spread: dict) -> str:
    """A ratio as `ratio_spread` gives it: {"value": median, "range": [min, max]}."""
    return _ratio_cell(spread["value"], spread["range"])


def _spread_cell(row: dict, key: str, digits: int) -> str:
    """The median, and where there are several repetitions their range: `132.8 (126.0 to 140.1)`."""
    low, high = row.get("spread", {}).get(key, (None, None))
    if len(row.get("repetitions", ())) < 2 or low is None:
        return _cell(row[key], digits)
    return f"{_cell(row[key], digits)} ({_cell(low, digits)} to {_cell(high, digits)})"


def _measured_cells(row: dict | None) -> list[str]:
    if row is None:
        return ["-"] * 6
    cpu = row.get("client_cpu_share")
    return [
        _spread_cell(row, "rps", 1),
        _spread_cell(row, "p50_ms", 2),
        _cell(row["p95_ms"], 2),
        _cell(row["p99_ms"], 2),
        str(row["errors"]),
        "-" if cpu is None else f"{row['generator']} {cpu:.2f}",
    ]


def _target_cell(value, unit: str, bounds=None) -> str:
    if value is None:
        return "-"
    return _ratio_cell(value, bounds) if unit == "x" else f"{value:,.0f} ms"


def _outage_line(name: str, answer: dict | str) -> str:
    if isinstance(answer, str):
        return f"- {TOPOLOGY_NAMES[name]}: {answer}."
    names = "with" if answer["currency_names_shown"] else "**without**"
    notice = ", saying the currency department is unavailable" if answer["says_unavailable"] else ""
    return (
        f"- {TOPOLOGY_NAMES[name]}: home page {answer['home_status']}, a country's page "
        f"{answer['country_page_status']}, {names} the currency names{notice}."
    )


def _open_loop_lines(open_loop: dict | None) -> list[str]:
    if not open_loop:
        return []
    names = list(open_loop["sweeps"])
    lines = [
        "",
        "Open loop: the portal at fixed arrival rates, as shares of the monolith's closed-loop "
        f"{open_loop['capacity_rps']:,.1f} req/s; each latency counted from when its request "
        "was due (p50 / p99 ms, errors):",
        "",
        "| Share | Offered req/s | " + " | ".join(TOPOLOGY_NAMES[n] for n in names) + " |",
        "|--:|--:|" + "--:|" * len(names),
    ]
    rows = zip(*(open_loop["sweeps"][n] for n in names), strict=True)
    for row in rows:
        cells = [f"{r['p50_ms']:,.1f} / {r['p99_ms']:,.1f}, {r['errors']}" for r in row]
        lines.append(
            f"| {row[0]['share']:.2f} | {row[0]['offered_rps']:,.1f} | " + " | ".join(cells) + " |"
        )
    passes = [
        f"{TOPOLOGY_NAMES[n]} at {_cell(at)} req/s" if at else f"{TOPOLOGY_NAMES[n]} at none tried"
        for n, at in open_loop["p99_passes_bound_at"].items()
    ]
    lines += ["", f"p99 passes {open_loop['p99_bound_ms']:,.0f} ms: " + "; ".join(passes) + "."]
    return lines


VARIANTS = {"even": "a quarter each", "by_load": "by load"}
# The services in the order the scaling table names their workers.
SERVICES_SHOWN = ("portal", "countries", "currencies", "languages")


def _scaling_rows(scaling: dict | None) -> list[tuple[str, str, str, str, dict, dict]]:
    """(scenario, variant, topology, workers, row, ratios) of every measured variant; the
    monolith's row of each turn first."""
    if not scaling:
        return []
    out: list[tuple[str, str, str, str, dict, dict]] = []
    for scenario, variants in scaling["scenarios"].items():
        for variant, turn in ((v, variants[v]) for v in VARIANTS):
            out.append(
                (scenario, variant, "monolith", f"{scaling['budget']} in one",
                 turn["results"]["monolith"], {})
            )  # fmt: skip
            for name in SPLIT_TOPOLOGIES:
                workers = " / ".join(str(turn["workers"][name][s]) for s in SERVICES_SHOWN)
                out.append(
                    (scenario, variant, name, workers, turn["results"][name], turn["ratios"][name])
                )
    return out


def _scaling_lines(scaling: dict | None) -> list[str]:
    rows = _scaling_rows(scaling)
    if not scaling or not rows:
        return []
    lines = [
        "",
        f"Scaling variants: {scaling['budget']} gunicorn workers in all. The monolith runs them "
        "all; each split topology first gets a quarter per service, then shares in proportion "
        "to the CPU each service used in that first turn (at least one each); the monolith is "
        "measured again in each turn, and a ratio pairs the repetitions of one turn:",
        "",
        "| Scenario | Turn | Topology | Workers: portal / countries / currencies / languages "
        "| req/s | p50 ms | req/s / monolith | p50 / monolith |",
        "|---|---|---|--:|--:|--:|--:|--:|",
    ]
    for scenario, variant, name, workers, row, ratios in rows:
        cells = [
            scenario,
            VARIANTS[variant],
            TOPOLOGY_NAMES[name],
            workers,
            _spread_cell(row, "rps", 1),
            _spread_cell(row, "p50_ms", 2),
            _ratio_spread_cell(ratios["rps"]) if ratios else "-",
            _ratio_spread_cell(ratios["p50_ms"]) if ratios else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _hop_delay_lines(sweep: dict | None) -> list[str]:
    if not sweep:
        return []
    names = [TOPOLOGY_NAMES[n] for n in SPLIT_TOPOLOGIES]
    lines = [
        "",
        "Per-hop network delay: the portal with a fixed one-way delay added to every call "
        "between the split services (a loopback delay proxy in front of each department "
        "service; a call's round trip gains twice the delay); the monolith, which makes no such "
        f"call, measured in the same turns, {_connections(sweep['concurrency'])} (req/s, "
        "p50 ms; ratios to the monolith):",
        "",
        "| One-way delay per hop | monolith | " + " | ".join(names) + " |",
        "|--:|--:|" + "--:|" * len(names),
    ]
    for step in sweep["results"]:
        monolith = step["rows"]["monolith"]
        cells = [f"{step['delay_ms']:g} ms", f"{monolith['rps']:,.1f}, {monolith['p50_ms']:.1f}"]
        for name in SPLIT_TOPOLOGIES:
            row, ratios = step["rows"][name], step["ratios"][name]
            cells.append(
                f"{row['rps']:,.1f}, {row['p50_ms']:.1f}: "
                f"{_ratio_spread_cell(ratios['rps'])}, {_ratio_spread_cell(ratios['p50_ms'])}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _connections(count: int) -> str:
    return "one connection at a time" if count == 1 else f"{count} connections"


def format_table(result: dict) -> str:
    options = result["options"]
    lines = [
        f"Measured {result['started']} on {result['machine']['cpus']} CPUs "
        f"({result['machine']['cpu']}), {result['machine']['memory']}; {result['database']}.",
        f"Monolith: {options['workers']} gunicorn workers. Each split topology: "
        f"{options['split_workers']} worker(s) per service x 4; with replicas, a NATS server and "
        "an event worker per service too. gevent workers (a greenlet per connection). "
        f"Closed loop, {_connections(options['concurrency'])}, {options['duration']:g} s per "
        f"scenario after {options['warmup']:g} s warm-up, {options['repetitions']} repetitions "
        "with the topologies interleaved: medians, (min to max) where they differ, a ratio taken "
        "per repetition. GET scenarios from wrk, writes from the Python driver; the cores each "
        "used beside its figures.",
    ]
    for run in result["runs"]:
        lines += [
            "",
            f"**{run['countries']:,} countries** ({run['synthetic_countries']:,} synthetic; "
            f"portal page {run['portal_page_bytes']:,} bytes)",
            "",
            "| Scenario | Topology | req/s | p50 ms | p95 ms | p99 ms | errors "
            "| load generator, cores | req/s / monolith | p50 / monolith |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for scenario in result["scenarios"]:
            for name in TOPOLOGY_NAMES:
                ratio = run["ratios"].get(name, {}).get(scenario, {})
                cells = [scenario, TOPOLOGY_NAMES[name]]
                cells += _measured_cells(run["results"][name].get(scenario))
                cells += [
                    _ratio_cell(ratio.get("rps"), ratio.get("rps_range")),
                    _ratio_cell(ratio.get("p50_ms"), ratio.get("p50_ms_range")),
                ]
                lines.append("| " + " | ".join(cells) + " |")
        for scenario, floors in FLOOR_SCENARIOS.items():
            for name, key in floors.items():
                if run.get(key):
                    cells = [scenario, FLOORS[name], *_measured_cells(run[key]), "", ""]
                    lines.append("| " + " | ".join(cells) + " |")
        for name in TOPOLOGY_NAMES:
            for scenario, row in run["results"][name].items():
                if row.get("first_error"):
                    lines.append(
                        f"\n{name} {scenario}: {row['errors']} errors; the first: "
                        f"`{row['first_error'][:200]}`"
                    )
        traced = {
            name: run["results"][name]["portal"]["time_breakdown"]
            for name in TOPOLOGY_NAMES
            if "time_breakdown" in run["results"][name].get("portal", {})
        }
        if traced:
            lines += ["", "Where a portal page's time went, from the traces of its measurement:"]
            lines += [f"- {TOPOLOGY_NAMES[n]}: {breakdown_line(b)}" for n, b in traced.items()]
        lines += _open_loop_lines(run.get("open_loop"))
        lines += _hop_delay_lines(run.get("hop_delay"))
        lines += _scaling_lines(run.get("scaling"))
        call = run["port_call"]
        lag = run["replication_lag"]
        lines += [
            "",
            f"One port call, `{call['call']}`: in-process p50 "
            f"{call['in_process']['p50_ms']:.3f} ms, over HTTP p50 {call['http']['p50_ms']:.3f} ms "
            f"({_ratio_cell(call['http_over_in_process'])}; {call['http']['calls']:,} calls each).",
            "",
            f"Replication lag, from a rename's commit in currencies to the portal showing it "
            f"({lag['seen']:,} of {lag['renames']:,} renames seen within 10 s): p50 "
            f"{_cell(lag.get('p50_ms'), 0)} ms, p95 {_cell(lag.get('p95_ms'), 0)} ms, p99 "
            f"{_cell(lag.get('p99_ms'), 0)} ms, max {_cell(lag.get('max_ms'), 0)} ms.",
            "",
            "With the currency service down:",
            *(_outage_line(name, answer) for name, answer in run["currency_outage"].items()),
        ]
    if result["targets"]:
        lines += ["", "| Target | Measured | Limit | Met |", "|---|--:|--:|:-:|"]
        for target in result["targets"]:
            comparison = "≥" if "req/s" in target["target"] else "≤"
            unit = target.get("unit", "x")
            lines.append(
                f"| {target['target']} | {_target_cell(target['value'], unit, target['range'])} "
                f"| {comparison} {_target_cell(target['limit'], unit)} "
                f"| {'yes' if target['ok'] else '**no**'} |"
            )
    return "\n".join(lines)


def write_chart(result: dict, path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - slow to import; only here

    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    runs = result["runs"]
    scenarios = list(result["scenarios"])
    open_loop = any(run.get("open_loop") for run in runs)
    delayed = any(run.get("hop_delay") for run in runs)
    scaled = any(_scaling_rows(run.get("scaling")) for run in runs)
    rows = 2 + open_loop + delayed + scaled
    figure, axes = plt.subplots(
        rows, len(runs), figsize=(6.5 * len(runs), 4 * rows), squeeze=False,
        constrained_layout=True,
    )  # fmt: skip
    width = 0.8 / (len(TOPOLOGIES) + len(FLOORS))
    for column, run in enumerate(runs):
        series = {name: [run["results"][name].get(s) for s in scenarios] for name in TOPOLOGIES}
        for name in FLOORS:
            keys = [FLOOR_SCENARIOS.get(s, {}).get(name) for s in scenarios]
            series[name] = [run.get(key) if key else None for key in keys]
        for row, (key, label) in enumerate((("rps", "requests/s"), ("p50_ms", "p50 latency, ms"))):
            ax = axes[row][column]
            for offset, (name, values) in enumerate(series.items()):
                middle = (len(series) - 1) / 2
                positions = [i + (offset - middle) * width for i in range(len(scenarios))]
                heights = [value[key] if value else 0 for value in values]
                spreads = [(value or {}).get("spread", {}).get(key) for value in values]
                errors = [
                    [h - s[0] if s else 0 for h, s in zip(heights, spreads, strict=True)],
                    [s[1] - h if s else 0 for h, s in zip(heights, spreads, strict=True)],
                ]
                bars = ax.bar(
                    positions, heights, width, yerr=errors, capsize=2, label=name,
                    color=TOPOLOGY_COLOURS[name],
                )  # fmt: skip
                for bar, value in zip(bars, values, strict=True):
                    if value:
                        ax.annotate(
                            f"{value[key]:.0f}" if key == "rps" else f"{value[key]:.1f}",
                            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            rotation=90,
                            ha="center",
                            va="bottom",
                            fontsize=7,
                        )
            ax.set_xticks(range(len(scenarios)), scenarios)
            ax.set_ylabel(label)
            ax.set_title(f"{run['countries']:,} countries: {label}")
            ax.grid(axis="y", alpha=0.3)
    for column, run in enumerate(runs):
        if run.get("open_loop"):
            _open_loop_chart(axes[2][column], run)
        if run.get("hop_delay"):
            _hop_delay_chart(axes[2 + open_loop][column], run)
        if scaled:
            _scaling_chart(axes[2 + open_loop + delayed][column], run)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    figure.suptitle(
        f"Monolith, split and split with replicas on loopback, {result['started']}\n"
        f"{result['database']}; "
        f"{result['machine']['cpus']} CPUs; {result['options']['concurrency']} connections",
        fontsize=10,
    )
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _open_loop_chart(ax, run: dict) -> None:
    """p99 (solid) and p50 (dashed) latency against the offered rate, per topology."""
    open_loop = run["open_loop"]
    for name, sweep in open_loop["sweeps"].items():
        offered = [r["offered_rps"] for r in sweep]
        colour = TOPOLOGY_COLOURS[name]
        ax.plot(offered, [r["p99_ms"] for r in sweep], "o-", color=colour, label=f"{name} p99")
        ax.plot(offered, [r["p50_ms"] for r in sweep], "o--", color=colour, alpha=0.6)
    ax.axhline(open_loop["p99_bound_ms"], color="#888888", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel("offered portal requests/s (open loop)")
    ax.set_ylabel("latency, ms (p99 solid, p50 dashed)")
    ax.set_title(f"{run['countries']:,} countries: latency against offered load")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _hop_delay_chart(ax, run: dict) -> None:
    """Each split topology's portal over the monolith's against the per-hop delay: throughput
    (solid) and median latency (dashed), with the range of the repetitions."""
    steps = run["hop_delay"]["results"]
    delays = [step["delay_ms"] for step in steps]
    for name in SPLIT_TOPOLOGIES:
        colour = TOPOLOGY_COLOURS[name]
        for key, label, style in (("rps", "req/s", "o-"), ("p50_ms", "p50", "s--")):
            spreads = [step["ratios"][name][key] for step in steps]
            values = [spread["value"] for spread in spreads]
            ax.plot(delays, values, style, color=colour, label=f"{name} {label} / monolith")
            ax.fill_between(
                delays,
                [(spread["range"] or [v, v])[0] for spread, v in zip(spreads, values, strict=True)],
                [(spread["range"] or [v, v])[1] for spread, v in zip(spreads, values, strict=True)],
                color=colour,
                alpha=0.15,
            )
    ax.axhline(1.0, color="#3b6ea8", linewidth=0.8, linestyle=":")
    ax.set_xlabel("one-way delay per hop between services, ms")
    ax.set_ylabel("split / monolith")
    ax.set_title(f"{run['countries']:,} countries: portal against network delay")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _scaling_chart(ax, run: dict) -> None:
    """Requests/s of each scaling variant, per scenario: the budget evenly split (plain bars)
    and by load (hatched), beside the monolith of the same turn."""
    rows = _scaling_rows(run.get("scaling"))
    scenarios = list(dict.fromkeys(row[0] for row in rows))
    bars = [(v, n) for v in VARIANTS for n in TOPOLOGIES]
    width = 0.8 / len(bars)
    for offset, (variant, name) in enumerate(bars):
        heights = [
            next((r[4]["rps"] for r in rows if r[:3] == (s, variant, name)), 0) for s in scenarios
        ]
        positions = [i + (offset - (len(bars) - 1) / 2) * width for i in range(len(scenarios))]
        ax.bar(
            positions, heights, width, color=TOPOLOGY_COLOURS[name],
            hatch="//" if variant == "by_load" else None, edgecolor="white",
            label=f"{name}, {VARIANTS[variant]}",
        )  # fmt: skip
    ax.set_xticks(range(len(scenarios)), scenarios)
    ax.set_ylabel("requests/s")
    budget = run["scaling"]["budget"]
    ax.set_title(f"{run['countries']:,} countries: {budget} workers, spent two ways")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, ncols=2)


def write_outputs(result: dict, output: Path) -> dict[str, Path]:
    """`compare-<time>.{json,png,md}` in `output`, copied to `latest.*` as well."""
    output.mkdir(parents=True, exist_ok=True)
    stem = "compare-" + result["started"].replace(":", "").replace("-", "").replace("+0000", "Z")
    paths = {
        "json": output / f"{stem}.json",
        "png": output / f"{stem}.png",
        "md": output / f"{stem}.md",
    }
    paths["json"].write_text(json.dumps(result, indent=2) + "\n")
    paths["md"].write_text(format_table(result) + "\n")
    write_chart(result, paths["png"])
    for kind, path in list(paths.items()):
        latest = output / f"latest.{kind}"
        shutil.copyfile(path, latest)
        paths[f"latest_{kind}"] = latest
    return paths
