"""The cluster backend on a real engine (the local OpenSearch node of engine/).

Node start: how long `LocalNode.start()` takes until the cluster is healthy.

Bulk load of the ANT articles into a fresh index with the generated mappings:
  - ours: `reindex()` through the opensearch backend, from the .jsonl.gz file (parse,
    clean, bulk in chunks of 500, checkpoints, settings restored, alias switch);
  - bare: opensearch-py's `helpers.streaming_bulk` of the same documents, parsed and
    turned into bulk actions before the clock starts, chunks of 500, into an index
    created with the same mappings and load settings, then one refresh.
The two take turns; median of several runs; ratio = bare time / ours.

Search: 500 queries (ARCD questions and ANT title beginnings) through the backend
(plan, body, request, response -> SearchResult) and through the bare client sending
the same body, each first half the time; p50 of each and the difference, after one
warm-up pass.

    .venv/bin/python bench/cluster.py [--runs R]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch, helpers
from timing import timed

from indexer.analysis.analyzers import default_analyzers
from indexer.backends.cluster.backend import LOAD_SETTINGS, open_cluster
from indexer.backends.cluster.bulk import document
from indexer.backends.cluster.query import search_body
from indexer.backends.cluster.settings import ClusterSettings
from indexer.index.mappings import index_body
from indexer.index.reindex import reindex
from indexer.ingest.articles import Article
from indexer.ingest.parse import parse_paths
from indexer.search.query import SearchRequest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests/integration"))
from local_node import LocalNode  # noqa: E402

SHARED = ROOT.parent / "shared/data"
ANT = SHARED / "ant-news/ant_v2.1_multisource.jsonl.gz"
ARCD_QUERIES = SHARED / "arcd/queries-train.jsonl"
CHUNK = 500


def bare_load(
    client: OpenSearch, index: str, body: dict[str, Any], actions: list[dict[str, Any]]
) -> None:
    settings = {**body["settings"], "index": {**body["settings"]["index"], **LOAD_SETTINGS}}
    client.indices.create(index=index, body={"settings": settings, "mappings": body["mappings"]})
    for ok, item in helpers.streaming_bulk(client, actions, chunk_size=CHUNK, max_retries=0):
        assert ok, item
    client.indices.refresh(index=index)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    starts = []
    for _ in range(args.runs):
        node = LocalNode()
        starts.append(timed(node.start))
        node.stop()
    print(f"node start: median {statistics.median(starts):.1f} s ({len(starts)} runs)")

    node = LocalNode()
    url = node.start()
    try:
        settings = ClusterSettings(url=url)
        with tempfile.TemporaryDirectory() as dead:
            backend = open_cluster("opensearch", settings, Path(dead))
            client = OpenSearch(url, timeout=120)
            articles = [o for o in parse_paths([str(ANT)]) if isinstance(o, Article)]
            body = index_body(default_analyzers())
            ours, bare = [], []
            for run in range(args.runs):
                ours.append(timed(lambda: reindex(backend, [str(ANT)], "bench")))
                name = f"bare-{run}"
                actions = [{"_index": name, "_id": a.id, "_source": document(a)} for a in articles]
                bare.append(timed(functools.partial(bare_load, client, name, body, actions)))
                client.indices.delete(index=name)
                print(f"run {run + 1}: ours {ours[-1]:.1f} s, bare {bare[-1]:.1f} s")
            ours_s, bare_s = statistics.median(ours), statistics.median(bare)
            docs = len(articles)
            print(
                f"bulk load, {docs} articles: ours {ours_s:.1f} s ({docs / ours_s:,.0f} docs/s), "
                f"bare streaming_bulk {bare_s:.1f} s ({docs / bare_s:,.0f} docs/s); "
                f"ours / bare speed {bare_s / ours_s:.2f}x"
            )

            arcd = [json.loads(line)["text"] for line in ARCD_QUERIES.open(encoding="utf-8")]
            titles = [" ".join(a.title.split()[:4]) for a in articles[:: len(articles) // 250]]
            texts = (arcd[:250] + titles)[:500]
            requests = [SearchRequest(query=t) for t in texts]
            bodies = [search_body(r) for r in requests]
            for r in requests:  # warm-up
                backend.search("bench", r)
            ours_ms, bare_ms = [], []
            for request, search in zip(requests, bodies, strict=True):
                ours_ms.append(timed(functools.partial(backend.search, "bench", request)) * 1000)
                bare_search = functools.partial(client.search, index="bench", body=search)
                bare_ms.append(timed(bare_search) * 1000)
            p50_ours, p50_bare = statistics.median(ours_ms), statistics.median(bare_ms)
            print(
                f"search, {len(requests)} queries: p50 ours {p50_ours:.2f} ms, bare client "
                f"{p50_bare:.2f} ms, overhead {p50_ours - p50_bare:.2f} ms; p99 ours "
                f"{percentile(ours_ms, 0.99):.2f} ms, bare {percentile(bare_ms, 0.99):.2f} ms"
            )
    finally:
        node.stop()


if __name__ == "__main__":
    main()
