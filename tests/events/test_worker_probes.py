"""The event worker's own HTTP: the kubelet's probes on PORT, its metrics on METRICS_PORT."""

import asyncio
import signal
import subprocess
import sys
import time

import pytest

from project.bench.processes import wait_until_answering
from project.bench.split import BASE_DIR, free_ports
from project.management.commands import run_events
from tests.loopback import closed_port_url
from tests.processes import manage


async def get(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: pod\r\n\r\n".encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


@pytest.mark.parametrize("metrics_port", [True, False], ids=["metrics port", "no metrics port"])
def test_probes_and_metrics_each_on_their_port(monkeypatch, metrics_port):
    ports = free_ports(["probes", "metrics"])
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", str(ports["probes"]))
    if metrics_port:
        monkeypatch.setenv("METRICS_PORT", str(ports["metrics"]))
    else:
        monkeypatch.delenv("METRICS_PORT", raising=False)
    metrics_at = ports["metrics"] if metrics_port else ports["probes"]

    async def scenario() -> dict[str, bytes]:
        servers = await run_events._probe_servers()
        try:
            return {
                "healthz": await get(ports["probes"], "/healthz"),
                "readyz": await get(ports["probes"], "/readyz"),
                "metrics": await get(metrics_at, "/metrics"),
                "elsewhere": await get(ports["probes"], "/admin/"),
                "metrics on the probe port": await get(ports["probes"], "/metrics"),
            }
        finally:
            for server in servers:
                server.close()

    answers = asyncio.run(asyncio.wait_for(scenario(), timeout=30))

    assert answers["healthz"].startswith(b"HTTP/1.1 200 ")
    assert answers["readyz"].startswith(b"HTTP/1.1 200 ")
    assert answers["metrics"].startswith(b"HTTP/1.1 200 ")
    assert b"# TYPE events_published_total counter" in answers["metrics"]
    assert answers["elsewhere"].startswith(b"HTTP/1.1 404 ")
    on_probe_port = answers["metrics on the probe port"]
    assert on_probe_port.startswith(b"HTTP/1.1 404 " if metrics_port else b"HTTP/1.1 200 ")


def worker_env(tmp_path, **variables: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path / "data"),
        "HOST": "127.0.0.1",
        # Never reached: the portal's worker has nothing to do with them.
        "NATS_URL": closed_port_url().replace("http://", "nats://"),
        "COUNTRY_SERVICE_URL": closed_port_url(),
        "CURRENCY_SERVICE_URL": closed_port_url(),
        "LANGUAGE_SERVICE_URL": closed_port_url(),
        **variables,
    }


def test_a_worker_with_nothing_to_do_stays_up_and_healthy_under_its_probes(tmp_path):
    """The portal's worker Deployment after READ_MODEL=live: idle, not crash-looping."""
    port = free_ports(["probes"])["probes"]
    log = tmp_path / "worker.log"
    env = worker_env(tmp_path, SERVICE="portal", READ_MODEL="live", PORT=str(port))
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_events", "--health"],
            cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_answering(worker, "worker", f"http://127.0.0.1:{port}/readyz", log, 30)
        time.sleep(1)  # long enough to have exited, had it meant to
        assert worker.poll() is None
        healthy = asyncio.run(asyncio.wait_for(get(port, "/healthz"), timeout=10))
    finally:
        worker.send_signal(signal.SIGTERM)
        stopped_with = worker.wait(timeout=30)

    assert healthy.startswith(b"HTTP/1.1 200 ")
    assert stopped_with == 0
    assert "neither publishes nor reads events. Idle until stopped." in log.read_text()


def test_by_hand_a_worker_with_nothing_to_do_says_so_and_ends(tmp_path):
    env = worker_env(tmp_path, SERVICE="portal", READ_MODEL="live", SECRET_KEY="x")

    ended = manage(BASE_DIR, env, "run_events", timeout=60)

    assert ended.returncode == 1
    assert "SERVICE=portal with READ_MODEL=live neither publishes nor reads events." in ended.stderr
