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
