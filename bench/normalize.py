"""Normalization throughput: our one-pass table versus a chain of pyarabic calls.

Both run over the same ANT news articles (title + body, one call per article, as
the indexer calls it) in the same process, alternating, several runs each; prints
the median MB/s (UTF-8 bytes of input) of each and their ratio.

    .venv/bin/python bench/normalize.py [--docs N] [--runs R]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarabic.araby as araby

from indexer.analysis.normalize import Normalizer

ANT = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/ant-news/ant_v2.1_multisource.jsonl.gz"
)


def pyarabic_chain(text: str) -> str:
    text = araby.strip_tashkeel(text)
    text = araby.strip_tatweel(text)
    text = araby.normalize_ligature(text)
    text = araby.normalize_hamza(text, method="tasheel")
    normalized: str = araby.normalize_teh(text)  # pyarabic has no types
    return normalized


def load_articles(limit: int | None) -> list[str]:
    texts = []
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            texts.append(f"{doc['title']}\n{doc['text']}")
            if limit and len(texts) >= limit:
                break
    return texts


def time_once(fn: Callable[[str], str], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        fn(text)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=None, help="articles to use (default all)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not ANT.is_file():
        print(f"needs {ANT} (../shared beside the repository)", file=sys.stderr)
        return 2
    texts = load_articles(args.docs)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    ours = Normalizer().normalize
    timings: dict[str, list[float]] = {"one-pass table": [], "pyarabic chain": []}
    for _ in range(args.runs):
        timings["one-pass table"].append(time_once(ours, texts))
        timings["pyarabic chain"].append(time_once(pyarabic_chain, texts))
    print(f"{len(texts)} articles, {megabytes:.1f} MB, {args.runs} runs, median:")
    rates = {name: megabytes / statistics.median(t) for name, t in timings.items()}
    for name, rate in rates.items():
        print(f"  {name:16} {rate:8.1f} MB/s")
    print(f"  ratio            {rates['one-pass table'] / rates['pyarabic chain']:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
