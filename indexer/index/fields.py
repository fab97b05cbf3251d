"""The fields of the index contract, as data: one row a field.

Every list of fields is derived from this table: the mappings' properties
(indexer/index/mappings.py), what a reader fills (--field), what an article stores, what a
hit shows, the facets and filters, the searched fields and their boosts, and the
embedded schema. Adding a field is a row here, its attribute on Article (and Hit,
if shown), and `arabic-search mappings --write`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "combined_text", "keyword", "normalized_keyword", "date"]
# Who gives a field its value: a reader, from the input (`--field NAME=...` picks the
# source field); the article, computed when it is built; or the index, as it loads.
FilledBy = Literal["reader", "article", "index"]
# A normalized keyword's subfield that keeps each value as written: facets count the
# normalized values and show each by its most frequent spelling (indexer/search/facets.py).
RAW_SUBFIELD = "raw"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    why: str
    filled_by: FilledBy = "reader"
    copy_to: str | None = None
    shown: bool = False  # in each hit of a search (SearchResult)
    facet: bool = False  # a search filter (--category) and a facet, counted per value
    boost: float = 0.0  # searched with this weight (indexer/search/query.py ranks); 0: not searched


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "id",
        "keyword",
        "stable id: from the url, else source + normalized title + date",
        filled_by="article",
        shown=True,
    ),
    FieldSpec("url", "keyword", "where the article was published", shown=True),
    FieldSpec(
        "title",
        "text",
        "stemmed for matching, with an unstemmed .exact subfield",
        copy_to="content",
        shown=True,
        boost=1.5,  # on top of content: a word in the title counts 1.5 times again
    ),
    FieldSpec("lead", "text", "the first paragraph or the abstract (stored, not searched)"),
    FieldSpec("body", "text", "the article text as written, diacritics kept", copy_to="content"),
    FieldSpec(
        "content",
        "combined_text",
        "title + body by copy_to (not in _source): the main ranking field, with .exact and .grams",
        filled_by="index",
        boost=1.0,
    ),
    FieldSpec(
        "category",
        "normalized_keyword",
        "filters and facets, spelling-normalized; .raw as written, for the facets' labels",
        shown=True,
        facet=True,
    ),
    FieldSpec("source", "normalized_keyword", "publisher", shown=True, facet=True),
    FieldSpec("author", "normalized_keyword", "byline", shown=True, facet=True),
    FieldSpec("published_at", "date", "ISO 8601; absent when the source gives no date", shown=True),
    FieldSpec(
        "fingerprint",
        "keyword",
        "hash of the normalized body (with the title when the body is short): duplicates",
        filled_by="article",
    ),
    FieldSpec(
        "indexed_at",
        "date",
        "when this version of the index loaded the article",
        filled_by="index",
    ),
)

# The lists the code uses, each in the table's order.
READ_FIELDS = tuple(f.name for f in FIELDS if f.filled_by == "reader")
# An article's fields: the document a cluster stores (_source), and `parse` writes.
DOCUMENT_FIELDS = tuple(f.name for f in FIELDS if f.filled_by != "index")
SHOWN_FIELDS = tuple(f.name for f in FIELDS if f.shown)
FACET_FIELDS = tuple(f.name for f in FIELDS if f.facet)
KEYWORD_FIELDS = tuple(f.name for f in FIELDS if f.kind == "normalized_keyword")
# Lucene refuses a term longer than this many bytes (UTF-8): a keyword longer than that
# is refused by an engine, whole. Articles cut the keywords a reader fills to it, the
# same on every backend (indexer/ingest/articles.py: cut_keyword).
MAX_KEYWORD_BYTES = 32766
CUT_FIELDS = tuple(
    f.name
    for f in FIELDS
    if f.filled_by == "reader" and f.kind in ("keyword", "normalized_keyword")
)
# The main field first: the order of each query's clauses on both backends.
# The combined field first, then by boost: the embedded schema's order of the
# searched fields, which its existing indexes keep.
FIELD_BOOSTS = {
    f.name: f.boost
    for f in sorted(FIELDS, key=lambda f: (f.kind != "combined_text", -f.boost))
    if f.boost
}
SEARCHED_FIELDS = tuple(FIELD_BOOSTS)
# The subfield of the combined text field that scores each query word it holds by its
# idf alone (Ranking.coordination): BM25 with k1 = 0 (indexer/index/mappings.py).
WORDS_SUBFIELD = "words"
# The field whose character trigrams (.grams) re-rank: the one combined text field.
[GRAMS_FIELD] = [f.name for f in FIELDS if f.kind == "combined_text"]


def copied_from(name: str) -> tuple[str, ...]:
    """The fields whose text a field holds: those copied to it, else its own."""
    return tuple(f.name for f in FIELDS if f.copy_to == name) or (name,)
