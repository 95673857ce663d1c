"""The scaling variants' sharing of a worker budget, and the CPU a process tree used."""

import subprocess
import sys
import time

import pytest

from project.bench.compare.scaling import allocation_by_load, even_allocation
from project.bench.processes import tree_cpu_seconds


def test_workers_follow_the_cpu_each_service_used():
    used = {"currencies": 0.4, "languages": 0.3, "countries": 6.0, "portal": 9.3}

    assert allocation_by_load(used, 8) == {
        "currencies": 1, "languages": 1, "countries": 3, "portal": 3,
    }  # fmt: skip
    assert allocation_by_load(used, 12) == {
        "currencies": 1, "languages": 1, "countries": 4, "portal": 6,
    }  # fmt: skip


def test_every_service_keeps_one_worker_and_the_budget_is_spent_exactly():
    idle = {"currencies": 0.0, "languages": 0.0, "countries": 1.0, "portal": 0.0}

    assert allocation_by_load(idle, 4) == dict.fromkeys(idle, 1)
    assert allocation_by_load(idle, 7) == {
        "currencies": 1, "languages": 1, "countries": 4, "portal": 1,
    }  # fmt: skip
    for budget in range(4, 20):
        shared = allocation_by_load({"a": 1.7, "b": 2.9, "c": 0.05, "d": 3.3}, budget)
        assert sum(shared.values()) == budget and min(shared.values()) == 1


def test_nothing_used_shares_alike_and_a_budget_below_one_each_is_refused():
    assert even_allocation(8) == {"currencies": 2, "languages": 2, "countries": 2, "portal": 2}
    assert allocation_by_load(dict.fromkeys("abcd", 0.0), 6) == {"a": 2, "b": 2, "c": 1, "d": 1}
    with pytest.raises(ValueError, match="cannot give 4 one each"):
        allocation_by_load(dict.fromkeys("abcd", 1.0), 3)


def test_a_process_tree_counts_the_cpu_of_its_children():
    # A parent that sleeps while its child spins: the child's CPU is the tree's.
    spin = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    parent = subprocess.Popen(
        [sys.executable, "-c",
         f"import subprocess, sys; subprocess.run([sys.executable, '-c', {spin!r}])"],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        used = 0.0
        while time.monotonic() < deadline and parent.poll() is None:
            used = max(used, tree_cpu_seconds(parent.pid))
            time.sleep(0.05)
        assert used >= 0.4
    finally:
        parent.kill()
        parent.wait()
