"""Relevance evaluation on BEIR files: MRR@10, nDCG@10 and Recall@100.

    corpus   JSON Lines {"_id", "title", "text"}
    queries  JSON Lines {"_id", "text"}
    qrels    TSV "query-id  corpus-id  score" with a header line

The corpus (and any distractor articles, never relevant) goes into a temporary
index; every judged query runs through the query module with recency off.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from indexer.analysis.analyzers import Analyzer, baseline_analyzers, default_analyzers
from indexer.articles import Article, Origin, RawRecord, build_article
from indexer.backends.embedded import EmbeddedBackend
from indexer.ingest import parse_paths
from indexer.query import EXACT_WEIGHT, FIELD_BOOSTS, GRAMS_WEIGHT, SearchRequest

ALIAS = "eval"
DEPTH = 100  # hits fetched per query: enough for Recall@100


# The baselines' query: one field, the title and the text together, as in the
# reference figures of ../shared/README.md. Title weighting is one of our changes.
ONE_FIELD = {"content": 1.0}


@dataclass(frozen=True)
class Profile:
    """An analysis, the fields searched with their boosts, and how much the exact and
    trigram subfields count: what is compared."""

    name: str
    analyzers: dict[str, Analyzer]
    field_boosts: dict[str, float]
    exact_weight: float = 0.0
    grams_weight: float = 0.0


def profiles() -> dict[str, Profile]:
    return {
        "standard": Profile("standard", baseline_analyzers("standard"), ONE_FIELD),
        "arabic": Profile("arabic", baseline_analyzers("arabic"), ONE_FIELD),
        "ours": Profile("ours", default_analyzers(), FIELD_BOOSTS, EXACT_WEIGHT, GRAMS_WEIGHT),
    }


@dataclass(frozen=True)
class Scores:
    queries: int
    mrr_at_10: float
    ndcg_at_10: float
    recall_at_100: float

    def to_json(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "mrr@10": round(self.mrr_at_10, 4),
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
        }


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows, None)  # the header line
        for row in rows:
            if len(row) >= 3 and int(row[2]) > 0:
                judged.setdefault(row[0], {})[row[1]] = int(row[2])
    return judged


def read_queries(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {q["_id"]: q["text"] for q in map(json.loads, f) if q.get("text")}


def corpus_articles(path: Path) -> Iterator[Article]:
    """Every corpus paragraph as an article whose id is its BEIR _id (no duplicate
    removal: a judged paragraph must be in the index even if another repeats it)."""
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            doc = json.loads(line)
            fields = {"title": doc.get("title"), "body": doc.get("text")}
            built = build_article(RawRecord(fields, Origin(str(path), number, number)))
            if isinstance(built, Article):
                yield replace(built, id=doc["_id"])


def metrics(ranked: dict[str, list[str]], judged: dict[str, dict[str, int]]) -> Scores:
    mrr = ndcg = recall = 0.0
    for query_id, relevant in judged.items():
        hits = ranked.get(query_id, [])
        first = next((i for i, d in enumerate(hits[:10], start=1) if d in relevant), None)
        mrr += 1 / first if first else 0.0
        dcg = sum(relevant.get(d, 0) / math.log2(i + 1) for i, d in enumerate(hits[:10], start=1))
        ideal = sorted(relevant.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
        ndcg += dcg / idcg if idcg else 0.0
        recall += len(set(hits[:100]) & set(relevant)) / len(relevant)
    n = len(judged)
    return Scores(n, mrr / n, ndcg / n, recall / n) if n else Scores(0, 0.0, 0.0, 0.0)


class EvaluationError(ValueError):
    """Inputs that cannot be what they claim (the message says which and why)."""


def evaluate(
    corpus: Path,
    queries: Path,
    qrels: Path,
    profile: Profile,
    distractors: Sequence[str] = (),
) -> Scores:
    judged = read_qrels(qrels)
    texts = read_queries(queries)
    judged = {q: r for q, r in judged.items() if q in texts}
    if not judged:
        raise EvaluationError(
            f"no query of {queries} is judged in {qrels}: are --queries and --qrels the BEIR "
            "queries and qrels of the same set (and not --corpus)?"
        )
    with tempfile.TemporaryDirectory(prefix="arabic-search-eval-") as home:
        backend = EmbeddedBackend(
            home,
            analyzers=profile.analyzers,
            exact_weight=profile.exact_weight,
            grams_weight=profile.grams_weight,
            field_boosts=profile.field_boosts,
        )
        version = backend.create_version(ALIAS)

        def articles() -> Iterator[Article]:
            yield from corpus_articles(corpus)
            if distractors:
                yield from (o for o in parse_paths(list(distractors)) if isinstance(o, Article))

        backend.load(version, articles())
        backend.switch(ALIAS, version)
        ranked = {}
        for query_id in judged:
            request = SearchRequest(
                query=texts[query_id], size=DEPTH, facets=False, highlight=False
            )
            ranked[query_id] = [hit.id for hit in backend.search(ALIAS, request).hits]
    return metrics(ranked, judged)
