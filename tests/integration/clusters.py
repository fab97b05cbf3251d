"""The engines the integration tests run on, as values: a release of an engine that
the tests start locally (Release), and a cluster to run on (Cluster). The fixtures that
give them are in conftest.py; test modules import these by name (`from clusters import
Cluster`), never conftest, which is not the only module of that name.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from elastic_node import ElasticNode
from local_node import LocalNode

from indexer.backends.cluster.backend import LOCK_INDEX, ClusterBackend, open_cluster
from indexer.backends.cluster.settings import ENV_PREFIX, ClusterSettings


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


def delete_alias(backend: ClusterBackend, alias: str) -> None:
    """Delete an alias's versions and lock by name: Elasticsearch 8+ refuses wildcard
    deletes (action.destructive_requires_name), and so does the local node."""
    for version in backend.engine.mappings(f"{alias}-*"):
        backend.engine.delete_index(version)
    backend.engine.delete_document(LOCK_INDEX, alias)
    backend.journal.trim(alias, backend.journal.last(alias) + 1)  # its update journal
