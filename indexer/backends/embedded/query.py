"""The embedded index's schema, and tantivy queries on it rendered from the same
MatchPlan as the cluster's bool query (indexer/backends/cluster/query.py).

Text is analyzed in Python with the same analyzers Elasticsearch runs, and indexed
pre-analyzed (one whitespace-separated term a position): a searched field has a
stemmed field and an exact one (`<field>_exact`), the combined field its trigrams
(`<field>_grams`), a keyword field its value as written (`<field>_raw`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

import tantivy

from indexer.analysis.analyzers import Analyzer
from indexer.index.fields import GRAMS_FIELD, KEYWORD_FIELDS, RAW_SUBFIELD, SEARCHED_FIELDS
from indexer.search.query import (
    FieldQuery,
    QueryPlan,
    Ranking,
    Requirement,
    SearchRequest,
    Word,
    date_bounds,
    match_plan,
)

# tantivy's dates are nanoseconds in an int64: it holds no date outside these, and
# refuses a range bound outside them, so such a bound ("--until 9999") is moved to them.
DATE_LIMITS = (datetime(1677, 9, 22, tzinfo=UTC), datetime(2262, 4, 11, tzinfo=UTC))


def exact_field(field: str) -> str:
    return f"{field}_exact"


def grams_field(field: str) -> str:
    return f"{field}_grams"


def raw_field(field: str) -> str:
    return f"{field}_{RAW_SUBFIELD}"


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    # Looked up by add, for the text a version holds already (not stored, not searched).
    builder.add_text_field("fingerprint", tokenizer_name="raw", index_option="basic")
    for field in SEARCHED_FIELDS:
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="position")
        builder.add_text_field(
            exact_field(field), tokenizer_name="whitespace", index_option="position"
        )
    # Term queries only: frequencies, no positions.
    builder.add_text_field(
        grams_field(GRAMS_FIELD), tokenizer_name="whitespace", index_option="freq"
    )
    for field in KEYWORD_FIELDS:
        builder.add_text_field(field, fast=True, tokenizer_name="raw", index_option="basic")
        # As written, for the facets' labels only (never searched).
        builder.add_text_field(
            raw_field(field), fast=True, tokenizer_name="raw", index_option="basic"
        )
    builder.add_date_field("published_at", indexed=True, fast=True)
    # Stored, not indexed: what a hit shows (small JSON), and the body for highlights
    # (kept apart so that showing a hit does not decode its whole text).
    builder.add_bytes_field("shown", stored=True)
    builder.add_bytes_field("body_text", stored=True)
    return builder.build()


class QueryBuilder:
    """Tantivy queries for one set of analyzers and weights (the relevance baselines
    have other analyzers, no `grams`, and other boosts)."""

    def __init__(
        self,
        schema: tantivy.Schema,
        analyzers: dict[str, Analyzer],
        ranking: Ranking,
        has_grams: bool,
    ) -> None:
        self.schema = schema
        self._analyzers = analyzers
        self._ranking = ranking
        self._grams_weight = ranking.grams_weight if has_grams else 0.0

    def _terms_query(self, field: str, terms: Iterable[str], boost: float) -> list[tantivy.Query]:
        """One term query per distinct term: a term asked n times is asked once with n
        times the boost, the same score for fewer posting lists read."""
        return [
            tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, field, t), boost * n)
            for t, n in Counter(terms).items()
        ]

    def _phrase_query(
        self, field: str, terms: tuple[str, ...], slop: int, boost: float
    ) -> tantivy.Query:
        query = tantivy.Query.phrase_query(self.schema, field, list(terms), slop)
        return tantivy.Query.boost_query(query, boost)

    def _field_query(self, part: FieldQuery) -> list[tantivy.Query]:
        field = exact_field(part.field) if part.exact else part.field
        if part.phrase:
            return [self._phrase_query(field, part.terms, 0, part.boost)]
        return self._terms_query(field, part.terms, part.boost)

    def _any(self, parts: Word) -> tantivy.Query:
        return _should([q for part in parts for q in self._field_query(part)])

    def _requirement(self, requirement: Requirement) -> tantivy.Query:
        """Any one alternative, each with every one of its words."""
        return _should([_must([self._any(word) for word in words]) for words in requirement])

    def _held(self, stems: Iterable[str], searcher: tantivy.Searcher) -> list[tantivy.Query]:
        """For each stem a document holds in `content`, the coordination weight times the
        stem's idf, as Lucene's BM25 with k1 = 0 scores content.words on the engine:
        log(1 + (N - df + 0.5) / (df + 0.5)); a stem asked n times counts n times."""
        docs = searcher.num_docs
        queries = []
        for stem, n in Counter(stems).items():
            df = searcher.doc_freq(GRAMS_FIELD, stem)
            idf = math.log(1 + (docs - df + 0.5) / (df + 0.5))
            term = tantivy.Query.term_query(self.schema, GRAMS_FIELD, stem)
            queries.append(
                tantivy.Query.const_score_query(term, self._ranking.coordination * n * idf)
            )
        return queries

    def build(
        self, plan: QueryPlan, request: SearchRequest, searcher: tantivy.Searcher
    ) -> tantivy.Query | None:
        """The tantivy query of a plan and the request's filters (None: matches
        nothing), rendered from the same MatchPlan as the cluster's bool query."""
        occur = tantivy.Occur
        match = match_plan(plan, request.operator, self._ranking, request.expansion)
        if match.nothing:
            return None
        if match.everything:
            text_query = tantivy.Query.all_query()
        else:
            text_parts = [(occur.Must, self._requirement(r)) for r in match.required]
            text_parts += [(occur.Should, q) for p in match.optional for q in self._field_query(p)]
            text_query = tantivy.Query.boolean_query(text_parts)
        clauses = [(occur.Must, text_query)]
        # Each word held adds coordination x its idf: it ranks what the words matched.
        if match.held:
            clauses += [(occur.Should, q) for q in self._held(match.held, searcher)]
        if self._grams_weight and match.grams:
            # Ranks what the text query matched; matches nothing by itself.
            field = grams_field(GRAMS_FIELD)
            grams = self._terms_query(field, match.grams, self._grams_weight)
            clauses.append((occur.Should, _should(grams)))
        clauses += [(occur.MustNot, self._any(group)) for group in match.excluded]
        clauses += [(occur.Must, f) for f in self._filters(request)]
        return tantivy.Query.boolean_query(clauses)

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        keyword = self._analyzers["keyword"]
        filters = []
        for field, values in request.filters.items():
            # Each value normalized as the index was; any one of them is enough.
            terms = dict.fromkeys((keyword.terms(value) or [""])[0] for value in values)
            filters.append(
                _should([tantivy.Query.term_query(self.schema, field, t) for t in terms])
            )
        first, last = DATE_LIMITS
        since, until = (b and min(max(b, first), last) for b in date_bounds(request))
        if since or until:
            filters.append(
                tantivy.Query.range_query(
                    self.schema, "published_at", tantivy.FieldType.Date, since, until
                )
            )
        # Filters decide what matches; they add nothing to the score.
        return [tantivy.Query.const_score_query(f, 0.0) for f in filters]


def _should(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _must(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])
