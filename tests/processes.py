"""manage.py run as a process of its own, in a tree (the repository or a copy of it) and an
environment the test chooses."""

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def manage(
    tree: Path, env: Mapping[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def process_tree(pid: int) -> list[int]:
    """`pid` and its children (a gunicorn master and its workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (name) state ppid ...": the name may hold spaces, so split after it.
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if ppid == pid:
            children.append(int(stat.parent.name))
    return [pid, *children]
