"""The event worker's own HTTP: the kubelet's probes on PORT, its metrics on METRICS_PORT."""

import asyncio

import pytest

from project.bench.split import free_ports
from project.management.commands import run_events


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
