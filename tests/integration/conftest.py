"""The engines the integration tests run on.

Without ES_URL or OPENSEARCH_URL, every test runs on each local release in turn, one
node at a time, each started by the session (no Docker): OpenSearch 2.19.6 from
engine/ (Maven Central jars), Elasticsearch 8.19.21 and 9.5.3 from their test
distributions (engine/elasticsearch/). Where a Docker engine answers, the
Elasticsearch of docker-compose.yml runs them too. ES_URL set: only that Elasticsearch
cluster; OPENSEARCH_URL set: only that OpenSearch cluster.

The releases and the Cluster value are in clusters.py, which test modules import.

Apart from them, the tests marked cluster3 run on three local OpenSearch nodes, one
cluster (three_nodes), started once, when the first of them needs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clusters import LOCAL_RELEASES, Cluster, Release, delete_alias
from helpers import ROOT
from local_node import LocalCluster, healthy

from indexer.backends.cluster.backend import ClusterBackend


def _docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="session")
def docker_compose_file() -> Path:
    return ROOT / "docker-compose.yml"


def _engines() -> list[str | Release]:
    """What the tests run on: a cluster named in the environment, else every local
    release, and docker-compose's Elasticsearch where Docker runs."""
    if os.environ.get("ES_URL") or os.environ.get("OPENSEARCH_URL"):
        return ["external"]
    return [*LOCAL_RELEASES, *(["docker-compose"] if _docker_engine() else [])]


ENGINES = _engines()


# One node at a time: pytest groups the tests by this session fixture's parameter and
# stops one node before it starts the next.
@pytest.fixture(
    scope="session",
    params=ENGINES,
    ids=[e.name if isinstance(e, Release) else e for e in ENGINES],
)
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    engine: str | Release = request.param
    if isinstance(engine, Release):
        node = engine.node()
        try:
            yield Cluster(engine.engine, node.start(), engine)
        finally:
            node.stop()
    elif engine == "docker-compose":
        services = request.getfixturevalue("docker_services")
        ip = request.getfixturevalue("docker_ip")
        compose = f"http://{ip}:{services.port_for('elasticsearch', 9200)}"
        services.wait_until_responsive(check=lambda: healthy(compose), timeout=300.0, pause=2.0)
        yield Cluster("elasticsearch", compose)
    elif es_url := os.environ.get("ES_URL"):
        yield Cluster("elasticsearch", es_url)
    else:
        yield Cluster("opensearch", os.environ["OPENSEARCH_URL"])


@pytest.fixture
def backend(cluster: Cluster, tmp_path: Path) -> ClusterBackend:
    return cluster.backend(tmp_path / "dead")


@pytest.fixture
def alias(backend: ClusterBackend) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    delete_alias(backend, name)


@pytest.fixture(scope="session")
def three_nodes() -> Iterator[LocalCluster]:
    """Three OpenSearch nodes (local_node.LocalCluster: a JVM each, 512 MiB of heap),
    one cluster, for the session. A test may stop a node; it starts it again before
    it ends (test_three_nodes.py checks each test leaves all three running)."""
    if os.environ.get("ES_URL") or os.environ.get("OPENSEARCH_URL"):
        pytest.skip(
            "three_nodes: ES_URL or OPENSEARCH_URL names the one cluster to test; "
            "unset both to run the three local nodes"
        )
    nodes = LocalCluster()
    nodes.start()
    try:
        yield nodes
    finally:
        nodes.close()
