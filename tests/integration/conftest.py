"""The engines the integration tests run on.

Without ES_URL or OPENSEARCH_URL, every test runs on each local release in turn, one
node at a time, each started by the session (no Docker): OpenSearch 2.19.6 from
engine/ (Maven Central jars), Elasticsearch 8.19.21 and 9.5.3 from their test
distributions (engine/elasticsearch/). Where a Docker engine answers, the
Elasticsearch of docker-compose.yml runs them too. ES_URL set: only that Elasticsearch
cluster; OPENSEARCH_URL set: only that OpenSearch cluster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from elastic_node import ElasticNode
from local_node import LocalNode, healthy

from indexer.backends.cluster.backend import LOCK_INDEX, ClusterBackend, open_cluster
from indexer.backends.cluster.settings import ENV_PREFIX, ClusterSettings

ROOT = Path(__file__).resolve().parents[2]


class Node(Protocol):
    """A local node of one release: started on a free port, stopped, started again
    on its data."""

    def start(self) -> str: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class Release:
    """A release of an engine that the tests start locally, and what its build lacks."""

    engine: str  # "elasticsearch" or "opensearch"
    version: str
    missing: tuple[str, ...] = ()  # modules this build has not (named in skip reasons)

    @property
    def name(self) -> str:
        return f"{self.engine}-{self.version}"

    def node(self) -> Node:
        """A new node of this release, whose data outlives a stop and a start."""
        if self.engine == "opensearch":
            return LocalNode(data=Path(tempfile.mkdtemp(prefix="arabic-search-node-data")))
        return ElasticNode(self.version)


# Elasticsearch's test distribution has no reindex module (_reindex, server side).
LOCAL_RELEASES = (
    Release("opensearch", "2.19.6"),
    Release("elasticsearch", "8.19.21", missing=("reindex",)),
    Release("elasticsearch", "9.5.3", missing=("reindex",)),
)


@dataclass(frozen=True)
class Cluster:
    engine: str  # "elasticsearch" or "opensearch"
    url: str
    release: Release | None = None  # a local node: ours to set up, stop and start again

    @property
    def local(self) -> bool:
        return self.release is not None

    def local_release(self) -> Release:
        """The release of a local node; skip on a cluster the tests did not start."""
        if self.release is None:
            pytest.skip(f"needs a node the tests start and stop, not {self.url}")
        return self.release

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


def delete_alias(backend: ClusterBackend, alias: str) -> None:
    """Delete an alias's versions and lock by name: Elasticsearch 8+ refuses wildcard
    deletes (action.destructive_requires_name), and so does the local node."""
    for version in backend.engine.mappings(f"{alias}-*"):
        backend.engine.delete_index(version)
    backend.engine.delete_document(LOCK_INDEX, alias)
