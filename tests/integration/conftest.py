"""Where the integration tests find a real engine.

ES_URL set: that Elasticsearch cluster. OPENSEARCH_URL set: that OpenSearch cluster.
Else, where a Docker engine answers: pytest-docker starts docker-compose.yml
(Elasticsearch) and waits for it to be healthy. Else a local OpenSearch node from
engine/ (Maven Central jars, no Docker), started once for the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from local_node import LocalNode, healthy

from indexer.backends.cluster import LOCK_INDEX, ClusterBackend, open_cluster
from indexer.backends.cluster_settings import ENV_PREFIX, ClusterSettings

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Cluster:
    engine: str  # "elasticsearch" or "opensearch"
    url: str
    local: bool = False  # the local node of engine/, ours to set up as we like

    @property
    def env(self) -> dict[str, str]:
        """The environment that points the CLI at this cluster."""
        return {f"{ENV_PREFIX[self.engine]}URL": self.url, "ARABIC_SEARCH_BACKEND": self.engine}

    def settings(self, **overrides: object) -> ClusterSettings:
        return ClusterSettings.from_env(self.env, engine=self.engine, **overrides)

    def backend(self, dead_letters: Path, **overrides: object) -> ClusterBackend:
        return open_cluster(self.engine, self.settings(**overrides), dead_letters)


def _docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="session")
def docker_compose_file() -> Path:
    return ROOT / "docker-compose.yml"


@pytest.fixture(scope="session")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    if url := os.environ.get("ES_URL"):
        yield Cluster("elasticsearch", url)
    elif url := os.environ.get("OPENSEARCH_URL"):
        yield Cluster("opensearch", url)
    elif _docker_engine():
        services = request.getfixturevalue("docker_services")
        ip = request.getfixturevalue("docker_ip")
        url = f"http://{ip}:{services.port_for('elasticsearch', 9200)}"
        services.wait_until_responsive(check=lambda: healthy(url), timeout=300.0, pause=2.0)
        yield Cluster("elasticsearch", url)
    else:
        node = LocalNode()
        try:
            yield Cluster("opensearch", node.start(), local=True)
        finally:
            node.stop()


@pytest.fixture
def backend(cluster: Cluster, tmp_path: Path) -> ClusterBackend:
    return cluster.backend(tmp_path / "dead")


@pytest.fixture
def alias(backend: ClusterBackend) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    delete_alias(backend, name)


def delete_alias(backend: ClusterBackend, alias: str) -> None:
    """Delete an alias's versions and lock by name: Elasticsearch 8+ refuses wildcard
    deletes (action.destructive_requires_name), and so does the local node."""
    for version in backend.engine.mappings(f"{alias}-*"):
        backend.engine.delete_index(version)
    backend.engine.delete_document(LOCK_INDEX, alias)
