"""Parse + clean throughput on the ANT JSON Lines, and peak memory at 10k vs 31k articles.

Throughput: `parse_paths` (read, decode, JSON, field mapping, cleaning, dates, ids,
fingerprints, duplicates) over the decompressed JSON Lines file, against a baseline
in the same process that only reads the lines and calls json.loads (the floor of
any JSON Lines reader). Several runs, median, ratio. Then the same from the .gz file.

Memory: one fresh process per size parses the first N records of the .gz file and
reports its peak RSS; flat memory means the two peaks are about the same.

    .venv/bin/python bench/parse.py [--runs R]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from indexer.ingest.parse import ParseReport, parse_paths

ANT = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/ant-news/ant_v2.1_multisource.jsonl.gz"
)


def parse_all(path: Path, limit: int | None = None) -> ParseReport:
    report = ParseReport()
    for outcome in itertools.islice(parse_paths([str(path)]), limit):
        report.add(outcome)
    return report


def json_only(path: Path) -> int:
    count = 0
    with open(path, "rb") as f:
        for line in f:
            json.loads(line)
            count += 1
    return count


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb(limit: int) -> float:
    """Peak RSS of a fresh process that parses the first `limit` records."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-worker", str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-worker", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not ANT.is_file():
        print(f"needs {ANT} (../shared beside the repository)", file=sys.stderr)
        return 2
    if args.memory_worker is not None:
        parse_all(ANT, args.memory_worker)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "ant.jsonl"
        with gzip.open(ANT, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        docs = json_only(plain)
        report = parse_all(plain)
        assert report.adds_up() and report.read == docs
        baseline = median_seconds(lambda: json_only(plain), args.runs)
        ours = median_seconds(lambda: parse_all(plain), args.runs)
    from_gz = median_seconds(lambda: parse_all(ANT), args.runs)

    print(f"{docs} ANT articles, {args.runs} runs, median, one core:")
    print(f"  json.loads only (baseline)   {docs / baseline:8.0f} docs/s")
    ratio = baseline / ours
    print(f"  parse + clean (.jsonl)       {docs / ours:8.0f} docs/s   {ratio:.2f}x baseline")
    print(f"  parse + clean (.jsonl.gz)    {docs / from_gz:8.0f} docs/s")
    print(f"  {report.summary()}")
    small, full = peak_rss_mb(10_000), peak_rss_mb(docs)
    print(f"peak RSS: 10,000 articles {small:.0f} MB, {docs:,} articles {full:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
