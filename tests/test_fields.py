"""Every list of fields comes from the field table (indexer/index/fields.py): the typed
records that hold the fields have one attribute per row of their column, and what
users see (parse lines, hits, facets, filters, --field) follows the table."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import FIXTURES, run_cli

from indexer.backends.cluster import query as cluster_query
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.index.fields import (
    DOCUMENT_FIELDS,
    FACET_FIELDS,
    FIELD_BOOSTS,
    FIELDS,
    READ_FIELDS,
    SEARCHED_FIELDS,
    SHOWN_FIELDS,
    copied_from,
)
from indexer.index.reindex import reindex
from indexer.ingest.articles import Article
from indexer.ingest.sources.fieldmap import ALIASES, FieldMapError, parse_field_options
from indexer.search.query import Hit, SearchRequest, match_plan, plan_query

SAMPLE = FIXTURES / "ant-sample.jsonl"


def attributes(record: type) -> set[str]:
    return {f.name for f in dataclasses.fields(record)}


def test_the_records_have_an_attribute_for_each_field_of_their_column() -> None:
    assert attributes(Article) - {"origin", "warnings"} == set(DOCUMENT_FIELDS)
    assert attributes(Hit) - {"score", "highlight"} == set(SHOWN_FIELDS)
    assert set(FACET_FIELDS) <= attributes(SearchRequest)  # --category and the like
    assert set(ALIASES) == set(READ_FIELDS)  # each field a reader fills has its aliases


def test_the_columns_say_what_the_contract_says() -> None:
    """The index contract (docs/index-contract.md) in the table's terms."""
    assert FIELD_BOOSTS == {"content": 1.0, "title": 1.5}
    assert list(FIELD_BOOSTS) == ["content", "title"]  # the embedded schema's order
    assert copied_from("content") == ("title", "body") and copied_from("title") == ("title",)
    assert FACET_FIELDS == ("category", "source", "author")
    assert "lead" in DOCUMENT_FIELDS and "lead" not in SEARCHED_FIELDS
    assert {"content", "indexed_at"}.isdisjoint(DOCUMENT_FIELDS)  # made by the index
    assert len({f.name for f in FIELDS}) == len(FIELDS)


def test_parse_writes_the_document_fields() -> None:
    run = run_cli("parse", str(SAMPLE))
    assert run.code == 0, run.err
    line = json.loads(run.out.splitlines()[0])
    assert set(line) == set(DOCUMENT_FIELDS)


def test_a_hit_shows_the_shown_fields_on_both_backends(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    reindex(backend, [str(SAMPLE)], "articles")
    [hit] = backend.search("articles", SearchRequest(query="القاهرة", size=1)).hits
    assert set(hit.to_json()) == set(SHOWN_FIELDS) | {"score", "highlight"}
    assert hit.title and hit.id and hit.url  # filled from what the index stored
    body = cluster_query.search_body(SearchRequest(query="القاهرة"))
    assert body["_source"] == list(SHOWN_FIELDS)
    assert set(body["aggs"]) == set(FACET_FIELDS)


def test_a_query_searches_every_searched_field_with_its_boost() -> None:
    match = match_plan(plan_query("القاهرة"), "or")
    stemmed = {part.field: part.boost for part in match.optional if not part.exact}
    assert stemmed == FIELD_BOOSTS


def test_field_names_reach_the_field_option() -> None:
    assert parse_field_options(["lead=abstract"]) == {"lead": "abstract"}
    with pytest.raises(FieldMapError, match=", ".join(READ_FIELDS)):
        parse_field_options(["content=text"])  # filled by the index, not by a reader
