import pytest

from project.bench.nats import LocalNats
from project.bench.split import free_ports


@pytest.fixture
def nats_server(tmp_path):
    """A NATS server with JetStream of the test's own, on a free loopback port."""
    server = LocalNats(free_ports(["nats"])["nats"], tmp_path / "nats")
    server.start()
    yield server
    server.stop()
