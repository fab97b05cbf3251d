"""Relevance evaluation on BEIR files: MRR@10, nDCG@10 and Recall@100.

    corpus   JSON Lines {"_id", "title", "text"}
    queries  JSON Lines {"_id", "text"}
    qrels    TSV "query-id  corpus-id  score" with a header line

The corpus (and any distractor articles, never relevant) goes into a temporary
index, on the embedded backend or on a cluster through the cluster backend's own
create_version and load; every judged query runs through the query module with
recency off, and the index is deleted afterwards, whatever happens. One index
serves every ranking of the same analysis (query-time variants cost no reindex).
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import random
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from indexer.analysis.analyzers import Analyzer, baseline_analyzers, default_analyzers
from indexer.backends import Backend, BackendError
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.errors import ArabicSearchError
from indexer.ingest.articles import Article, Origin, RawRecord, build_article
from indexer.ingest.parse import parse_paths
from indexer.search.feedback import Expander, Feedback, merged
from indexer.search.query import RANKING, Ranking, SearchRequest

if TYPE_CHECKING:
    from indexer.backends.cluster.settings import ClusterSettings

ALIAS = "eval"
DEPTH = 100  # hits fetched per query: enough for Recall@100
FOLD_SEED = 13  # the seeded split of the queries into folds: the same folds every run


# The baselines' query: one field, the title and the text together, as stock analyzers
# are usually measured (docs/relevance.md). Title weighting is one of our changes.
ONE_FIELD = Ranking({"content": 1.0}, exact_weight=0.0, grams_weight=0.0, coordination=0.0)


@dataclass(frozen=True)
class Profile:
    """An analysis (what is indexed) and a ranking (how a query weighs the fields and
    subfields): what is compared."""

    name: str
    analyzers: dict[str, Analyzer]
    ranking: Ranking


def profiles() -> dict[str, Profile]:
    return {
        "standard": Profile("standard", baseline_analyzers("standard"), ONE_FIELD),
        "arabic": Profile("arabic", baseline_analyzers("arabic"), ONE_FIELD),
        "ours": Profile("ours", default_analyzers(), RANKING),
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


class EvaluationError(ArabicSearchError, ValueError):
    """Inputs that cannot be what they claim (the message says which and why)."""


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


@dataclass(frozen=True)
class JudgedQueries:
    """The queries that have judgments, their texts and their relevant documents."""

    texts: dict[str, str]
    judged: dict[str, dict[str, int]]


def read_judged(queries: Path, qrels: Path) -> JudgedQueries:
    judged = read_qrels(qrels)
    texts = read_queries(queries)
    judged = {q: r for q, r in judged.items() if q in texts}
    if not judged:
        raise EvaluationError(
            f"no query of {queries} is judged in {qrels}: are --queries and --qrels the BEIR "
            "queries and qrels of the same set (and not --corpus)?"
        )
    return JudgedQueries({q: texts[q] for q in judged}, judged)


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


def read_articles(corpus: Path, distractors: Iterable[str] = ()) -> list[Article]:
    """The corpus, then the distractors, read once for every index of a run."""
    articles = list(corpus_articles(corpus))
    if distractors:
        articles += (o for o in parse_paths(list(distractors)) if isinstance(o, Article))
    return articles


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


def folds(query_ids: Iterable[str], k: int, seed: int = FOLD_SEED) -> list[list[str]]:
    """The queries in `k` folds of (nearly) equal size: a seeded shuffle of the sorted
    ids, dealt in turn, so a fold is the same on every run and machine."""
    ids = sorted(query_ids)
    random.Random(seed).shuffle(ids)
    return [ids[i::k] for i in range(k)]


def fold_scores(
    ranked: dict[str, list[str]], judged: dict[str, dict[str, int]], k: int
) -> list[Scores]:
    return [metrics(ranked, {q: judged[q] for q in fold}) for fold in folds(judged, k)]


# ----------------------------------------------------------- the temporary index


class Target(NamedTuple):
    """Where the evaluation indexes: "embedded", or a cluster engine and its settings."""

    backend: str
    settings: ClusterSettings | None = None


EMBEDDED = Target("embedded")


class TemporaryIndex(NamedTuple):
    """An index of one analysis: what to search, and the backend that searches it with
    a given ranking (the same index for every ranking)."""

    name: str
    searcher: Callable[[Ranking], Backend]


@contextlib.contextmanager
def _embedded_index(
    profile: Profile, articles: Iterable[Article], target: Target
) -> Iterator[TemporaryIndex]:
    with tempfile.TemporaryDirectory(prefix="arabic-search-eval-") as home:

        def searcher(ranking: Ranking) -> Backend:
            return EmbeddedBackend(home, analyzers=profile.analyzers, ranking=ranking)

        backend = searcher(profile.ranking)
        version = backend.create_version(ALIAS)
        backend.load(version, articles)
        backend.switch(ALIAS, version)
        yield TemporaryIndex(ALIAS, searcher)


@contextlib.contextmanager
def _cluster_index(
    profile: Profile, articles: Iterable[Article], target: Target
) -> Iterator[TemporaryIndex]:
    """A version of a fresh alias, loaded by the cluster backend and searched by its
    name (no alias points at it), then deleted by name, also on failure or Ctrl-C."""
    from indexer.backends.cluster.backend import open_cluster  # the clients load slowly

    settings = target.settings
    assert settings is not None
    alias = f"arabic-search-eval-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="arabic-search-eval-") as dead_letters:

        def searcher(ranking: Ranking) -> Backend:
            return open_cluster(
                target.backend, settings, Path(dead_letters), profile.analyzers, ranking
            )

        backend = searcher(profile.ranking)
        version = backend.create_version(alias)
        try:
            loaded = backend.load(version, articles)
            if loaded.rejected:
                article, reason = loaded.rejected[0]
                raise BackendError(
                    f"the engine refused {len(loaded.rejected)} documents of the evaluation "
                    f"(first {article.id}: {reason}); the figures would not compare"
                )
            yield TemporaryIndex(version, searcher)
        finally:
            backend.discard(version)


INDEXES = {
    "embedded": _embedded_index,
    "elasticsearch": _cluster_index,
    "opensearch": _cluster_index,
}


def temporary_index(
    profile: Profile, articles: Iterable[Article], target: Target = EMBEDDED
) -> contextlib.AbstractContextManager[TemporaryIndex]:
    return INDEXES[target.backend](profile, articles, target)


def rank(
    index: TemporaryIndex,
    ranking: Ranking,
    texts: dict[str, str],
    expand: Expander | None = None,
) -> dict[str, list[str]]:
    """Each query's hits, best first, the first DEPTH (with `expand`: of a second
    search, the query expanded from the first one's hits)."""
    backend = index.searcher(ranking)
    ranked = {}
    for query_id, text in texts.items():
        request = SearchRequest(query=text, size=DEPTH, facets=False, highlight=False)
        hits = backend.search(index.name, request).hits
        if expand and (more := expand.terms(text, hits)):
            again = backend.search(index.name, replace(request, expansion=more)).hits
            hits = merged(hits, again, expand.feedback.keep)[:DEPTH]
        ranked[query_id] = [hit.id for hit in hits]
    return ranked


def ranked_runs(
    profile: Profile,
    articles: Iterable[Article],
    texts: dict[str, str],
    target: Target = EMBEDDED,
    rankings: Iterable[Ranking] = (),
    feedback: Feedback | None = None,
) -> list[dict[str, list[str]]]:
    """Every query's hits under each ranking (default: the profile's own), on one
    temporary index of the profile's analysis; with `feedback`, of the expanded query."""
    articles = list(articles)
    expand = Expander(profile.analyzers, articles, feedback) if feedback else None
    with temporary_index(profile, articles, target) as index:
        return [rank(index, r, texts, expand) for r in (list(rankings) or [profile.ranking])]


def evaluate(
    corpus: Path,
    queries: Path,
    qrels: Path,
    profile: Profile,
    distractors: Iterable[str] = (),
    target: Target = EMBEDDED,
) -> Scores:
    wanted = read_judged(queries, qrels)
    [ranked] = ranked_runs(profile, read_articles(corpus, distractors), wanted.texts, target)
    return metrics(ranked, wanted.judged)
