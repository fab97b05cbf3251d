"""Each C loop (indexer/_scan.c) against its pure-Python reference (indexer/_scan_py.py).

Function by function, on the ANT articles and as the code calls them: `tidiness` on
every field of every record, `collapse` on the fields cleaning rebuilds, `fold` on the
cleaned title and body (the fingerprint's and the index's normalization), `unquote` on
the urls with a % escape, `join_terms` on the normalized title and body with the chunk
memory a reindex has built. Then the whole parse (`parse_paths` over the decompressed
JSON Lines, as bench/parse.py runs it) with all the C, and with one loop at a time in
Python. The variants take turns in the same process; several runs, median, ratio.

    .venv/bin/python bench/scan.py [--docs N] [--runs R] [--parse-runs R] [--only LOOP ...]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import itertools
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from timing import timed

from indexer import _scan, _scan_py
from indexer.analysis import normalize
from indexer.analysis.analyzers import IndexTerms, default_analyzers
from indexer.analysis.normalize import default_normalizer
from indexer.analysis.tokenizer import MAX_TOKEN_LENGTH, is_plain
from indexer.ingest import articles, cleaning
from indexer.ingest.cleaning import _changed, _cleaner, scan
from indexer.ingest.parse import ParseReport, parse_paths

ANT = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/ant-news/ant_v2.1_multisource.jsonl.gz"
)
LINE_FIELDS = ("title", "author", "cat", "src", "url", "time")
TEXT_FIELDS = ("text", "abstract")
IMPLEMENTATIONS: dict[str, ModuleType] = {"C": _scan, "Python": _scan_py}


def load_records(limit: int | None) -> list[dict[str, Any]]:
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, limit)]


def call_patterns(records: list[dict[str, Any]]) -> dict[str, Callable[[ModuleType], object]]:
    """For each loop, a function that makes the calls the code makes, through a module."""
    flags = _cleaner().flags
    fields = [
        (value, name in TEXT_FIELDS)
        for record in records
        for name in (*LINE_FIELDS, *TEXT_FIELDS)
        if isinstance(value := record.get(name), str) and value
    ]
    rebuilt = []  # what collapse gets: the fields cleaning does not keep as they are
    for value, multiline in fields:
        scanned = scan(value, multiline)
        if not scanned.tidy:
            text = _changed(scanned.text) if scanned.characters else scanned.text
            rebuilt.append((text, multiline))
    cleaned = [
        text
        for record in records
        for text in (cleaning.clean_line(record["title"]), cleaning.clean_text(record["text"]))
    ]
    urls = [record["url"] for record in records if "%" in record.get("url", "")]
    normalizer = default_normalizer()
    table, pairs = normalizer._lut16_bytes, normalizer._pair_codes
    normalized = [n for text in cleaned if is_plain(n := normalizer.normalize(text))]
    analyzers = default_analyzers()
    index_terms = IndexTerms(tuple(analyzers[name] for name in ("text", "exact", "grams")))
    for text in cleaned:
        index_terms(text)  # the memory of chunks a reindex builds
    memory = index_terms._chunks

    def learn(chunk: str) -> str:
        raise AssertionError(f"a chunk not in the memory: {chunk!r}")

    return {
        f"tidiness ({len(fields)} fields)": lambda m: [
            m.tidiness(text, flags, multiline) for text, multiline in fields
        ],
        f"collapse ({len(rebuilt)} fields)": lambda m: [
            m.collapse(text, flags, multiline) for text, multiline in rebuilt
        ],
        f"fold ({len(cleaned)} texts)": lambda m: [
            m.fold(text, table, 0xFFFFFFFD, pairs) for text in cleaned
        ],
        f"unquote ({len(urls)} urls)": lambda m: [m.unquote(url) for url in urls],
        f"join_terms ({len(normalized)} texts)": lambda m: [
            m.join_terms(text, memory, 3, MAX_TOKEN_LENGTH, learn) for text in normalized
        ],
    }


def parse_all(path: Path) -> ParseReport:
    report = ParseReport()
    for outcome in parse_paths([str(path)]):
        report.add(outcome)
    return report


# The loops the parse calls, and where: (module, attribute) per loop name.
PARSE_LOOPS = {
    "tidiness": [(cleaning, "tidiness")],
    "collapse": [(cleaning, "collapse")],
    "unquote": [(articles, "unquote")],
    "fold": [(normalize, "fold")],
}


def parse_timed(path: Path, in_python: str | None) -> float:
    """One parse of `path`, with the loop `in_python` (if any) in Python, the rest in C."""
    patched = PARSE_LOOPS.get(in_python or "", [])
    saved = [getattr(module, name) for module, name in patched]
    for module, name in patched:
        setattr(module, name, getattr(_scan_py, name))
    try:
        return timed(lambda: parse_all(path))
    finally:
        for (module, name), value in zip(patched, saved, strict=True):
            setattr(module, name, value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=None, help="articles to use (default all)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parse-runs", type=int, default=5, help="0: no whole parse")
    parser.add_argument("--only", nargs="*", choices=[*PARSE_LOOPS, "join_terms"], help="loops")
    args = parser.parse_args()
    if not ANT.is_file():
        print(f"needs {ANT} (../shared beside the repository)", file=sys.stderr)
        return 2
    records = load_records(args.docs)
    patterns = call_patterns(records)
    print(f"{len(records)} ANT articles, {args.runs} runs, median, C and Python in turn:")
    for name, pattern in patterns.items():
        if args.only and name.split()[0] not in args.only:
            continue
        assert pattern(_scan) == pattern(_scan_py), name  # the same results first
        times: dict[str, list[float]] = {kind: [] for kind in IMPLEMENTATIONS}
        for _ in range(args.runs):
            for kind, module in IMPLEMENTATIONS.items():
                times[kind].append(timed(functools.partial(pattern, module)))
        c, python = (statistics.median(times[kind]) for kind in IMPLEMENTATIONS)
        ratio = python / c
        print(f"  {name:28} C {c * 1000:8.1f} ms   Python {python * 1000:8.1f} ms   {ratio:5.1f}x")
    if not args.parse_runs:
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "ant.jsonl"
        with gzip.open(ANT, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        variants = [None, *(loop for loop in PARSE_LOOPS if not args.only or loop in args.only)]
        parse_times: dict[str | None, list[float]] = {v: [] for v in variants}
        parse_all(plain)  # warm: tables built, files cached
        for run in range(args.parse_runs):
            # Alternate the order, so that no variant always follows the same one.
            for variant in variants if run % 2 == 0 else variants[::-1]:
                parse_times[variant].append(parse_timed(plain, variant))
    base = statistics.median(parse_times[None])
    print(f"whole parse of the ANT .jsonl, {args.parse_runs} runs, median (all C {base:.2f} s):")
    for variant in variants[1:]:
        median = statistics.median(parse_times[variant])
        each = ", ".join(f"{s:.2f}" for s in parse_times[variant])
        print(f"  {variant} in Python {median:6.2f} s  {median / base:6.3f}x all C  (runs: {each})")
    each = ", ".join(f"{s:.2f}" for s in parse_times[None])
    print(f"  (all C runs: {each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
