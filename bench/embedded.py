"""Embedded backend: ingest docs/s against raw tantivy, and query latency.

Ingest, in one process, on the ANT articles (parsed once up front for the raw run):
  - ours: `reindex` from the .jsonl.gz file (parse, clean, analyze, index);
  - raw tantivy, its default tokenizer, the same parsed articles (title, lead, body
    stored and indexed), so only indexing;
  - raw tantivy with the same parse step in front (parse + index).
Same writer settings (256 MB heap, one indexing thread). Median of several runs.

Latency: 500+ queries (ARCD questions and ANT title beginnings) against the 31k
index, after one warm-up pass and with the parsed articles freed, each run through
SearchRequest: ranked only, with facets, and with facets and highlights; p50 and p99.

    .venv/bin/python bench/embedded.py [--runs R]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import tantivy

from indexer.articles import Article
from indexer.backends.embedded import WRITER_HEAP, EmbeddedBackend
from indexer.ingest import parse_paths
from indexer.query import SearchRequest
from indexer.reindex import reindex

SHARED = Path(__file__).resolve().parent.parent.parent / "shared/data"
ANT = SHARED / "ant-news/ant_v2.1_multisource.jsonl.gz"
ARCD_QUERIES = SHARED / "arcd/queries-train.jsonl"


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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def queries(articles: list[Article], count: int) -> list[str]:
    arcd = [json.loads(line)["text"] for line in ARCD_QUERIES.open(encoding="utf-8")]
    titles = [" ".join(a.title.split()[:4]) for a in articles[:: max(1, len(articles) // count)]]
    return (arcd[: count // 2] + titles)[:count]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    if not ANT.is_file():
        print(f"needs {ANT} (../shared beside the repository)", file=sys.stderr)
        return 2

    articles = parsed_articles()
    n = len(articles)
    ours, raw, raw_parse = [], [], []
    with tempfile.TemporaryDirectory() as home:
        backend = EmbeddedBackend(home)
        for _ in range(args.runs):
            ours.append(timed(lambda: reindex(backend, [str(ANT)], "articles")))
            raw.append(timed(lambda: raw_tantivy(articles)))
            raw_parse.append(timed(lambda: raw_tantivy(parsed_articles())))
        rates = {
            "ours: parse + analyze + index": n / statistics.median(ours),
            "raw tantivy: index only": n / statistics.median(raw),
            "raw tantivy: parse + index": n / statistics.median(raw_parse),
        }
        print(f"ingest, {n} ANT articles, {args.runs} runs, median, one indexing thread:")
        for name, rate in rates.items():
            print(f"  {name:32} {rate:7.0f} docs/s")
        ours_rate = rates["ours: parse + analyze + index"]
        for baseline in ("raw tantivy: index only", "raw tantivy: parse + index"):
            print(f"  ours / {baseline:25} {ours_rate / rates[baseline]:6.0%}")

        texts = queries(articles, args.queries)
        # A search service does not hold the parsed corpus: without this, Python's
        # garbage collector walks 30k articles during the searches.
        articles.clear()
        gc.collect()
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
