"""What dfs_query_then_fetch and the facets' shard_size cost, and what they buy, on the
local OpenSearch node.

The first N ANT articles (default 10,000) are loaded twice through the opensearch
backend: into a version of 1 shard and into one of 3. Then 500 queries (ARCD
questions and ANT title beginnings, as bench/cluster.py) are sent to each with the
body the CLI sends (facets included), in each variant below, in turns (the order
rotates from query to query), after a warm-up pass:

  - the search type: query_then_fetch (the default) or dfs_query_then_fetch;
  - the facets' shard_size: the engine's default (1.5 x size + 10) or ours
    (facets.FACET_SHARD_SIZE).

It prints each variant's p50 and p99, and how its answer compares with the 1 shard
default's, which is exact: the queries whose first page of 10 (ids, and scores within
1e-4) differs, and those whose facets (the top 10 values of each field and their
counts) differ.

    .venv/bin/python bench/dfs.py [--docs N] [--queries Q]
"""

from __future__ import annotations

import argparse
import copy
import functools
import gzip
import itertools
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from timing import timed

from indexer.backends.cluster.backend import ClusterBackend, open_cluster
from indexer.backends.cluster.query import search_body
from indexer.backends.cluster.settings import ClusterSettings
from indexer.index.reindex import reindex
from indexer.search.facets import FACET_SHARD_SIZE, read_facets
from indexer.search.query import SearchRequest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests/integration"))
from local_node import LocalNode  # noqa: E402

SHARED = ROOT.parent / "shared/data"
ANT = SHARED / "ant-news/ant_v2.1_multisource.jsonl.gz"
ARCD_QUERIES = SHARED / "arcd/queries-train.jsonl"
TIE = 1e-4
Page = list[tuple[str, float]]


class Variant(NamedTuple):
    shards: int
    search_type: str
    facet_shard_size: int | None  # None: the engine's default

    def __str__(self) -> str:
        size = "default" if self.facet_shard_size is None else str(self.facet_shard_size)
        return f"{self.shards} shard(s)  {self.search_type:20}  facet shard_size {size:7}"


REFERENCE = Variant(1, "query_then_fetch", None)
VARIANTS = (
    REFERENCE,
    Variant(1, "dfs_query_then_fetch", None),
    Variant(1, "dfs_query_then_fetch", FACET_SHARD_SIZE),
    Variant(3, "query_then_fetch", FACET_SHARD_SIZE),
    Variant(3, "dfs_query_then_fetch", None),
    Variant(3, "dfs_query_then_fetch", FACET_SHARD_SIZE),
)


class Answer(NamedTuple):
    page: Page
    facets: dict[str, dict[str, int]]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def same_page(page: Page, reference: Page) -> bool:
    """The same ids in the same order with the same scores (relative TIE)."""
    if [i for i, _ in page] != [i for i, _ in reference]:
        return False
    pairs = zip(page, reference, strict=True)
    return all(abs(a - b) <= TIE * max(abs(a), abs(b)) for (_, a), (_, b) in pairs)


def with_facet_shard_size(body: dict[str, Any], size: int | None) -> dict[str, Any]:
    """The body with its facets' shard_size set, or left to the engine (None)."""
    body = copy.deepcopy(body)
    for aggregation in body.get("aggs", {}).values():
        aggregation["terms"].pop("shard_size", None)
        if size is not None:
            aggregation["terms"]["shard_size"] = size
    return body


def timed_search(
    backend: ClusterBackend, alias: str, body: dict[str, Any], search_type: str
) -> tuple[float, Answer]:
    """Milliseconds one search took, and its answer."""
    found: dict[str, Any] = {}
    ms = timed(lambda: found.update(backend.engine.search(alias, body, search_type))) * 1000
    page = [(hit["_id"], float(hit["_score"] or 0.0)) for hit in found["hits"]["hits"]]
    return ms, Answer(page, read_facets(found.get("aggregations", {})))


def queries(corpus: Path, docs: int, count: int) -> list[str]:
    """ARCD questions and the beginnings of the loaded articles' titles."""
    titles = []
    with corpus.open(encoding="utf-8") as f:
        for line in itertools.islice(f, 0, None, max(1, docs // (count // 2))):
            titles.append(" ".join(json.loads(line).get("title", "").split()[:4]))
    arcd = [json.loads(line)["text"] for line in ARCD_QUERIES.open(encoding="utf-8")]
    return [t for t in arcd[: count // 2] + titles if t.strip()][:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-dfs"))
    corpus = work / "ant.jsonl"
    with gzip.open(ANT, "rt", encoding="utf-8") as src, corpus.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(src, args.docs))
    bodies = [search_body(SearchRequest(query=t)) for t in queries(corpus, args.docs, args.queries)]

    node = LocalNode()
    url = node.start()
    try:
        backends: dict[int, ClusterBackend] = {}
        for shards in sorted({v.shards for v in VARIANTS}):
            settings = ClusterSettings(url=url, shards=shards, request_timeout=120.0)
            backends[shards] = open_cluster("opensearch", settings, work / "dead")
            load = functools.partial(reindex, backends[shards], [str(corpus)], f"dfs-{shards}")
            print(f"loaded {args.docs} articles into {shards} shard(s) in {timed(load):.1f} s")

        times: dict[Variant, list[float]] = {v: [] for v in VARIANTS}
        answers: dict[Variant, list[Answer]] = {v: [] for v in VARIANTS}
        sent = {v: [with_facet_shard_size(b, v.facet_shard_size) for b in bodies] for v in VARIANTS}
        for variant in VARIANTS:  # warm-up
            for body in sent[variant]:
                timed_search(backends[variant.shards], f"dfs-{variant.shards}", body, "")
        for number in range(len(bodies)):
            turn = number % len(VARIANTS)
            for variant in VARIANTS[turn:] + VARIANTS[:turn]:
                backend, alias = backends[variant.shards], f"dfs-{variant.shards}"
                took, answer = timed_search(
                    backend, alias, sent[variant][number], variant.search_type
                )
                times[variant].append(took)
                answers[variant].append(answer)

        version = backends[1].engine.server_version() or "?"
        print(f"{len(bodies)} queries with facets, OpenSearch {version}; unlike the exact answer")
        print("(1 shard, query_then_fetch): first pages of 10 (ids, scores), facets")
        for variant in VARIANTS:
            pairs = list(zip(answers[variant], answers[REFERENCE], strict=True))
            pages = sum(not same_page(a.page, r.page) for a, r in pairs)
            facets = sum(a.facets != r.facets for a, r in pairs)
            ms = times[variant]
            print(
                f"  {variant}  p50 {statistics.median(ms):6.2f} ms  p99 "
                f"{percentile(ms, 0.99):6.2f} ms  pages {pages:3}  facets {facets:3}"
            )
    finally:
        node.stop()


if __name__ == "__main__":
    main()
