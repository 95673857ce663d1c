"""The comparison's table (Markdown, for the terminal and the README), JSON and PNG chart."""

import json
import logging
import shutil
from pathlib import Path

TOPOLOGY_COLOURS = {
    "monolith": "#3b6ea8",
    "split": "#d9822b",
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


def _ratio_cell(value) -> str:
    return "-" if value is None else f"{value:.2f}x"


def format_table(result: dict) -> str:
    options = result["options"]
    lines = [
        f"Measured {result['started']} on {result['machine']['cpus']} CPUs "
        f"({result['machine']['cpu']}), {result['machine']['memory']}; {result['database']}.",
        f"Monolith: {options['workers']} gunicorn workers. Split: {options['split_workers']} "
        f"worker(s) per service x 4. gevent workers (a greenlet per connection). "
        f"Closed loop, {options['concurrency']} connections, {options['duration']:g} s per "
        f"scenario after {options['warmup']:g} s warm-up.",
    ]
    for run in result["runs"]:
        lines += [
            "",
            f"**{run['countries']:,} countries** ({run['synthetic_countries']:,} synthetic; "
            f"portal page {run['portal_page_bytes']:,} bytes)",
            "",
            "| Scenario | Monolith req/s | p50 ms | p95 ms | p99 ms | errors | Split req/s "
            "| p50 ms | p95 ms | p99 ms | errors | Split/mono req/s | Split/mono p50 |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for scenario in result["scenarios"]:
            cells = [scenario]
            for name in ("monolith", "split"):
                row = run["results"][name].get(scenario)
                if row is None:
                    cells += ["-"] * 5
                    continue
                cells += [
                    _cell(row["rps"]),
                    _cell(row["p50_ms"], 2),
                    _cell(row["p95_ms"], 2),
                    _cell(row["p99_ms"], 2),
                    str(row["errors"]),
                ]
            ratio = run["ratios"].get(scenario, {})
            cells += [_ratio_cell(ratio.get("rps")), _ratio_cell(ratio.get("p50_ms"))]
            lines.append("| " + " | ".join(cells) + " |")
        for key, label in FLOORS.items():
            floor = run.get(key)
            if floor:
                lines.append(
                    f"| {label} | {_cell(floor['rps'])} | "
                    f"{_cell(floor['p50_ms'], 2)} | {_cell(floor['p95_ms'], 2)} | "
                    f"{_cell(floor['p99_ms'], 2)} | {floor['errors']} "
                    "| | | | | | | |"
                )
        for name in ("monolith", "split"):
            for scenario, row in run["results"][name].items():
                if row.get("first_error"):
                    lines.append(
                        f"\n{name} {scenario}: {row['errors']} errors; the first: "
                        f"`{row['first_error'][:200]}`"
                    )
        call = run["port_call"]
        lines += [
            "",
            f"One port call, `{call['call']}`: in-process p50 "
            f"{call['in_process']['p50_ms']:.3f} ms, over HTTP p50 {call['http']['p50_ms']:.3f} ms "
            f"({_ratio_cell(call['http_over_in_process'])}; {call['http']['calls']:,} calls each).",
        ]
    if result["targets"]:
        lines += ["", "| Target | Measured | Limit | Met |", "|---|--:|--:|:-:|"]
        for target in result["targets"]:
            comparison = "≥" if "req/s" in target["target"] else "≤"
            lines.append(
                f"| {target['target']} | {_ratio_cell(target['value'])} "
                f"| {comparison} {target['limit']:g}x | {'yes' if target['ok'] else '**no**'} |"
            )
    return "\n".join(lines)


def write_chart(result: dict, path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - slow to import; only here

    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    runs = result["runs"]
    scenarios = list(result["scenarios"])
    figure, axes = plt.subplots(
        2, len(runs), figsize=(6.5 * len(runs), 8), squeeze=False, constrained_layout=True
    )
    width = 0.2
    for column, run in enumerate(runs):
        series = {
            name: [run["results"][name].get(s) for s in scenarios] for name in ("monolith", "split")
        }
        for key in FLOORS:
            series[key] = [run.get(key) if s == "portal" else None for s in scenarios]
        for row, (key, label) in enumerate((("rps", "requests/s"), ("p50_ms", "p50 latency, ms"))):
            ax = axes[row][column]
            for offset, (name, values) in enumerate(series.items()):
                positions = [i + (offset - 1.5) * width for i in range(len(scenarios))]
                heights = [value[key] if value else 0 for value in values]
                bars = ax.bar(positions, heights, width, label=name, color=TOPOLOGY_COLOURS[name])
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
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    figure.suptitle(
        f"Monolith vs split on loopback, {result['started']}\n{result['database']}; "
        f"{result['machine']['cpus']} CPUs; {result['options']['concurrency']} connections",
        fontsize=10,
    )
    figure.savefig(path, dpi=100)
    plt.close(figure)


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
