"""Against a real Elasticsearch (docker-compose.yml or ES_URL); skipped without one."""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.analysis.analyzers import default_analyzers
from indexer.backends.elastic import ElasticBackend
from indexer.backends.es_bulk import Action, BulkReport, send
from indexer.backends.es_settings import ElasticSettings
from indexer.ingest import parse_paths
from indexer.query import SearchRequest
from indexer.reindex import reindex

pytestmark = pytest.mark.elasticsearch

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/fixtures"
MAPPINGS = json.loads((ROOT / "mappings/articles.json").read_text(encoding="utf-8"))


@pytest.fixture
def backend(es_url: str, tmp_path: Path) -> ElasticBackend:
    settings = ElasticSettings.from_env({"ES_URL": es_url})
    return ElasticBackend(settings, dead_letters=tmp_path / "dead")


@pytest.fixture
def alias(backend: ElasticBackend) -> str:
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    backend.client.indices.delete(index=f"{name}*", ignore_unavailable=True)


def test_the_cluster_accepts_the_mappings(es_url: str) -> None:
    client = Elasticsearch(es_url)
    name = f"mappings-{uuid.uuid4().hex[:8]}"
    try:
        client.indices.create(index=name, **MAPPINGS)
        assert client.indices.get_mapping(index=name)[name]["mappings"]["dynamic"] == "strict"
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)


def test_analyze_api_gives_the_python_tokens(es_url: str) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from sentences import fixture_sentences, shared_sentences

    client = Elasticsearch(es_url)
    name = f"analyze-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name, **MAPPINGS)
    try:
        for analyzer in default_analyzers().values():
            for sentence in fixture_sentences() + shared_sentences():  # the parity set
                if analyzer.whole_value:
                    response = client.indices.analyze(
                        index=name, normalizer=analyzer.es_name, text=sentence
                    )
                else:
                    response = client.indices.analyze(
                        index=name, analyzer=analyzer.es_name, text=sentence
                    )
                es_terms = [t["token"] for t in response["tokens"]]
                assert es_terms == analyzer.terms(sentence), (analyzer.name, sentence)
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)


def test_reindex_search_swap_rollback_from_index(backend: ElasticBackend, alias: str) -> None:
    first = reindex(backend, [str(FIXTURES / "variants.jsonl")], alias)
    assert first.indexed == 7
    result = backend.search(alias, SearchRequest(query="القاهره"))
    assert [h.title for h in result.hits] == ["زحام مروري في القاهرة"]
    assert "<em>" in result.hits[0].highlight["title"][0]
    assert "<em>القاهرة</em>" in result.hits[0].highlight["body"][0]  # searched via content
    second = reindex(backend, [str(FIXTURES / "trec")], alias)
    assert backend.status(alias).current == second.version
    assert backend.rollback(alias) == first.version
    version, count = backend.reindex_from_index(alias)
    assert count == 7 and backend.status(alias).current == version


def test_a_refused_document_lands_in_the_dead_letters(backend: ElasticBackend, alias: str) -> None:
    version = backend.create_version(alias)
    [article] = [o for o in parse_paths([str(FIXTURES / "seed-article.txt")])]
    body = {"_index": version, "_id": "x", "_source": {"no_such_field": 1}}  # dynamic: strict
    report = BulkReport()
    send(backend.client, [Action(article, body, 100)], report, 1, 0.0, 0.0)
    assert report.indexed == 0
    [(_, reason)] = report.dead
    assert "strict_dynamic_mapping_exception" in reason


def test_an_interrupted_reindex_resumes_into_the_same_index(
    backend: ElasticBackend, alias: str
) -> None:
    seen = 0

    def interrupt_at_5(outcome: object) -> None:
        nonlocal seen
        seen += 1
        if seen == 5:
            raise KeyboardInterrupt

    # Bulks of 2: the 5th record stops the load before the bulk of records 3 and 4.
    small = ElasticBackend(
        dataclasses.replace(backend.settings, chunk_docs=2),
        client=backend.client,
        dead_letters=backend.dead_letters,
    )
    source = str(FIXTURES / "variants.jsonl")
    with pytest.raises(KeyboardInterrupt):
        reindex(small, [source], alias, on_outcome=interrupt_at_5, checkpoint_every=2)
    version, checkpoint = backend.interrupted(alias)
    assert (checkpoint["records"], checkpoint["indexed"]) == (2, 2)
    report = reindex(backend, [source], alias, resume=True)
    assert (report.version, report.indexed) == (version, 7) and report.adds_up()
    assert backend.status(alias).current == version
