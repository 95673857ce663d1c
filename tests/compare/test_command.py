"""`manage.py compare_topologies --quick`, end to end: the three topologies as real processes on
loopback, every scenario measured, the replication lag and the outage answers, results
written, and no process left behind."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from project.bench.compare.run import MARKER_VARIABLE, SCENARIOS, SPLIT_TOPOLOGIES, TOPOLOGIES
from project.bench.split import BASE_DIR

pytestmark = pytest.mark.topology


def processes_marked(run_id: str) -> list[int]:
    """Processes whose environment carries this run's marker (gunicorn masters and workers)."""
    marker = f"{MARKER_VARIABLE}={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or not ours to read
    return found


def run_command(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """Run the command; past the timeout, SIGTERM lets it stop its processes before it ends."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "compare_topologies", *args],
        cwd=BASE_DIR,
        env={**os.environ, "SECRET_KEY": "tests-only-not-a-secret"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = process.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        pytest.fail(
            f"compare_topologies took over {timeout} s:\n{stdout[-3000:]}\n{stderr[-3000:]}"
        )
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def assert_open_loop_at_half_capacity(run: dict) -> None:
    open_loop = run["open_loop"]
    assert open_loop["capacity_rps"] == run["results"]["monolith"]["portal"]["rps"]
    for topology in TOPOLOGIES:
        [at_half] = open_loop["sweeps"][topology]  # --quick: half the monolith's capacity
        assert at_half["share"] == 0.5
        assert at_half["offered_rps"] == max(1.0, round(open_loop["capacity_rps"] * 0.5, 1))
        assert at_half["requests"] > 0 and at_half["errors"] == 0, at_half
        assert 0 < at_half["p50_ms"] <= at_half["p99_ms"]


def assert_swept_over_hop_delays(sweep: dict, printed: str) -> None:
    """--quick's per-hop delays, 0 and 5 ms, each on every hop between the split services."""
    assert "Per-hop network delay" in printed
    assert [step["delay_ms"] for step in sweep["results"]] == [0.0, 5.0]
    for step in sweep["results"]:
        for topology in TOPOLOGIES:
            measured = step["rows"][topology]
            assert measured["requests"] > 0 and measured["errors"] == 0, (step, measured)
    # The calls went through the delayed hops: the synchronous split's portal asks every
    # department, the replica one asks countries only.
    assert all(sweep["connections"]["split"].values()), sweep["connections"]
    assert sweep["connections"]["replica"]["countries"] > 0, sweep["connections"]
    # One connection at a time; every step's traffic went through the hops at that step's
    # delay (what a delay adds to a round trip is the proxy's own test, test_delay.py; what
    # it adds to a page is measured, not asserted).
    assert sweep["concurrency"] == 1
    assert "one connection at a time" in printed
    for step in sweep["results"]:
        carried = step["chunks_delayed"]
        assert all(carried["split"].values()), step
        assert carried["replica"]["countries"] > 0, step


def assert_scaled_two_ways(scaling: dict, printed: str) -> None:
    """--quick's scaling variants: 5 workers, a quarter each, then by load."""
    assert "Scaling variants: 5 gunicorn workers in all" in printed
    assert scaling["budget"] == 5  # --quick
    assert set(scaling["scenarios"]) == {"portal", "linked"}
    for variants in scaling["scenarios"].values():
        # The portal's page and the API read both load countries: it used CPU in every
        # topology, and the worker given over the even quarter goes to a service that did.
        for name in SPLIT_TOPOLOGIES:
            assert variants["cpu_seconds_even"][name]["countries"] > 0
            assert variants["even"]["workers"][name] == {
                "currencies": 2, "languages": 1, "countries": 1, "portal": 1,
            }  # fmt: skip
            by_load = variants["by_load"]["workers"][name]
            assert sum(by_load.values()) == 5 and min(by_load.values()) == 1
            busiest = max(variants["cpu_seconds_even"][name].items(), key=lambda kv: kv[1])[0]
            assert by_load[busiest] == 2
        for turn in ("even", "by_load"):
            for topology in TOPOLOGIES:
                measured = variants[turn]["results"][topology]
                assert measured["requests"] > 0 and measured["errors"] == 0, (turn, measured)
                assert len(measured["repetitions"]) == 2
            assert variants[turn]["ratios"]["replica"]["rps"]["value"] > 0


def test_quick_comparison_end_to_end(tmp_path):
    output = tmp_path / "compare"

    done = run_command("--quick", "--output", str(output), timeout=480)

    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads((output / "latest.json").read_text())
    assert processes_marked(result["run_id"]) == []

    [run] = result["runs"]
    assert run["countries"] == 250
    assert run["synthetic_countries"] == 1
    for topology in TOPOLOGIES:
        assert set(run["results"][topology]) == set(SCENARIOS)
        for scenario, measured in run["results"][topology].items():
            assert measured["requests"] > 0, (topology, scenario)
            assert measured["errors"] == 0, (topology, scenario, measured)
            assert measured["rps"] > 0
            assert 0 < measured["p50_ms"] <= measured["p95_ms"] <= measured["p99_ms"]
            # Two repetitions (--quick), each with the generator that sent it and its CPU.
            assert len(measured["repetitions"]) == 2
            low, high = measured["spread"]["rps"]
            assert low <= measured["rps"] <= high
            assert measured["generator"] == ("python" if scenario == "write" else "wrk")
            assert measured["client_cpu_share"] > 0
    assert set(run["ratios"]) == set(SPLIT_TOPOLOGIES)
    portal_ratio = run["ratios"]["replica"]["portal"]
    assert portal_ratio["rps_range"][0] <= portal_ratio["rps"] <= portal_ratio["rps_range"][1]
    assert all(set(run["ratios"][name]) == set(SCENARIOS) for name in SPLIT_TOPOLOGIES)
    assert_open_loop_at_half_capacity(run)
    assert_scaled_two_ways(run["scaling"], done.stdout)
    assert_swept_over_hop_delays(run["hop_delay"], done.stdout)
    lag = run["replication_lag"]
    assert (lag["renames"], lag["seen"], lag["missed"]) == (20, 20, 0)
    assert 0 < lag["p50_ms"] <= lag["p99_ms"] <= lag["max_ms"]
    outage = run["currency_outage"]
    assert outage["split"] == {
        "home_status": 200,
        "country_page_status": 200,
        "currency_names_shown": False,
        "says_unavailable": True,
    }
    assert outage["replica"] == {
        "home_status": 200,
        "country_page_status": 200,
        "currency_names_shown": True,
        "says_unavailable": False,
    }
    for floor in ("floor", "stack_floor", "revisit_floor"):
        assert run[floor]["requests"] > 0 and run[floor]["errors"] == 0, run[floor]
        assert len(run[floor]["repetitions"]) == 2  # interleaved with the topologies
    for topology in TOPOLOGIES:
        # Every revisit was a 304: headers alone, where the page is tens of kilobytes.
        measured = run["results"][topology]
        assert measured["revisit"]["bytes_per_response"] < 1_000 < run["portal_page_bytes"]
        assert measured["portal"]["bytes_per_response"] > run["portal_page_bytes"]
    for way in ("in_process", "http"):
        assert run["port_call"][way]["calls"] >= 1_000
        assert run["port_call"][way]["p50_ms"] > 0
    assert result["targets"]
    assert all(t["range"] is not None for t in result["targets"] if t["unit"] == "x")

    png = (output / "latest.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(list(output.glob("compare-*.json"))) == 1
    assert "| portal | split, replicas fed by events |" in done.stdout
    assert "Replication lag, from a rename's commit" in done.stdout
    assert "Open loop: the portal at fixed arrival rates" in done.stdout
    assert "| floor: minimal Django" in done.stdout
    assert "| stack floor: product middleware" in done.stdout
    assert "| revisit | floor: minimal Django" in done.stdout
    assert any(t["target"].startswith("monolith revisit (304) req/s") for t in result["targets"])


def test_a_traced_comparison_says_where_a_portal_page_spent_its_time(tmp_path):
    output = tmp_path / "compare"

    done = run_command(
        "--quick", "--scenarios", "portal", "--trace-ratio", "1", "--output", str(output),
        "--scaling-budget", "0", "--hop-delays", "",
        timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    [run] = json.loads((output / "latest.json").read_text())["runs"]
    services = {
        "monolith": {"all"},
        "split": {"portal", "countries", "currencies", "languages"},
        "replica": {"portal", "countries"},  # the names come from replicas
    }
    for topology, expected in services.items():
        breakdown = run["results"][topology]["portal"]["time_breakdown"]
        measured = run["results"][topology]["portal"]["requests"]
        # Warm-ups left out; once wrk reaches its cap, each connection's last request is
        # answered (and traced) but no longer counted.
        in_flight = 2 * 2  # --quick: 2 connections, 2 repetitions
        assert 0 < breakdown["traces"] <= measured + in_flight, topology
        parts = breakdown["median_ms"]
        assert expected <= parts.keys(), (topology, parts)
        assert (topology == "monolith") == ("network" not in parts), (topology, parts)
        assert parts["total"] > 0
    assert "Where a portal page's time went" in done.stdout
    assert run["scaling"] is None and run["hop_delay"] is None  # neither asked for
