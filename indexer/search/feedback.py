"""Pseudo-relevance feedback, RM3-style: the words of a first search's best hits,
weighted, added to the query for a second search (SearchRequest.expansion).

Built here, from the hits a backend returned and the stemmed terms of their text, so
both backends expand a query alike. An experiment (`eval --feedback`,
docs/journal/relevance.md), not part of `search`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from indexer.analysis.analyzers import Analyzer
from indexer.ingest.articles import Article
from indexer.search.query import Hit, WeightedTerm, plan_query


@dataclass(frozen=True)
class Feedback:
    """How many hits are read, how many of their terms are added, their weight all
    together, in query words (1: as much as the query's own words), and how many of
    the first search's best hits keep their place (the expanded search's follow).
    The defaults are the variant behind ours on no fold of the three small dev sets
    (docs/journal/relevance.md): the top stays, the expansion reaches further down."""

    documents: int = 10
    terms: int = 20
    weight: float = 1.0
    keep: int = 10


def merged(first: Sequence[Hit], second: Sequence[Hit], keep: int) -> list[Hit]:
    """The first `keep` hits of the first search, then the second's not among them."""
    kept = list(first[:keep])
    ids = {hit.id for hit in kept}
    return kept + [hit for hit in second if hit.id not in ids]


def relevance_model(
    scored_terms: Iterable[tuple[float, Sequence[str]]], feedback: Feedback
) -> dict[str, float]:
    """RM1 over the hits: P(w | R) = sum over hits d of P(d | q) P(w | d), with P(d | q)
    the hit's share of the scores and P(w | d) the term's share of d's terms."""
    hits = [(score, terms) for score, terms in scored_terms if terms][: feedback.documents]
    total = sum(score for score, _ in hits)
    model: dict[str, float] = {}
    for score, terms in hits:
        share = score / total if total else 1 / len(hits)
        for term, count in Counter(terms).items():
            model[term] = model.get(term, 0.0) + share * count / len(terms)
    return model


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


class Expander:
    """Queries' expansions from their first hits, with the articles' stemmed terms
    (`text` analyzer, title and body as `content` holds them) read when first needed."""

    def __init__(
        self, analyzers: dict[str, Analyzer], articles: Iterable[Article], feedback: Feedback
    ) -> None:
        self.feedback = feedback
        self._analyzers = analyzers
        self._texts = {a.id: f"{a.title}\n{a.body}" for a in articles}
        self._terms_of: dict[str, list[str]] = {}

    def _terms(self, article_id: str) -> list[str]:
        if article_id not in self._terms_of:
            text = self._texts.get(article_id, "")
            self._terms_of[article_id] = self._analyzers["text"].terms(text)
        return self._terms_of[article_id]

    def terms(self, query: str, hits: Sequence[Hit]) -> tuple[WeightedTerm, ...]:
        top = hits[: self.feedback.documents]
        scored = ((hit.score or 0.0, self._terms(hit.id)) for hit in top)
        return expansion(plan_query(query, self._analyzers).stems, scored, self.feedback)
