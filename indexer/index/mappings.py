"""mappings/articles.json: the index settings and mappings, generated from Python;
and beside it mappings/search-request.json, the search body of the index contract.

The analysis section comes from indexer.analysis.analyzers, the fields from
indexer.index.fields, the search body from indexer.backends.cluster.query, so the committed JSON
cannot drift from the Python code (`arabic-search mappings --check` and a test
compare them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from indexer.analysis.analyzers import Analyzer, es_analysis
from indexer.backends.cluster.query import template_body
from indexer.backends.cluster.settings import AUTO_REPLICAS, DEFAULT_SHARDS
from indexer.index.fields import FIELDS, RAW_SUBFIELD, SEARCHED_FIELDS, WORDS_SUBFIELD, FieldSpec

# 2: a content field (title + body) with trigrams; .exact searches without stopwords.
# 3: keyword values collapse white space (what the char filter deletes between two
# words left two spaces), and keep their spelling as written (.raw) for the facets.
# 4: index.query.default_field (the searched text fields, for ?q= and Discover), and
# content.grams searched by arabic_grams_search (each trigram at its own position).
# 5: the embedded index indexes each article's fingerprint (add sets aside the text it
# holds already); a cluster's index holds it since 1.
# 6: content.words, each word's idf alone for the coordination (Ranking.coordination).
MAPPING_VERSION = 6
# Mapping versions whose embedded index this program searches: 4 changed only what a
# cluster's index holds (its settings and a search analyzer), 5 added a field searches
# do not use, 6 changed only a cluster's index.
EMBEDDED_READABLE = frozenset({3, 4, 5, MAPPING_VERSION})
# Mapping versions whose embedded index is the one this program writes (6 changed only
# a cluster's index): their loads are resumed and their versions updated.
EMBEDDED_WRITABLE = frozenset({5, MAPPING_VERSION})
DEFAULT_PATH = Path("mappings/articles.json")
# The search body a service sends, written beside the mappings (cluster/query.py's template_body).
TEMPLATE_NAME = "search-request.json"
# A word's trigrams share its position. Lucene's BM25 leaves such overlapping tokens
# out of a field's length (discount_overlaps) but not out of the average length, so
# it would score the trigrams as if every text were short; the embedded backend (and
# any count of the grams) takes them all. Counting them all, both score alike.
GRAMS_SIMILARITY = "grams_bm25"
# content.words: a query word a document holds scores its idf times the query's boost,
# whatever its frequency or the text's length (BM25 with k1 = 0: the term-frequency
# part is 1). The embedded backend computes the same from its index's counts.
WORDS_SIMILARITY = "idf_only"
SIMILARITIES = {
    GRAMS_SIMILARITY: {"type": "BM25", "discount_overlaps": False},
    WORDS_SIMILARITY: {"type": "BM25", "k1": 0.0, "b": 0.0},
}


# What a query that names no field searches (`?q=`, Kibana's Discover, query_string):
# the searched text fields, stemmed and exact; not the trigrams, which only re-rank,
# nor the keywords, whose values are whole names.
DEFAULT_FIELDS = tuple(name for field in SEARCHED_FIELDS for name in (field, f"{field}.exact"))


def _field_mapping(field: FieldSpec, analyzers: dict[str, Analyzer]) -> dict[str, Any]:
    if field.kind == "text":
        # Offsets in the postings let the unified highlighter work without re-analysis.
        mapping: dict[str, Any] = {
            "type": "text",
            "analyzer": analyzers["text"].es_name,
            "index_options": "offsets",
            "fields": {
                "exact": {
                    "type": "text",
                    "analyzer": analyzers["exact"].es_name,
                    "search_analyzer": analyzers["exact_search"].es_name,
                    "index_options": "offsets",
                }
            },
        }
        if field.copy_to:
            mapping["copy_to"] = field.copy_to
        return mapping
    if field.kind == "combined_text":
        # Searched, never highlighted: positions (for quoted phrases), no offsets. The
        # trigrams are only asked by term queries: frequencies are enough. (The
        # relevance baselines have no trigrams.)
        subfields: dict[str, Any] = {
            "exact": {
                "type": "text",
                "analyzer": analyzers["exact"].es_name,
                "search_analyzer": analyzers["exact_search"].es_name,
            }
        }
        if "grams" in analyzers:
            # Whether a document holds a query word (Ranking.coordination): no
            # frequencies, no norms, scored by its idf alone.
            subfields[WORDS_SUBFIELD] = {
                "type": "text",
                "analyzer": analyzers["text"].es_name,
                "index_options": "docs",
                "norms": False,
                "similarity": WORDS_SIMILARITY,
            }
            subfields["grams"] = {
                "type": "text",
                "analyzer": analyzers["grams"].es_name,
                "search_analyzer": analyzers["grams_search"].es_name,
                "index_options": "freqs",
                "similarity": GRAMS_SIMILARITY,
            }
        return {"type": "text", "analyzer": analyzers["text"].es_name, "fields": subfields}
    if field.kind == "normalized_keyword":
        return {
            "type": "keyword",
            "normalizer": analyzers["keyword"].es_name,
            "fields": {RAW_SUBFIELD: {"type": "keyword"}},
        }
    return {"type": field.kind}


def index_body(analyzers: dict[str, Analyzer]) -> dict[str, Any]:
    """The body of the create-index request."""
    return {
        "settings": {
            "index": {
                # The defaults; a cluster's versions get the shards and replicas asked
                # for (ClusterSettings.layout), set when each one is created.
                "number_of_shards": DEFAULT_SHARDS,
                # One replica where a second node exists; a single dev node stays green.
                "auto_expand_replicas": AUTO_REPLICAS,
                "similarity": SIMILARITIES,
                "query": {"default_field": list(DEFAULT_FIELDS)},
            },
            "analysis": es_analysis(analyzers),
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {
                "mapping_version": MAPPING_VERSION,
                "generated_by": "arabic-search mappings --write",
            },
            "properties": {f.name: _field_mapping(f, analyzers) for f in FIELDS},
        },
    }


def render(analyzers: dict[str, Analyzer]) -> str:
    return _json(index_body(analyzers))


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def template_path(path: Path) -> Path:
    """The search template beside the mappings file."""
    return path.with_name(TEMPLATE_NAME)


def generated(path: Path, analyzers: dict[str, Analyzer]) -> dict[Path, str]:
    """Each file `arabic-search mappings --write` writes, with its text: the index body
    at `path`, and beside it the search body of the contract (cluster/query.py's template_body)."""
    return {path: render(analyzers), template_path(path): _json(template_body())}


def stale(path: Path, analyzers: dict[str, Analyzer]) -> list[Path]:
    """The generated files that are missing or differ from what the code generates."""
    return [
        p
        for p, text in generated(path, analyzers).items()
        if not (p.is_file() and p.read_text(encoding="utf-8") == text)
    ]
