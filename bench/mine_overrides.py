"""Mine stemmer overrides from corpus statistics: words whose initial و is part of the
word, not the conjunction (وزير, وكالة, واشنطن), which Lucene's arabic_stem cuts.

A normalized word w = "و" + rest is taken when w is common (at least MIN_COUNT times)
and rest alone is rare (under RATIO of w's count): the و cannot be a prefix that
writers drop. Its override keeps the و and removes the suffixes only, so وزيرة and
وزير still meet (at وزير) instead of at زير. Writes
indexer/analysis/stem_overrides_ar.txt (word<TAB>stem), read by the analyzers and
written into the index's stemmer_override filter.

    .venv/bin/python bench/mine_overrides.py
"""

from __future__ import annotations

import collections
import gzip
import json
import sys
from pathlib import Path

from indexer.analysis.analyzers import default_analyzers
from indexer.analysis.stemmer import stem_suffixes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared/data"
OUT = ROOT / "indexer/analysis/stem_overrides_ar.txt"
MIN_COUNT = 30
RATIO = 0.01


def texts() -> list[str]:
    with gzip.open(DATA / "ant-news/ant_v2.1_multisource.jsonl.gz", "rt", encoding="utf-8") as f:
        news = [f"{d['title']} {d['text']}" for d in map(json.loads, f)]
    with open(DATA / "arcd/corpus.jsonl", encoding="utf-8") as f:
        wiki = [f"{d['title']} {d['text']}" for d in map(json.loads, f)]
    return news + wiki


def main() -> int:
    exact = default_analyzers()["exact"]
    counts: collections.Counter[str] = collections.Counter()
    for text in texts():
        counts.update(exact.terms(text))
    overrides = {
        word: stem_suffixes(word)
        for word, n in counts.items()
        if len(word) >= 4
        and word.startswith("و")
        and n >= MIN_COUNT
        and counts[word[1:]] < RATIO * n
    }
    lines = [
        "# Mined by bench/mine_overrides.py from the ANT and ARCD texts: do not edit by hand.",
        f"# word<TAB>stem; a word seen >= {MIN_COUNT} times whose form without و is < {RATIO:.0%}.",
        *(f"{w}\t{s}" for w, s in sorted(overrides.items())),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(overrides)} overrides -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
