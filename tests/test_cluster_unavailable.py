"""A cluster that has lost part of itself (a node stopped, a shard with no copy left)
answers a search in part, or fails it with 503, or with 500 when the node went during
the request. Each is a search that cannot answer now: exit 3 in one line that says so,
never a short answer given as whole. (tests/integration/test_three_nodes.py stops real
nodes; these script the answers they give, which come only in a race there.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_es import FakeCluster
from helpers import FIXTURES

from indexer.backends import BackendUnavailable
from indexer.backends.cluster.backend import ClusterBackend
from indexer.backends.cluster.engines import ElasticsearchEngine, OpenSearchEngine
from indexer.backends.cluster.settings import ClusterSettings
from indexer.errors import EXIT_UNAVAILABLE
from indexer.index.reindex import reindex
from indexer.search.query import SearchRequest

VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles


def backend_for(cluster: FakeCluster, tmp_path: Path, engine: str) -> ClusterBackend:
    settings = ClusterSettings(url="http://fake:9200", initial_backoff=0.0, max_retries=1)
    if engine == "opensearch":
        client: Any = OpenSearchEngine(settings, client=cluster.opensearch_client())
    else:
        client = ElasticsearchEngine(settings, client=cluster.client())
    return ClusterBackend(client, settings, tmp_path / "dead", sleep=lambda seconds: None)


def search_fails(backend: ClusterBackend) -> str:
    with pytest.raises(BackendUnavailable) as failure:
        backend.search("articles", SearchRequest(query="القاهرة"))
    assert failure.value.exit_code == EXIT_UNAVAILABLE
    message = str(failure.value)
    assert "\n" not in message
    return message


LOST = {"type": "no_shard_available_action_exception", "reason": "[node-2] shard 1"}


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
@pytest.mark.parametrize(
    ("shards", "why"),
    [
        # A shard whose only copy was on a stopped node: in no count but the total, and
        # no failure to say why (what OpenSearch 2.19 answered on three nodes).
        ({"total": 3, "successful": 2, "skipped": 0, "failed": 0}, "no copy on any node"),
        # A shard that failed: counted, with its reason.
        (
            {"total": 3, "successful": 2, "skipped": 0, "failed": 1,
             "failures": [{"shard": 1, "index": "x", "reason": LOST}]},
            "no_shard_available_action_exception: [node-2] shard 1",
        ),
    ],
)  # fmt: skip
def test_an_answer_from_some_shards_only_is_refused(
    engine: str, shards: dict[str, Any], why: str, tmp_path: Path
) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, engine)
    reindex(backend, [VARIANTS], "articles")
    hits = {"total": {"value": 4, "relation": "eq"}, "hits": []}
    cluster.search_response = {"_shards": shards, "hits": hits}
    message = search_fails(backend)
    assert f"from 2 of 3 shards ({why})" in message
    assert "the answer would miss articles" in message and "arabic-search status" in message


def test_shards_skipped_by_the_engine_are_no_missing_ones(tmp_path: Path) -> None:
    """A shard the engine skips (no document can match there) took part."""
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, "opensearch")
    reindex(backend, [VARIANTS], "articles")
    shards = {"total": 3, "successful": 1, "skipped": 2, "failed": 0}
    hits = {"total": {"value": 0, "relation": "eq"}, "hits": []}
    cluster.search_response = {"_shards": shards, "hits": hits}
    assert backend.search("articles", SearchRequest(query="القاهرة")).total == 0


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_a_search_failing_as_a_node_goes_is_unavailable_and_says_why(
    engine: str, tmp_path: Path
) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, engine)
    reindex(backend, [VARIANTS], "articles")
    # What OpenSearch 2.19 answered when a node stopped during a search's fetch phase.
    cluster.failure_body = {
        "error": {"root_cause": [], "type": "search_phase_execution_exception", "reason": "",
                  "phase": "fetch", "grouped": True, "failed_shards": [],
                  "caused_by": {"type": "node_not_connected_exception",
                                "reason": "[node-1][127.0.0.1:60187] Node not connected"}},
        "status": 500,
    }  # fmt: skip
    cluster.request_failures = [500]
    message = search_fails(backend)
    assert "part of the cluster is unavailable" in message
    assert "node_not_connected_exception: [node-1][127.0.0.1:60187] Node not connected" in message


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_a_503_is_unavailable(engine: str, tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, engine)
    reindex(backend, [VARIANTS], "articles")
    cluster.failure_body = {
        "error": {"type": "search_phase_execution_exception", "reason": "all shards failed",
                  "root_cause": [{"type": "no_shard_available_action_exception",
                                  "reason": "No shard available"}]},
        "status": 503,
    }  # fmt: skip
    cluster.request_failures = [503] * 5  # the client's own retries get it again
    message = search_fails(backend)
    assert "no_shard_available_action_exception: No shard available" in message
