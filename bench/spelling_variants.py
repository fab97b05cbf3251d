"""Spelling variants of names (issue #23, idea 4): mined from the ANT corpus, applied
at query time, scored on the dev sets (embedded). An experiment, not kept.

    .venv/bin/python bench/spelling_variants.py [--similarity 0.8] [--sets ...]

Mining: the words (after the char filter) of the ANT titles and texts; a pair is a
word of 4+ letters seen 20+ times and the same word without one inner ا, و or ي, also
seen 20+ times, whose stems differ (the stemmer does not join them already), scored
by the cosine of their context counts (the two words either side). The pairs are
written to bench/devsets/spelling-variants.tsv, best first. At query time, each
query word with variants of at least --similarity gets them appended to the query
(with the default operator, as `word OR variant`): both backends take such a query.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
from collections import Counter, defaultdict

import devsets as ds

from indexer.analysis.analyzers import default_analyzers
from indexer.search import evaluation as ev

MIN_COUNT = 20
MIN_LETTERS = 4
WINDOW = 2
WEAK_LETTERS = "اوي"


def mine() -> list[tuple[float, str, str]]:
    text = default_analyzers()["text"]
    with gzip.open(ds.ANT, "rt", encoding="utf-8") as f:
        docs = [
            text.words(f"{d.get('title') or ''} {d.get('text') or d.get('body') or ''}")
            for d in map(json.loads, f)
        ]
    counts = Counter(w for words in docs for w in words)
    vocabulary = {w for w, n in counts.items() if n >= MIN_COUNT and len(w) >= MIN_LETTERS}
    pairs = {
        (w, w[:i] + w[i + 1 :])
        for w in vocabulary
        for i in range(1, len(w))
        if w[i] in WEAK_LETTERS
        and w[:i] + w[i + 1 :] in vocabulary
        and text.filter_words([w]) != text.filter_words([w[:i] + w[i + 1 :]])
    }
    wanted = {w for pair in pairs for w in pair}
    contexts: dict[str, Counter[str]] = defaultdict(Counter)
    for words in docs:
        for i, w in enumerate(words):
            if w in wanted:
                contexts[w].update(words[max(0, i - WINDOW) : i] + words[i + 1 : i + 1 + WINDOW])

    def cosine(a: Counter[str], b: Counter[str]) -> float:
        dot = sum(n * b.get(k, 0) for k, n in a.items())
        norms = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(
            sum(n * n for n in b.values())
        )
        return dot / norms if norms else 0.0

    return sorted(((cosine(contexts[w], contexts[v]), w, v) for w, v in pairs), reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--similarity", type=float, default=0.8)
    parser.add_argument("--sets", default="arcd-best-sentence,arcd-sentences,tashkeela,arcd")
    args = parser.parse_args()
    scored = mine()
    ds.OUT.mkdir(parents=True, exist_ok=True)
    with (ds.OUT / "spelling-variants.tsv").open("w", encoding="utf-8") as f:
        f.writelines(f"{c:.3f}\t{w}\t{v}\n" for c, w, v in scored)
    variants: dict[str, set[str]] = defaultdict(set)
    for c, w, v in scored:
        if c >= args.similarity:
            variants[w].add(v)
            variants[v].add(w)
    print(f"{len(scored)} pairs, {len(variants)} words with variants", file=sys.stderr)
    text = default_analyzers()["text"]
    print(ds.HEADER)
    for name in args.sets.split(","):
        dev = ds.BUILDERS[name]()
        expanded = ds.OUT / name / "queries-variants.jsonl"
        expanded.parent.mkdir(parents=True, exist_ok=True)
        changed = 0
        with expanded.open("w", encoding="utf-8") as f:
            for query in map(json.loads, dev.queries.open(encoding="utf-8")):
                extra = sorted({v for w in text.words(query["text"]) for v in variants.get(w, ())})
                changed += bool(extra)
                query["text"] = " ".join([query["text"], *extra])
                f.write(json.dumps(query, ensure_ascii=False) + "\n")
        found = ds.measure(dev, (ds.STOCK, ds.OURS), ev.EMBEDDED, 5)
        with_variants = ds.measure(dev._replace(queries=expanded), (ds.OURS,), ev.EMBEDDED, 5)
        found["ours-variants"] = with_variants[ds.OURS.name]
        print("\n".join(ds.table_rows(dev, "embedded", found)), flush=True)
        print(f"{name}: {changed} queries changed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
