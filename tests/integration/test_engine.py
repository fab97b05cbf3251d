"""The engine itself: it accepts the generated mappings, its analyzers give the Python
tokens, and its refusals reach the user with their reasons."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from clusters import Cluster
from helpers import ROOT
from sentences import fixture_sentences, shared_sentences

from indexer.analysis.analyzers import Analyzer, default_analyzers
from indexer.backends import BackendError
from indexer.backends.cluster.backend import ClusterBackend
from indexer.backends.cluster.engines import ApiFailure
from indexer.index.mappings import index_body

pytestmark = pytest.mark.elasticsearch

MAPPINGS = json.loads((ROOT / "mappings/articles.json").read_text(encoding="utf-8"))


@pytest.fixture
def scratch_index(backend: ClusterBackend) -> Iterator[str]:
    name = f"scratch-{uuid.uuid4().hex[:8]}"
    body = index_body(default_analyzers())
    backend.engine.create_index(name, body["settings"], body["mappings"])
    yield name
    backend.engine.delete_index(name)


def test_the_engine_accepts_the_mappings_file_as_written(backend: ClusterBackend) -> None:
    name = f"mappings-{uuid.uuid4().hex[:8]}"
    backend.engine.create_index(name, MAPPINGS["settings"], MAPPINGS["mappings"])
    try:
        mappings = backend.engine.mappings(name)[name]
        assert mappings["dynamic"] == "strict"
        assert mappings["properties"]["content"]["fields"]["grams"]["analyzer"] == "arabic_grams"
    finally:
        backend.engine.delete_index(name)


def test_analyze_with_every_analyzer_gives_the_python_tokens(
    backend: ClusterBackend, scratch_index: str
) -> None:
    """Services query the index with raw Arabic: the engine's analyzers must normalize
    exactly as the Python ones do, on the fixture sentences and 2,000 of ../shared."""
    sentences = fixture_sentences() + shared_sentences(news=1000, wiki=500, classical=500)
    cases = [(a, s) for a in default_analyzers().values() for s in sentences]

    def differs(case: tuple[Analyzer, str]) -> bool:
        analyzer, sentence = case
        kind = "normalizer" if analyzer.spec.whole_value else "analyzer"
        body = {kind: analyzer.es_name, "text": sentence}
        return backend.engine.analyze(scratch_index, body) != analyzer.terms(sentence)

    with ThreadPoolExecutor(4) as pool:  # one request a case: a few at a time
        found = pool.map(differs, cases)
        differences = [(a.name, s) for (a, s), d in zip(cases, found, strict=True) if d]
    assert differences == []


def test_a_refusal_keeps_the_engines_reason(backend: ClusterBackend, scratch_index: str) -> None:
    with pytest.raises(ApiFailure) as refused:
        backend.engine.search(scratch_index, {"query": {"no_such_query": {}}})
    assert refused.value.status == 400
    assert "no_such_query" in refused.value.reason  # the type and the reason, not only a type
    with pytest.raises(BackendError, match=r"error while searching x: .*no_such_query"):
        backend._call(
            "searching x",
            lambda: backend.engine.search(scratch_index, {"query": {"no_such_query": {}}}),
        )


def test_wildcard_deletes_are_refused_as_by_elasticsearch_8(
    cluster: Cluster, backend: ClusterBackend, scratch_index: str
) -> None:
    """The tests' clean-up deletes by name: it must work where wildcards may not."""
    if cluster.local:  # set up like Elasticsearch 8+ (another cluster may not be)
        with pytest.raises(ApiFailure, match=r"[Ww]ildcard"):
            backend.engine.delete_index("scratch-*")
    assert backend.engine.is_index(scratch_index)
