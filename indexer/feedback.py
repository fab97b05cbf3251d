"""Pseudo-relevance feedback, RM3-style: the words of a first search's best hits,
weighted, added to the query for a second search (SearchRequest.expansion).

Built here, from the hits a backend returned and the stemmed terms of their text, so
both backends expand a query alike. An experiment of issue #13 (`eval --feedback`,
docs/relevance.md), not part of `search`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from indexer.analysis.analyzers import Analyzer
from indexer.articles import Article
from indexer.query import Hit, WeightedTerm, plan_query


@dataclass(frozen=True)
class Feedback:
    """How many hits are read, how many of their terms are added, and their weight all
    together, in query words (0.5: half as much as the query's own words)."""

    documents: int = 10
    terms: int = 10
    weight: float = 0.5


def relevance_model(
    scored_terms: Iterable[tuple[float, Sequence[str]]], feedback: Feedback
) -> dict[str, float]:
    """RM1 over the hits: P(w | R) = sum over hits d of P(d | q) P(w | d), with P(d | q)
    the hit's share of the scores and P(w | d) the term's share of d's terms."""
    hits = [(score, terms) for score, terms in scored_terms if terms][: feedback.documents]
    total = sum(score for score, _ in hits)
    model: Counter[str] = Counter()
    for score, terms in hits:
        share = score / total if total else 1 / len(hits)
        for term, count in Counter(terms).items():
            model[term] += share * count / len(terms)
    return dict(model)


def expansion(
    query_terms: Sequence[str],
    scored_terms: Iterable[tuple[float, Sequence[str]]],
    feedback: Feedback,
) -> tuple[WeightedTerm, ...]:
    """The `feedback.terms` likeliest new terms (the query's own are weighted by the
    query already), their weights in proportion, summing to `feedback.weight` times
    the query's number of terms."""
    asked = set(query_terms)
    model = relevance_model(scored_terms, feedback)
    new = sorted(((p, t) for t, p in model.items() if t not in asked), reverse=True)
    kept = new[: feedback.terms]
    mass = sum(p for p, _ in kept)
    if not mass:
        return ()
    scale = feedback.weight * len(query_terms) / mass
    return tuple(WeightedTerm(t, round(p * scale, 6)) for p, t in kept)


Expander = Callable[[str, Sequence[Hit]], tuple[WeightedTerm, ...]]


def expander(
    analyzers: dict[str, Analyzer], articles: Iterable[Article], feedback: Feedback
) -> Expander:
    """A query's expansion from its first hits, the articles' stemmed terms (`text`
    analyzer, title and body as `content` holds them) read when first needed."""
    texts = {a.id: f"{a.title}\n{a.body}" for a in articles}
    stem = analyzers["text"]
    terms_of: dict[str, list[str]] = {}

    def terms(article_id: str) -> list[str]:
        if article_id not in terms_of:
            terms_of[article_id] = stem.terms(texts.get(article_id, ""))
        return terms_of[article_id]

    def expand(query: str, hits: Sequence[Hit]) -> tuple[WeightedTerm, ...]:
        top = hits[: feedback.documents]
        scored = ((hit.score or 0.0, terms(hit.id)) for hit in top)
        return expansion(plan_query(query, analyzers).stems, scored, feedback)

    return expand
