import os
import subprocess
import time
import urllib.request
from pathlib import Path


def stop_process(process: subprocess.Popen | None, *, kill: bool = False) -> None:
    """Stop `process` (SIGTERM, or SIGKILL with `kill`) and wait for it to end."""
    if process is None or process.poll() is not None:
        return
    if kill:
        process.kill()
    else:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_answering(
    process: subprocess.Popen, name: str, url: str, log_path: Path, timeout: float
) -> None:
    """Wait until GET `url` answers 200; fail, pointing at `log_path`, if `process` ends first
    or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} was not ready within {timeout} s; see {log_path}")


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:  # ended meanwhile
        return []


def _own_cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # After the command name, which may hold spaces, in parentheses: utime, stime,
            # cutime and cstime (proc(5)'s fields 14 to 17).
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(ticks) for ticks in fields[11:15]) / _CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    """The CPU seconds process `pid` and its descendants have used (a gunicorn master and its
    workers, also those it has replaced: an ended child's time is its parent's once reaped);
    Linux only."""
    return _own_cpu_seconds(pid) + sum(tree_cpu_seconds(child) for child in _children(pid))
