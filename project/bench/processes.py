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
