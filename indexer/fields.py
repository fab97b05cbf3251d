"""The fields of the index contract, as data: one row a field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "combined_text", "keyword", "normalized_keyword", "date"]
# A normalized keyword's subfield that keeps each value as written: facets count the
# normalized values and show each by its most frequent spelling (indexer/facets.py).
RAW_SUBFIELD = "raw"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    why: str
    copy_to: str | None = None


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "keyword", "stable id: from the url, else source + normalized title + date"),
    FieldSpec("url", "keyword", "where the article was published"),
    FieldSpec(
        "title", "text", "stemmed for matching, with an unstemmed .exact subfield", "content"
    ),
    FieldSpec("lead", "text", "the first paragraph or the abstract"),
    FieldSpec("body", "text", "the article text as written, diacritics kept", "content"),
    FieldSpec(
        "content",
        "combined_text",
        "title + body by copy_to (not in _source): the main ranking field, with .exact and .grams",
    ),
    FieldSpec(
        "category",
        "normalized_keyword",
        "filters and facets, spelling-normalized; .raw as written, for the facets' labels",
    ),
    FieldSpec("source", "normalized_keyword", "publisher"),
    FieldSpec("author", "normalized_keyword", "byline"),
    FieldSpec("published_at", "date", "ISO 8601; absent when the source gives no date"),
    FieldSpec(
        "fingerprint",
        "keyword",
        "hash of the normalized body (with the title when the body is short): duplicates",
    ),
    FieldSpec("indexed_at", "date", "when this version of the index loaded the article"),
)
