"""Where the integration tests find Elasticsearch.

ES_URL set: that cluster. Else, where a Docker engine answers: pytest-docker starts
docker-compose.yml and waits for it to be healthy. Else the tests skip and say why
(no Elasticsearch server can run on the project's own machines).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(
            f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=5
        ) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def docker_compose_file() -> Path:
    return ROOT / "docker-compose.yml"


@pytest.fixture(scope="session")
def es_url(request: pytest.FixtureRequest) -> str:
    if url := os.environ.get("ES_URL"):
        return url
    if not _docker_engine():
        pytest.skip(
            "no Elasticsearch: set ES_URL to a cluster, or run where a Docker engine can "
            "start docker-compose.yml (this machine has none)"
        )
    services = request.getfixturevalue("docker_services")
    url = (
        f"http://{request.getfixturevalue('docker_ip')}:{services.port_for('elasticsearch', 9200)}"
    )
    services.wait_until_responsive(check=lambda: _healthy(url), timeout=300.0, pause=2.0)
    return url
