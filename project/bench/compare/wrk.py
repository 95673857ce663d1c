"""The native load generator for GET scenarios: Debian's wrk, one thread and `concurrency`
keep-alive connections, closed loop, bounded by time (-d) and by count (its Lua script stops the
thread after `max_requests`). Where a scenario needs logic of its own (unique codes for writes),
the Python driver in load.py stays. The CPU time wrk used is reported beside each figure: on a
2-core machine it is taken from the servers measured."""

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from project.bench.compare.load import LoadResult

# The paths are cycled in order; a path list keeps a detail scenario off any one record.
SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local max_requests = %(max_requests)d
local sent = 0
request = function()
  sent = sent + 1
  if sent > max_requests then
    wrk.thread:stop()
  end
  return wrk.format("GET", paths[(sent - 1) %% #paths + 1], headers)
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write("RESULT ", string.format(
    '{"requests": %%d, "bytes": %%d, "duration_us": %%d, "status_errors": %%d,'
    .. ' "socket_errors": %%d,'
    .. ' "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "mean_us": %%f, "max_us": %%d}\\n',
    summary.requests, summary.bytes, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max))
end
"""


@dataclass(frozen=True)
class Paths:
    """What wrk sends: GET each path on `base_url`, in turn, with `headers`."""

    base_url: str
    paths: list[str]
    headers: Mapping[str, str] = field(default_factory=dict)


class WrkMissing(RuntimeError):
    pass


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing("wrk is not installed: run scripts/ensure-wrk (make compare does)")
    return found


def drive(
    base_url: str,
    paths: list[str],
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    headers: Mapping[str, str] | None = None,
) -> tuple[LoadResult, float]:
    """GET `paths` (cycled) on `base_url`, with `headers`; answers the result and wrk's CPU
    seconds."""
    if concurrency < 1 or duration <= 0 or max_requests < 1 or not paths:
        raise ValueError("concurrency, duration, max_requests and paths must be positive")
    # JSON strings are Lua string literals too (quotes and backslashes escaped alike).
    lua_paths = ", ".join(json.dumps(path) for path in paths)
    lua_headers = ", ".join(
        f"[{json.dumps(name)}] = {json.dumps(value)}" for name, value in (headers or {}).items()
    )
    with tempfile.TemporaryDirectory(prefix="wrk-") as tmp:
        script, output = Path(tmp) / "script.lua", Path(tmp) / "output"
        script.write_text(
            SCRIPT % {"paths": lua_paths, "headers": lua_headers, "max_requests": max_requests}
        )
        command = [
            wrk_binary(), "--threads", "1", "--connections", str(concurrency),
            "--duration", f"{max(1, round(duration))}s", "--timeout", "30s",
            "--script", str(script), base_url,
        ]  # fmt: skip
        with output.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        # wait4 rather than wait: it answers the child's CPU time too. wrk ends by itself
        # after --duration; it is killed if it does not.
        try:
            _pid, status, usage = _wait4(process, timeout=duration + 40)
        finally:
            if process.returncode is None:
                process.kill()
        text = output.read_text()
    if status != 0:
        raise RuntimeError(f"wrk failed ({status}): {text[-2000:]}")
    line = next((x for x in text.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {text[-2000:]}")
    found = json.loads(line.removeprefix("RESULT "))
    seconds = found["duration_us"] / 1e6
    errors = found["status_errors"] + found["socket_errors"]
    ok = found["requests"] - found["status_errors"]
    result = LoadResult(
        concurrency=concurrency,
        requests=found["requests"],
        errors=errors,
        seconds=round(seconds, 3),
        rps=round(ok / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(found["p50_us"] / 1000, 2),
        p95_ms=round(found["p95_us"] / 1000, 2),
        p99_ms=round(found["p99_us"] / 1000, 2),
        mean_ms=round(found["mean_us"] / 1000, 2),
        max_ms=round(found["max_us"] / 1000, 2),
        bytes_per_response=(
            round(found["bytes"] / found["requests"], 1) if found["requests"] else None
        ),
        first_error=(
            f"{found['status_errors']} answers not 2xx/3xx, {found['socket_errors']} socket errors"
            if errors
            else None
        ),
    )
    return result, usage.ru_utime + usage.ru_stime


def _wait4(process: subprocess.Popen, timeout: float):
    """os.wait4 with a deadline: polls WNOHANG, kills the process past the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return pid, process.returncode, usage
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.05)
