"""Facets in the spelling people write: the aggregation both backends run, and its answer
read back into SearchResult.facets.

A keyword field holds its normalized value (`اخبار سوريه`, `internationalnews`), so
that spellings count and filter together; its subfield (`category.raw` on a cluster,
`category_raw` in the embedded index) holds each value as written. Each facet value
is counted on the normalized field and labelled with its most frequent spelling, by a
terms sub-aggregation on the subfield. tantivy and the engines read the same request
and answer in the same shape, so one function of each serves both backends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from indexer.index.fields import FACET_FIELDS
from indexer.search.query import FACET_SIZE

# Spellings of one facet value looked at. The engines break ties in a terms
# aggregation in different orders, so the label is chosen here, from enough of them.
SPELLINGS = 10
SPELLING_AGG = "spelling"
# Values each shard sends of a facet field. A version of several shards counts a
# value only where a shard sent it: with the engines' default (1.5 x size + 10), the
# top ten of a field of many values (authors, sources) lost counts on 3 shards (the
# parity table, bench/dfs.py). Enough of them make the top ten exact. tantivy takes
# the key too.
FACET_SHARD_SIZE = 250


def facet_aggregations(raw_field: Callable[[str], str]) -> dict[str, Any]:
    """The aggregations of the facets; `raw_field` names a field's as-written subfield."""
    return {
        field: {
            "terms": {"field": field, "size": FACET_SIZE, "shard_size": FACET_SHARD_SIZE},
            "aggs": {SPELLING_AGG: {"terms": {"field": raw_field(field), "size": SPELLINGS}}},
        }
        for field in FACET_FIELDS
    }


def read_facets(aggregations: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each facet field's values and counts, each value in its most frequent spelling."""
    return {
        field: {_label(bucket): bucket["doc_count"] for bucket in aggregations[field]["buckets"]}
        for field in FACET_FIELDS
        if field in aggregations
    }


def _label(bucket: dict[str, Any]) -> str:
    """The most frequent spelling (the first in code point order among equals); the
    normalized value where there is none (an index built before the subfield)."""
    spellings = bucket.get(SPELLING_AGG, {}).get("buckets", [])
    # A terms aggregation on a keyword field: its keys are str.
    if not spellings:
        return cast(str, bucket["key"])
    return cast(str, min(spellings, key=lambda s: (-s["doc_count"], s["key"]))["key"])
