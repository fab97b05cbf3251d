"""Embedded backend: ingest docs/s against raw tantivy, and query latency.

Ingest on the ANT articles, each run in a fresh process (as each `arabic-search
reindex` is; in one process, tantivy runs slow the ones after them by a sixth):
  - ours: `reindex` from the .jsonl.gz file (parse, clean, analyze, index);
  - raw tantivy, its default tokenizer, the same articles parsed before the clock
    starts (title, lead, body stored and indexed): indexing only;
  - raw tantivy with the same parse step in front (parse + index).
Same writer settings (256 MB heap, one indexing thread). The kinds take turns; median
of several runs.

Latency: 500+ queries (ARCD questions and ANT title beginnings) against the 31k
index the last run of ours built, after one warm-up pass, each run through
SearchRequest: ranked only, with facets, and with facets and highlights; p50 and p99.

    .venv/bin/python bench/embedded.py [--runs R]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tantivy
from timing import timed

from indexer.backends.embedded.backend import WRITER_HEAP, EmbeddedBackend
from indexer.index.reindex import reindex
from indexer.ingest.articles import Article
from indexer.ingest.parse import parse_paths
from indexer.search.query import SearchRequest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared/data"
ANT = SHARED / "ant-news/ant_v2.1_multisource.jsonl.gz"
ARCD_QUERIES = SHARED / "arcd/queries-train.jsonl"
KINDS = {
    "ours": "ours: parse + analyze + index",
    "raw index": "raw tantivy: index only",
    "raw parse": "raw tantivy: parse + index",
}


def raw_tantivy(articles: list[Article]) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for field in ("title", "lead", "body"):
        builder.add_text_field(field, stored=True)
    with tempfile.TemporaryDirectory() as path:
        index = tantivy.Index(builder.build(), path=path)
        writer = index.writer(WRITER_HEAP, 1)
        for a in articles:
            writer.add_document(
                tantivy.Document(id=a.id, title=a.title, lead=a.lead or "", body=a.body)
            )
        writer.commit()
        writer.wait_merging_threads()


def parsed_articles() -> list[Article]:
    return [o for o in parse_paths([str(ANT)]) if isinstance(o, Article)]


def queries(articles: list[Article], count: int) -> list[str]:
    arcd = [json.loads(line)["text"] for line in ARCD_QUERIES.open(encoding="utf-8")]
    titles = [" ".join(a.title.split()[:4]) for a in articles[:: max(1, len(articles) // count)]]
    return (arcd[: count // 2] + titles)[:count]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def one_run(kind: str, home: str) -> float:
    """Seconds for one ingest of `kind`, in this process."""
    if kind == "ours":
        return timed(lambda: reindex(EmbeddedBackend(home), [str(ANT)], "articles"))
    if kind == "raw index":
        articles = parsed_articles()
        return timed(lambda: raw_tantivy(articles))
    return timed(lambda: raw_tantivy(parsed_articles()))


def in_new_process(kind: str, home: str) -> float:
    command = [sys.executable, __file__, "--one", kind, "--home", home]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return float(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)  # a child run
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not ANT.is_file():
        print(f"needs {ANT} (../shared beside the repository)", file=sys.stderr)
        return 2
    if args.one:
        print(one_run(args.one, args.home))
        return 0

    articles = parsed_articles()
    n = len(articles)
    seconds: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as home:
        for _ in range(args.runs):
            for kind in KINDS:
                seconds[kind].append(in_new_process(kind, home))
        print(f"ingest, {n} ANT articles, {args.runs} runs, median, one indexing thread:")
        rates = {}
        for kind, name in KINDS.items():
            rates[kind] = n / statistics.median(seconds[kind])
            each = ", ".join(f"{s:.1f}" for s in seconds[kind])
            print(f"  {name:32} {rates[kind]:7.0f} docs/s   (runs: {each} s)")
        for kind in ("raw index", "raw parse"):
            print(f"  ours / {KINDS[kind]:25} {rates['ours'] / rates[kind]:6.0%}")

        texts = queries(articles, args.queries)
        articles.clear()  # a search service does not hold the parsed corpus
        gc.collect()
        backend = EmbeddedBackend(home)
        for text in texts:  # warm-up: searcher, caches, the facet thread
            backend.search("articles", SearchRequest(query=text))
        for facets, highlight in ((False, False), (True, False), (True, True)):
            latencies = []
            for text in texts:
                request = SearchRequest(query=text, facets=facets, highlight=highlight)
                start = time.perf_counter()
                backend.search("articles", request)
                latencies.append((time.perf_counter() - start) * 1000)
            print(
                f"query latency, {len(texts)} queries, facets {'on ' if facets else 'off'}, "
                f"highlight {'on ' if highlight else 'off'}: p50 {percentile(latencies, 50):.2f} "
                f"ms, p99 {percentile(latencies, 99):.2f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
