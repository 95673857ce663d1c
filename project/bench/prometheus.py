"""A Prometheus server on loopback that scrapes the services of a local topology, for the tests
and a developer watching `make split`: Debian's `prometheus` package (scripts/ensure-prometheus),
with its data under a directory of the caller's."""

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from project.bench.processes import stop_process, wait_until_answering


@dataclass
class LocalPrometheus:
    port: int
    data_dir: Path
    targets: Mapping[str, str]  # service -> "host:port" whose /metrics is scraped
    scrape_interval: str = "1s"
    host: str = "127.0.0.1"
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "prometheus.log"

    def _write_config(self) -> Path:
        # JSON is YAML: one job, each target labelled with the service it is.
        config = {
            "global": {
                "scrape_interval": self.scrape_interval,
                "scrape_timeout": self.scrape_interval,
            },
            "scrape_configs": [
                {
                    "job_name": "country-provider",
                    # The samples' own `service` label wins over the target's (which `up` has).
                    "honor_labels": True,
                    "static_configs": [
                        {"targets": [target], "labels": {"service": service}}
                        for service, target in self.targets.items()
                    ],
                }
            ],
        }
        path = self.data_dir / "prometheus.yml"
        path.write_text(json.dumps(config, indent=2))
        return path

    def start(self, timeout: float = 30) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("prometheus not found: run scripts/ensure-prometheus")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            binary,
            f"--config.file={self._write_config()}",
            f"--storage.tsdb.path={self.data_dir / 'data'}",
            f"--web.listen-address={self.host}:{self.port}",
            "--log.level=warn",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until_answering(
            self.process, "prometheus", f"{self.url}/-/ready", self.log_path, timeout
        )

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector `promql` evaluates to now: [{"metric": {...}, "value": [t, "v"]}]."""
        url = f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            body = json.load(answer)
        if body["status"] != "success":
            raise RuntimeError(f"{promql}: {body}")
        return body["data"]["result"]

    def stop(self) -> None:
        stop_process(self.process)
