"""How cost grows with the corpus: reindex, disk, memory, search and status at several
sizes, on the embedded backend and on a local OpenSearch node (engine/).

The corpora are made by the seeded generator of bench/synthetic.py from the ANT
articles (sentences recombined, titles spliced, ids and dates new, rare words renewed
at Heaps' rate); the script first prints how far their term statistics are from the
ANT articles'. The first n articles are the same for any run with the same seed, so
the sizes are prefixes of one corpus.

At each size, on each backend:
  - reindex: `arabic-search reindex FILE --json` as a fresh process, from the
    generated .jsonl: wall time, documents a second, the process's CPU time (on a
    cluster, the client's share) and peak RSS; the duplicates it reports (0 expected);
    on the node, after another corpus warmed it up;
  - disk: the embedded home's bytes; the index's store on the node (after a flush);
  - the node's heap: used after the load and searches, and the old generation's peak
    (`_nodes/stats/jvm`; a fresh node per size, so the peak is this size's and the
    warm-up's);
  - search: `--queries` queries made of the first 4 words of ANT titles (a seeded
    draw), through the backend in this process, after one warm-up pass: ranked only;
    with facets; with facets and highlights; p50 and p99;
  - status: the backend's `status()` in this process, median of 5;
  - with --from-index, last: `reindex --from-index` of that version on the node.
One run per size. Then one table per backend, and each figure's growth: the slope of a
least-squares fit of log(figure) against log(size) (1.0: linear), and for the
embedded backend the size where each search p99 passes 50 ms by that fit.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,300000] [--big]
        [--backends embedded,opensearch] [--heap 1g] [--from-index] [--work DIR] [--seed 1]
    .venv/bin/python bench/scale.py --sizes 2000,5000     # a quick try

--work keeps the corpora there (and reuses them); without it they go to a temporary
folder, removed at the end.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from synthetic import Generator, Pool, TermStatistics, fit_exponent, term_statistics
from timing import timed

from indexer.backends import Backend
from indexer.backends.cluster.backend import open_cluster
from indexer.backends.cluster.settings import ClusterSettings
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.ingest.articles import Article
from indexer.ingest.parse import parse_paths
from indexer.search.query import SearchRequest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests/integration"))
SHARED = ROOT.parent / "shared/data"
ANT = SHARED / "ant-news/ant_v2.1_multisource.jsonl.gz"
CLI = Path(sys.executable).parent / "arabic-search"
ALIAS = "scale"
SIZES = (10_000, 100_000, 300_000)
BIG = 1_000_000
LIMIT_MS = 50.0  # the search p99 the capacity model asks about (docs/operating.md)
MODES = {"ranked": (False, False), "facets": (True, False), "facets+hl": (True, True)}
MB = 1024 * 1024
WARM_UP = 3000  # articles loaded into a fresh node before the measured load


@dataclass
class Row:
    """One size's figures on one backend (None: not measured on this backend)."""

    size: int
    reindex_s: float
    cpu_s: float  # of the reindex process (user + system); on a cluster, the client's
    indexed: int
    duplicates: int
    disk_mb: float
    rss_mb: float
    heap_used_mb: float | None = None
    heap_peak_mb: float | None = None
    p50: dict[str, float] = field(default_factory=dict)
    p99: dict[str, float] = field(default_factory=dict)
    status_ms: float = 0.0
    from_index_s: float | None = None  # reindex --from-index of the same version

    @property
    def docs_per_s(self) -> float:
        return self.indexed / self.reindex_s

    def figures(self) -> dict[str, float | None]:
        """The columns of the table, by name, in order."""
        out: dict[str, float | None] = {
            "reindex s": self.reindex_s,
            "docs/s": self.docs_per_s,
            "CPU s": self.cpu_s,
            "disk MB": self.disk_mb,
            "RSS MB": self.rss_mb,
            "heap MB": self.heap_used_mb,
            "old peak": self.heap_peak_mb,
        }
        for mode in MODES:
            out[f"{mode} p50"] = self.p50[mode]
            out[f"{mode} p99"] = self.p99[mode]
        out["status ms"] = self.status_ms
        out["from-index s"] = self.from_index_s
        return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def write_corpus(pool: Pool, seed: int, size: int, path: Path) -> None:
    """The first `size` articles of `seed` to `path`, unless a run made it before
    (written under another name, then renamed: a file there is complete)."""
    if path.exists():
        return
    part = path.with_suffix(".part")
    with part.open("wb") as out:
        for record in Generator(pool, seed).articles(size):
            out.write(orjson.dumps(record) + b"\n")
    part.rename(path)


# Runs the command given and writes its peak RSS (KiB) and CPU seconds (user + system)
# to the file given first. The
# reindex runs under this small process, not straight from this one: Linux counts the
# memory of the process that forked a child into the child's peak RSS (a fork copies
# it; exec keeps its high-water mark), and this one holds the generator's pool.
MEASURED = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(code)
"""


@dataclass(frozen=True)
class Run:
    """One `arabic-search reindex` process: wall time, CPU time, peak RSS, --json report."""

    seconds: float
    cpu_s: float
    rss_mb: float
    report: dict[str, Any]


def run_reindex(path: Path, env: dict[str, str], *options: str, alias: str = ALIAS) -> Run:
    """`arabic-search reindex PATH --json` in a fresh process. Its stderr (the
    progress bar) goes to a file beside PATH. With --from-index among the options,
    PATH only names that file."""
    inputs = [] if "--from-index" in options else [str(path)]
    command = [str(CLI), "reindex", *inputs, "--alias", alias, "--json", *options]
    log, peak = path.with_suffix(".log"), path.with_suffix(".rss")
    with log.open("wb") as err:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEASURED, str(peak), *command],
            stdout=subprocess.PIPE,
            stderr=err,
            env={**os.environ, **env},
            check=False,
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {tail}")
    rss_kb, cpu_s = peak.read_text().split()
    return Run(seconds, float(cpu_s), int(rss_kb) / 1024, json.loads(done.stdout))


def latencies(backend: Backend, queries: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """p50 and p99 in ms of each mode, after one warm-up pass."""
    for text in queries:
        backend.search(ALIAS, SearchRequest(query=text))
    p50, p99 = {}, {}
    for mode, (facets, highlight) in MODES.items():
        ms = []
        for text in queries:
            request = SearchRequest(query=text, facets=facets, highlight=highlight)
            ms.append(timed(functools.partial(backend.search, ALIAS, request)) * 1000)
        p50[mode], p99[mode] = percentile(ms, 50), percentile(ms, 99)
    return p50, p99


def status_ms(backend: Backend) -> float:
    return statistics.median(timed(lambda: backend.status(ALIAS)) * 1000 for _ in range(5))


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MB


def measure_embedded(size: int, corpus: Path, work: Path, queries: list[str]) -> Row:
    home = work / f"embedded-{size}"
    run = run_reindex(corpus, {}, "--backend", "embedded", "--home", str(home))
    backend = EmbeddedBackend(str(home))
    p50, p99 = latencies(backend, queries)
    row = Row(
        size,
        run.seconds,
        run.cpu_s,
        run.report["indexed"],
        run.report["duplicates"],
        folder_mb(home),
        run.rss_mb,
        p50=p50,
        p99=p99,
        status_ms=status_ms(backend),
    )
    shutil.rmtree(home)
    return row


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.load(response)


def delete(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=120).close()


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=600).close()


def measure_opensearch(
    size: int, corpus: Path, work: Path, queries: list[str], from_index: bool = False
) -> Row:
    from local_node import LocalNode

    data = work / f"node-{size}"
    node = LocalNode(data=data)
    url = node.start()
    try:
        # A fresh node's first load runs before its JIT has compiled the analysis: warm
        # it with another corpus first, then drop that one, so each size's rate is the
        # node's steady one.
        env = {"OPENSEARCH_URL": url}
        run_reindex(work / "warm-up.jsonl", env, "--backend", "opensearch", alias="warm-up")
        for index in get(f"{url}/_alias/warm-up"):
            delete(f"{url}/{index}")
        run = run_reindex(corpus, env, "--backend", "opensearch")
        post(f"{url}/{ALIAS}/_flush")
        store = get(f"{url}/{ALIAS}/_stats/store")["_all"]["primaries"]["store"]
        with tempfile.TemporaryDirectory() as dead:
            backend = open_cluster("opensearch", ClusterSettings(url=url), Path(dead))
            p50, p99 = latencies(backend, queries)
            took_status = status_ms(backend)
        (jvm,) = [n["jvm"]["mem"] for n in get(f"{url}/_nodes/stats/jvm")["nodes"].values()]
        rebuilt = None
        if from_index:  # last: it leaves two versions on the node
            again = run_reindex(corpus, env, "--backend", "opensearch", "--from-index")
            assert again.report["indexed"] == run.report["indexed"], again
            rebuilt = again.seconds
        return Row(
            size,
            run.seconds,
            run.cpu_s,
            run.report["indexed"],
            run.report["duplicates"],
            store["size_in_bytes"] / MB,
            run.rss_mb,
            heap_used_mb=jvm["heap_used_in_bytes"] / MB,
            heap_peak_mb=jvm["pools"]["old"]["peak_used_in_bytes"] / MB,
            p50=p50,
            p99=p99,
            status_ms=took_status,
            from_index_s=rebuilt,
        )
    finally:
        node.stop()
        shutil.rmtree(data, ignore_errors=True)


MEASURE: dict[str, Callable[[int, Path, Path, list[str]], Row]] = {
    "embedded": measure_embedded,
    "opensearch": measure_opensearch,
}


def cell(value: float) -> str:
    return f"{value:>10.0f}" if value >= 100 else f"{value:>10.2f}"


def print_table(name: str, rows: list[Row]) -> None:
    """The figures by size, the growth exponent of each, and (embedded) where each
    search p99 passes LIMIT_MS."""
    table = [
        {k: v for k, v in row.figures().items() if v is not None} for row in rows
    ]  # the node's figures are None on the embedded backend
    columns = list(table[0])
    print(f"\n{name}: one run a size")
    print(f"{'size':>9} " + " ".join(f"{c:>10}" for c in columns) + "   dup")
    for row, values in zip(rows, table, strict=True):
        cells = " ".join(cell(values[c]) for c in columns)
        print(f"{row.size:>9,} {cells}   {row.duplicates}")
    if len(rows) < 2:
        return
    sizes = [float(r.size) for r in rows]
    slopes = [fit_exponent(sizes, [max(v[c], 1e-6) for v in table])[0] for c in columns]
    print(f"{'growth':>9} " + " ".join(f"{s:>10.2f}" for s in slopes))
    if name != "embedded":
        return
    for mode in MODES:
        slope, intercept = fit_exponent(sizes, [r.p99[mode] for r in rows])
        if rows[-1].p99[mode] >= LIMIT_MS:
            past = next(r.size for r in rows if r.p99[mode] >= LIMIT_MS)
            print(f"  {mode} p99 passes {LIMIT_MS:.0f} ms by {past:,} articles (measured)")
        elif slope > 0:
            at = (LIMIT_MS / math.exp(intercept)) ** (1 / slope)
            print(
                f"  {mode} p99 would pass {LIMIT_MS:.0f} ms at about {at:,.0f} articles "
                f"(extrapolated, exponent {slope:.2f})"
            )
        else:
            print(f"  {mode} p99 does not grow with the size here (exponent {slope:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--big", action="store_true", help=f"also {BIG:,} articles")
    parser.add_argument("--backends", default=",".join(MEASURE))
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heap", default="1g", help="the OpenSearch node's heap")
    parser.add_argument(
        "--stats-docs", type=int, default=100_000, help="term statistics cap (0: none)"
    )
    parser.add_argument(
        "--from-index", action="store_true", help="also time reindex --from-index on the node"
    )
    parser.add_argument("--work", help="where corpora and indexes go (default: a temporary one)")
    args = parser.parse_args()
    if not ANT.is_file():
        print(f"needs {ANT} (../shared beside the repository)", file=sys.stderr)
        return 2
    sizes = sorted({int(s) for s in args.sizes.split(",")} | ({BIG} if args.big else set()))
    backends = args.backends.split(",")
    measure = {**MEASURE}
    if args.from_index:
        measure["opensearch"] = functools.partial(measure_opensearch, from_index=True)
    os.environ["ARABIC_SEARCH_NODE_HEAP"] = args.heap  # read by local_node when imported

    articles = [o for o in parse_paths([str(ANT)]) if isinstance(o, Article)]
    pool = Pool(articles)
    titles = random.Random(args.seed).sample([a.title for a in articles], args.queries)
    queries = [" ".join(t.split()[:4]) for t in titles]
    del articles
    # The pool is millions of objects: out of the collector's way, or its full passes
    # land in the search timings (a search service does not hold them).
    gc.collect()
    gc.freeze()

    work = Path(args.work or tempfile.mkdtemp(prefix="arabic-search-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpora = {}
        for size in sizes:
            corpora[size] = work / f"corpus-s{args.seed}-{size}.jsonl"
            took = timed(functools.partial(write_corpus, pool, args.seed, size, corpora[size]))
            print(f"generated {size:,} articles in {took:.0f} s", file=sys.stderr)
        print(f"term statistics (seed {args.seed}): the ANT articles, then the generated ones")
        print(f"  {'':10}{TermStatistics.HEADER}")
        print(f"  {'ANT':10}{pool.statistics.row()}")
        for n in sorted(
            {min(pool.size, sizes[-1], args.stats_docs), min(sizes[-1], args.stats_docs)} - {0}
        ):
            with corpora[sizes[-1]].open("rb") as lines:
                records = map(orjson.loads, itertools.islice(lines, n))
                stats = term_statistics(f"{r['title']}\n{r['text']}" for r in records)
            print(f"  {'generated':10}{stats.row()}")
        if "opensearch" in backends:
            write_corpus(pool, args.seed + 1, WARM_UP, work / "warm-up.jsonl")
        for name in backends:
            rows = []
            for size in sizes:
                rows.append(measure[name](size, corpora[size], work, queries))
                print(f"{name} {size:,}: {rows[-1].figures()}", file=sys.stderr)
            print_table(name, rows)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
