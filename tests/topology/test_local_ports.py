"""The local runners never let one server answer for another: ports are distinct, and a service
whose port is taken fails at start instead of leaving the old listener to answer its checks."""

import socket

import pytest

from project.bench.split import LocalSplit, free_ports


def test_free_ports_are_distinct_even_when_many_are_asked_at_once():
    ports = free_ports(f"service-{n}" for n in range(50))

    assert len(set(ports.values())) == 50


def test_a_service_whose_port_is_taken_fails_at_start_naming_the_port(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        split = LocalSplit(ports={"portal": port}, data_dir=tmp_path)

        with pytest.raises(RuntimeError, match=f"127.0.0.1:{port} is already in use"):
            split.start("portal")

    assert split.processes == {}
