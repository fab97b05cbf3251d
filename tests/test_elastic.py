"""The cluster backend through elasticsearch-py and a test transport (no server): the
failures a real node cannot be made to show on demand (429s, dropped connections).

Every request body is checked against the Elasticsearch reference; the page is cited
next to each check.
"""

from __future__ import annotations

import base64
import http.server
import importlib
import json
import os
import re
import socket
import subprocess
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_es import FakeCluster
from helpers import FIXTURES, ROOT, answer_json, reindex_paused, run_cli, wait_for
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import cli
from indexer.backends import BackendError, BackendUnavailable, Unsupported
from indexer.backends.cluster import backend as cluster_module
from indexer.backends.cluster import query as cluster_query
from indexer.backends.cluster.backend import LOCK_INDEX, ClusterBackend, version_pattern
from indexer.backends.cluster.bulk import BulkFailed
from indexer.backends.cluster.engines import ElasticsearchEngine, Engine, OpenSearchEngine
from indexer.backends.cluster.query import (
    decode_cursor,
    encode_cursor,
    parse_response,
    search_body,
)
from indexer.backends.cluster.settings import ClusterSettings
from indexer.errors import EXIT_USAGE
from indexer.index.reindex import reindex
from indexer.ingest.articles import Article
from indexer.search.query import (
    RANKING,
    RECENCY_FLOOR,
    QueryError,
    Recency,
    SearchRequest,
    plan_query,
)

VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles
MAPPINGS = json.loads((ROOT / "mappings/articles.json").read_text(encoding="utf-8"))


def fake_engine(cluster: FakeCluster, settings: ClusterSettings, engine: str) -> Engine:
    """An engine whose official client talks to the fake cluster."""
    if engine == "opensearch":
        return OpenSearchEngine(settings, client=cluster.opensearch_client())
    return ElasticsearchEngine(settings, client=cluster.client())


def backend_for(
    cluster: FakeCluster, tmp_path: Path, engine: str = "elasticsearch", **overrides: object
) -> ClusterBackend:
    options: dict[str, Any] = {
        "url": "http://fake-es:9200",
        "chunk_docs": 3,
        "initial_backoff": 0.0,
        **overrides,
    }
    settings = ClusterSettings(**options)
    return ClusterBackend(
        fake_engine(cluster, settings, engine),
        settings,
        dead_letters=tmp_path / "dead",
        sleep=lambda seconds: None,
    )


# ------------------------------------------------------------------ settings


def test_settings_from_env_verify_tls_by_default_and_hide_secrets() -> None:
    env = {"ES_URL": "https://elastic:s3cret@es.example:9200", "ES_API_KEY": "a2V5OnNlY3JldA=="}
    s = ClusterSettings.from_env(env)
    assert s.verify_certs is True
    assert s.safe_url == "https://es.example:9200"
    assert "s3cret" not in repr(s) and "a2V5OnNlY3JldA" not in repr(s)
    assert ElasticsearchEngine.client_options(s)["api_key"] == "a2V5OnNlY3JldA=="
    basic = ClusterSettings.from_env(
        {"ES_URL": "http://x:9200", "ES_USERNAME": "u", "ES_PASSWORD": "p"}
    )
    assert ElasticsearchEngine.client_options(basic)["basic_auth"] == ("u", "p")
    with pytest.raises(BackendError, match="ES_VERIFY_CERTS"):
        ClusterSettings.from_env({"ES_URL": "http://x:9200", "ES_VERIFY_CERTS": "maybe"})
    with pytest.raises(BackendError, match="ES_PASSWORD"):
        ClusterSettings.from_env({"ES_URL": "http://x:9200", "ES_USERNAME": "u"})
    with pytest.raises(BackendError, match="ES_URL"):
        ClusterSettings.from_env({})
    timeout = ClusterSettings.from_env({"ES_URL": "http://x:9200"}, request_timeout=5.0)
    assert timeout.request_timeout == 5
    # OpenSearch: its own variables, basic auth (no API keys in OpenSearch security).
    env = {"OPENSEARCH_URL": "https://a:s3cret@os.example:9200", "OPENSEARCH_PASSWORD": "pw"}
    env["OPENSEARCH_USERNAME"] = "admin"
    s = ClusterSettings.from_env(env, engine="opensearch")
    assert OpenSearchEngine.client_options(s)["http_auth"] == ("admin", "pw")
    assert "pw" not in repr(s) and "s3cret" not in repr(s)
    with pytest.raises(BackendError, match="OPENSEARCH_API_KEY"):
        ClusterSettings.from_env(
            {"OPENSEARCH_URL": "http://x:9200", "OPENSEARCH_API_KEY": "k"}, engine="opensearch"
        )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("localhost:9200", "must start with http:// or https://"),
        ("http://localhost", "names no port (e.g. http://localhost:9200)"),
        ("http://:9200", "name a host"),
    ],
)
def test_a_url_without_scheme_or_port_is_one_clear_line(url: str, says: str) -> None:
    with pytest.raises(BackendError, match=re.escape(says)) as refused:
        ClusterSettings.from_env({"ES_URL": url})
    assert str(refused.value).startswith("ES_URL ")


@pytest.mark.parametrize(
    ("engine", "url", "root"),
    [
        ("elasticsearch", "http://127.0.0.1:9311/articles", "http://127.0.0.1:9311"),
        ("opensearch", "https://127.0.0.1:9311/articles/_search?q=x", "https://127.0.0.1:9311"),
        (
            "elasticsearch",
            "http://elastic:hunter2@127.0.0.1:9311/articles",
            "http://127.0.0.1:9311",
        ),
    ],
)
def test_a_url_with_a_path_is_refused_with_the_cluster_root(
    engine: str, url: str, root: str, tmp_path: Path
) -> None:
    """A path would go before every API's path: each request would fail with "no
    handler". Refused when the settings are read, with the root to use instead."""
    prefix = {"elasticsearch": "ES_", "opensearch": "OPENSEARCH_"}[engine]
    with pytest.raises(BackendError) as refused:
        ClusterSettings.from_env({f"{prefix}URL": url}, engine=engine)
    message = str(refused.value)
    assert message.startswith(f"{prefix}URL must be the cluster's root: a scheme, a host and a ")
    assert "with no path" in message and f"use {root}" in message
    assert "hunter2" not in message and "elastic:" not in message
    assert ("user-info, not shown" in message) == ("@" in url)
    # The same root is accepted, with or without its trailing slash.
    for fine in (root, root + "/"):
        ClusterSettings.from_env({f"{prefix}URL": fine}, engine=engine)
    # The CLI: one line, exit 2, before any request.
    result = run_cli(
        *("status", "--backend", engine),
        cwd=tmp_path,
        env={f"{prefix}URL": url, "PATH": "/usr/bin:/bin"},
    )
    assert result.code == 2, result.err
    assert result.error_line() == f"arabic-search status: {message}"
    assert "hunter2" not in result.err + result.out and "Traceback" not in result.err


# ------------------------------------------------------------- index lifecycle


def test_reindex_creates_loads_checks_and_swaps(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    report = reindex(backend, [VARIANTS], "articles")
    version = report.version
    assert re.fullmatch(r"articles-\d{8}t\d{12}", version)
    assert report.indexed == 7 and report.adds_up()

    # Index creation: the generated mappings, with refresh off and no replicas while
    # loading. https://www.elastic.co/docs/reference/elasticsearch/index-settings/index-modules
    # and "tune for indexing speed" (refresh_interval -1, number_of_replicas 0).
    [create] = cluster.bodies(f"/{version}")
    meta = create["mappings"].pop("_meta")
    assert create["mappings"] == {k: v for k, v in MAPPINGS["mappings"].items() if k != "_meta"}
    # The load's state lives in the mapping's _meta: incomplete until the load ends; and
    # the replicas asked for (None: auto_expand_replicas), which a --resume restores.
    assert meta == {
        **MAPPINGS["mappings"]["_meta"],
        "layout": {"replicas": None},
        "complete": False,
    }
    assert create["settings"]["analysis"] == MAPPINGS["settings"]["analysis"]
    index_settings = create["settings"]["index"]
    assert index_settings["refresh_interval"] == "-1"
    assert index_settings["number_of_replicas"] == 0
    # auto_expand_replicas must be off, else number_of_replicas is ignored (es#27871).
    assert index_settings["auto_expand_replicas"] is False

    # Bulk: NDJSON pairs of action and source, in chunks of at most 3 documents.
    # https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-bulk
    bulks = cluster.bodies("/_bulk")
    assert [len(b) // 2 for b in bulks] == [3, 3, 1]
    action, source = bulks[0][0], bulks[0][1]
    assert action == {"index": {"_index": version, "_id": source["id"]}}
    assert {"id", "title", "body", "published_at", "category", "fingerprint", "indexed_at"} <= set(
        source
    )

    # Settings restored (null resets refresh_interval to its default), then a refresh.
    # https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-indices-put-settings
    [restore] = cluster.bodies(f"/{version}/_settings")
    assert restore == {"index": {"refresh_interval": None, "auto_expand_replicas": "0-1"}}
    assert (
        f"POST /{version}/_refresh" in cluster.paths()
        or f"GET /{version}/_refresh" in cluster.paths()
    )

    # First run: the alias is added in one _aliases call.
    # https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-indices-update-aliases
    assert cluster.bodies("/_aliases") == [
        {"actions": [{"add": {"index": version, "alias": "articles"}}]}
    ]
    assert cluster.aliases["articles"] == {version}


def test_second_reindex_moves_the_alias_in_one_atomic_call(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    first = reindex(backend, [VARIANTS], "articles").version
    second = reindex(backend, [str(FIXTURES / "trec")], "articles", allow_shrink=True).version
    assert cluster.bodies("/_aliases")[-1] == {
        "actions": [
            {"remove": {"index": first, "alias": "articles"}},
            {"add": {"index": second, "alias": "articles"}},
        ]
    }
    assert cluster.aliases["articles"] == {second}
    assert backend.rollback("articles") == first
    assert cluster.aliases["articles"] == {first}
    # As on the embedded backend: not forward again, and it says why.
    with pytest.raises(BackendError, match=rf"is on {first}, and no complete version older"):
        backend.rollback("articles")


def test_an_alias_move_whose_answer_is_lost_is_checked_not_resent(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    reindex(backend, [VARIANTS], "articles")
    cluster.answers_lost = {"POST /_aliases"}  # applied, then the answer times out
    report = reindex(backend, [VARIANTS], "articles")
    assert cluster.aliases["articles"] == {report.version}  # the switch held
    assert report.version in cluster.indices  # and its version was not discarded
    assert len(cluster.bodies("/_aliases")) == 2  # one per reindex: not sent again


def test_a_concrete_index_with_the_alias_name_is_replaced_atomically(tmp_path: Path) -> None:
    cluster = FakeCluster()
    cluster.indices["articles"] = {"settings": {}, "mappings": {}, "docs": {"x": {}}}
    backend = backend_for(cluster, tmp_path)
    version = reindex(backend, [VARIANTS], "articles").version
    # remove_index and add in the same call: "swap an index with an alias in one
    # operation" (update aliases API).
    assert cluster.bodies("/_aliases")[-1] == {
        "actions": [
            {"remove_index": {"index": "articles"}},
            {"add": {"index": version, "alias": "articles"}},
        ]
    }
    assert "articles" not in cluster.indices


def test_old_versions_beyond_the_last_two_are_deleted(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    versions = [reindex(backend, [str(FIXTURES / "trec")], "articles").version for _ in range(5)]
    assert sorted(n for n in cluster.indices if n.startswith("articles-")) == versions[-3:]


def test_429_items_are_resent_alone_and_mapping_errors_go_to_dead_letters(tmp_path: Path) -> None:
    cluster = FakeCluster()
    ids = []

    def status(doc_id: str, attempt: int) -> int:
        ids.append(doc_id)
        if len(set(ids)) == 2 and attempt == 1:
            return 429  # the second document: too many requests, once
        if len(set(ids)) == 4:
            return 400  # the fourth: a mapping error, final
        return 201

    cluster.item_status = status
    backend = backend_for(cluster, tmp_path, chunk_docs=10)
    report = reindex(backend, [VARIANTS], "articles")
    bulks = cluster.bodies("/_bulk")
    assert [len(b) // 2 for b in bulks] == [7, 1]  # only the 429 item is sent again
    assert report.indexed == 6 and report.rejected == 1 and report.adds_up()
    [line] = (tmp_path / "dead" / f"{report.version}.ndjson").read_text().splitlines()
    dead = json.loads(line)
    assert dead["reason"].startswith("status 400: mapper_parsing_exception")
    assert dead["document"]["id"] and dead["origin"].startswith(VARIANTS)


def test_whole_request_failures_and_dropped_connections_are_retried(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, chunk_docs=10)
    version = backend.create_version("articles")
    cluster.request_failures = [503, "drop", 502]
    from indexer.ingest.parse import parse_paths

    articles = [o for o in parse_paths([VARIANTS]) if isinstance(o, Article)]
    result = backend.load(version, articles)
    assert result.indexed == 7
    assert len(cluster.bodies("/_bulk")) == 4  # 503, dropped, 502, then through


def test_failing_past_the_retries_leaves_the_alias_where_it_was(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, max_retries=2)
    old = reindex(backend, [VARIANTS], "articles").version
    cluster.item_status = lambda doc_id, attempt: 429
    with pytest.raises(BulkFailed, match="after 2 retries") as failure:
        reindex(backend, [VARIANTS], "articles")
    assert "run the same reindex with --resume" in str(failure.value)
    assert cluster.aliases["articles"] == {old}
    [kept] = [n for n in cluster.indices if n.startswith("articles-") and n != old]
    assert backend.status("articles").current == old
    assert [v.complete for v in backend.status("articles").versions] == [True, False]
    interrupted = backend.interrupted("articles")
    assert interrupted is not None and interrupted[0] == kept


def test_resume_continues_into_the_same_index_without_sending_twice(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, max_retries=1, checkpoint_every=1)
    old = reindex(backend, [VARIANTS], "articles").version
    before = len(cluster.bodies("/_bulk"))

    def third_bulk_on_fails(doc_id: str, attempt: int) -> int:
        return 503 if len(cluster.bodies("/_bulk")) - before >= 3 else 201

    cluster.item_status = third_bulk_on_fails
    with pytest.raises(BulkFailed) as failure:
        reindex(backend, [VARIANTS], "articles")
    # Two bulks of 3 went in: the checkpoint is after record 6 (variants.jsonl line 6).
    assert f"checkpoint at record 6 ({VARIANTS} 6)" in str(failure.value)
    interrupted = backend.interrupted("articles")
    assert interrupted is not None
    version, checkpoint = interrupted
    assert (checkpoint.records, checkpoint.indexed) == (6, 6)

    cluster.item_status = lambda doc_id, attempt: 201
    sent_before = dict(cluster.attempts)
    report = reindex(backend, [VARIANTS], "articles", resume=True)
    assert report.version == version and report.resumed_from is not None
    assert (report.parse.read, report.indexed, report.rejected) == (7, 7, 0)
    assert report.adds_up()
    assert cluster.aliases["articles"] == {version} and old in cluster.indices
    assert len(cluster.indices[version]["docs"]) == 7
    resent = {d for d, n in cluster.attempts.items() if n > sent_before.get(d, 0)}
    assert len(resent) == 1  # only the record after the checkpoint
    assert backend.interrupted("articles") is None
    assert all(v.complete for v in backend.status("articles").versions)


def test_resume_refuses_other_input_and_needs_an_interrupted_load(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, max_retries=0)
    with pytest.raises(BackendError, match="no interrupted reindex of 'articles'"):
        reindex(backend, [VARIANTS], "articles", resume=True)
    cluster.item_status = lambda doc_id, attempt: 503
    with pytest.raises(BulkFailed):
        reindex(backend, [VARIANTS], "articles")
    with pytest.raises(BackendError, match="give the same paths"):
        reindex(backend, [str(FIXTURES / "trec")], "articles", resume=True)


def test_unreachable_cluster_is_backend_unavailable(tmp_path: Path) -> None:
    cluster = FakeCluster(request_failures=["drop"] * 10)
    backend = backend_for(cluster, tmp_path)
    with pytest.raises(BackendUnavailable, match="unreachable"):
        backend.create_version("articles")


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_status_and_from_index(tmp_path: Path, engine: str) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, engine=engine)
    first = reindex(backend, [VARIANTS], "articles").version
    status = backend.status("articles")
    assert (status.current, status.documents, status.health) == (first, 7, "green")
    assert status.mapping_version == MAPPINGS["mappings"]["_meta"]["mapping_version"]
    # Each version shows when it was made: the UTC time its name ends with.
    [made] = status.versions
    stamp = first.rsplit("-", 1)[1]  # e.g. 20261206t221249969490
    expected = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"
    assert made.created_at == f"{expected}+00:00"
    # Server-side re-analysis: _reindex from the current index into a new version.
    # https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-reindex
    version, count = backend.reindex_from_index("articles")
    # It runs as a task (wait_for_completion=false), polled until done: a long one
    # outlives any request timeout. https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-tasks-get
    [start] = [r for r in cluster.requests if r.path == "/_reindex"]
    assert start.body == {"source": {"index": first, "size": 1000}, "dest": {"index": version}}
    assert start.params["wait_for_completion"] == "false"
    assert any(r.path.startswith("/_tasks/") for r in cluster.requests)
    assert count == 7 and cluster.aliases["articles"] == {version}
    with pytest.raises(BackendError, match="no index"):
        backend_for(FakeCluster(), tmp_path).reindex_from_index("articles")


def _versions(cluster: FakeCluster) -> list[str]:
    return sorted(n for n in cluster.indices if n.startswith("articles-"))


@pytest.mark.parametrize("status", [405, 400, 404])
@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_from_index_without_the_reindex_module_is_refused_in_one_line(
    tmp_path: Path, engine: str, status: int
) -> None:
    """Elasticsearch's test distribution has no reindex module: POST /_reindex answers
    405 (/_reindex taken for an index name), or "no handler found". The new version is
    deleted, the alias stays, and one line says so and what to do instead."""
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, engine=engine)
    live = reindex(backend, [VARIANTS], "articles").version
    moves = len(cluster.bodies("/_aliases"))
    cluster.without = {"_reindex": status}
    with pytest.raises(Unsupported) as refused:
        backend.reindex_from_index("articles")
    created = [r.path[1:] for r in cluster.requests if r.method == "PUT"]
    [*_, new] = [name for name in created if version_pattern("articles").fullmatch(name)]
    product = {"elasticsearch": "Elasticsearch", "opensearch": "OpenSearch"}[engine]
    assert str(refused.value) == (
        f"the alias 'articles' stays on {live} and {new} was deleted: {product} at "
        f"http://fake-es:9200 has no _reindex API (HTTP {status}: its reindex module is not "
        "installed), which --from-index needs; reindex from the article files instead: "
        "arabic-search reindex PATH..."
    )
    assert not getattr(refused.value, "__notes__", None)  # one line, nothing added
    # Nothing live changed: the alias, its version and its documents; the lock is free.
    assert cluster.aliases["articles"] == {live} and _versions(cluster) == [live]
    assert len(cluster.indices[live]["docs"]) == 7
    assert len(cluster.bodies("/_aliases")) == moves
    assert cluster.indices[LOCK_INDEX]["docs"] == {}
    cluster.without = {}
    version, count = backend.reindex_from_index("articles")  # the module is back
    assert (count, cluster.aliases["articles"]) == (7, {version})


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_from_index_without_the_reindex_module_exits_2_with_one_line(
    tmp_path: Path,
    engine: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, engine=engine)
    live = reindex(backend, [VARIANTS], "articles").version
    cluster.without = {"_reindex": 405}
    monkeypatch.setattr(cluster_module, "open_cluster", lambda *args, **kwargs: backend)
    monkeypatch.setenv(
        {"elasticsearch": "ES_URL", "opensearch": "OPENSEARCH_URL"}[engine], "http://fake-es:9200"
    )
    assert cli.main(["reindex", "--from-index", "--backend", engine]) == EXIT_USAGE
    [line] = [x for x in capsys.readouterr().err.splitlines() if x.startswith("arabic-search")]
    assert line.startswith(f"arabic-search reindex: the alias 'articles' stays on {live} and ")
    assert line.endswith("reindex from the article files instead: arabic-search reindex PATH...")
    assert cluster.aliases["articles"] == {live} and _versions(cluster) == [live]


# -------------------------------------------------------------------- search


def test_search_body_for_user_syntax_filters_facets_highlights() -> None:
    request = SearchRequest(
        query='"وزير الدفاع" الخارجية -روسيا OR طهران',
        category="أخبار سورية",
        since=__import__("datetime").date(2021, 1, 1),
    )
    body = search_body(request)
    boolean = body["query"]["bool"]
    # A bool query of analyzed terms, as the embedded backend builds it: the phrase
    # stands alone, so it is required (must); "الخارجية" OR "طهران" rank (should); the
    # excluded word is must_not. No query parser runs on the server.
    # https://www.elastic.co/docs/reference/query-languages/query-dsl/query-dsl-bool-query
    text = boolean["must"][0]["bool"]
    [phrase] = text["must"]
    # A quoted phrase: a phrase of the stems and one of the exact words (stopwords kept).
    stems = {"query": "وزير دفاع", "analyzer": "whitespace", "boost": 1.0}
    exact = {"query": "وزير الدفاع", "analyzer": "whitespace", "boost": 0.25}
    assert {"match_phrase": {"content": stems}} in phrase["bool"]["should"]
    assert {"match_phrase": {"content.exact": exact}} in phrase["bool"]["should"]
    optional = {(f, q["value"], q["boost"]) for t in text["should"] for f, q in t["term"].items()}
    assert ("content", "طهر", 1.0) in optional and ("title", "طهر", 1.5) in optional  # stems
    assert ("content.exact", "الخارجيه", 0.25) in optional
    assert ("title.exact", "الخارجيه", 0.375) in optional
    excluded = json.dumps(boolean["must_not"], ensure_ascii=False)
    assert f'"content": {{"value": "{plan_query("روسيا").stems[0]}"' in excluded
    # The trigrams of the included words (stopwords and excluded words out) rank what
    # `must` matched: boosted term queries on content.grams, cut by the Python analyzer.
    grams = [c["term"]["content.grams"] for c in boolean["should"] if "content.grams" in c["term"]]
    assert {g["boost"] for g in grams} == {1.2}
    words = ["وزير", "الدفاع", "الخارجيه", "طهران"]  # normalized (ة -> ه)
    assert [g["value"] for g in grams] == [w[i : i + 3] for w in words for i in range(len(w) - 2)]
    # Filters: term on a keyword field runs its normalizer on the value (normalizer docs).
    assert boolean["filter"] == [
        {"term": {"category": "أخبار سورية"}},
        {"range": {"published_at": {"gte": "2021-01-01T00:00:00+00:00"}}},
    ]
    # Facets and the unified highlighter on the stored text.
    # https://www.elastic.co/docs/reference/elasticsearch/rest-apis/highlighting
    # Counted on the normalized keyword, labelled by the spellings of its .raw subfield;
    # 250 values a shard, so that several shards count the top ten exactly.
    assert body["aggs"]["source"] == {
        "terms": {"field": "source", "size": 10, "shard_size": 250},
        "aggs": {"spelling": {"terms": {"field": "source.raw", "size": 10}}},
    }
    assert body["highlight"]["type"] == "unified"
    # The query is on `content`; the highlighter marks a field only for queries on that
    # field (require_field_match, default true): the body gets its own highlight_query,
    # the same query on `body`.
    body_query = body["highlight"]["fields"]["body"]["highlight_query"]
    fields = {
        f for f in re.findall(r'"(\w+(?:\.exact)?)": \{"(?:value|query)"', json.dumps(body_query))
    }
    assert fields == {"body", "body.exact"}
    assert body["track_total_hits"] is True
    assert body["sort"] == ["_score", {"id": "asc"}] and body["from"] == 0


def test_a_repeated_filter_is_a_terms_query_of_its_values() -> None:
    request = SearchRequest(category=("سياسة", "اقتصاد", "سياسة"), source=("مصدر أ",), author="")
    # terms on a keyword field runs its normalizer on each value, as term does; the
    # values distinct, in the order given; an empty one is no filter.
    assert search_body(request)["query"]["bool"]["filter"] == [
        {"terms": {"category": ["سياسة", "اقتصاد"]}},
        {"term": {"source": "مصدر أ"}},
    ]


def test_operators_in_words_are_only_characters() -> None:
    # |, ", + and the like inside a word are text: they reach the engine only as terms.
    body = search_body(SearchRequest(query='a|b c"d +e (f) g*'))
    terms = {
        q["value"]
        for t in body["query"]["bool"]["must"][0]["bool"]["should"]
        for q in t["term"].values()
    }
    assert {"a", "b", "c", "d", "e", "f", "g"} <= terms


def test_a_year_and_a_month_filter_as_whole_periods() -> None:
    # The range comes from query.date_bounds, as on the embedded backend: parity.
    body = search_body(SearchRequest(query="x", since="٢٠١٨", until="2019-06"))
    assert body["query"]["bool"]["filter"] == [
        {
            "range": {
                "published_at": {
                    "gte": "2018-01-01T00:00:00+00:00",
                    "lte": "2019-06-30T23:59:59.999999+00:00",
                }
            }
        }
    ]


def test_recency_is_a_gauss_blended_with_the_score() -> None:
    # https://www.elastic.co/docs/reference/query-languages/query-dsl/query-dsl-function-score-query
    newest = datetime(2018, 10, 20, 7, 53, 24, tzinfo=UTC)
    recency = Recency(scale_days=30, offset_days=1, origin=newest)
    body = search_body(SearchRequest(query="x", recency=recency))
    score = body["query"]["function_score"]
    # score x (0.5 + 0.5 x gauss): the two functions summed, then multiplied.
    assert (score["score_mode"], score["boost_mode"]) == ("sum", "multiply")
    gauss = {"origin": "2018-10-20T07:53:24+00:00", "scale": "43200m", "offset": "1440m"}
    assert score["functions"] == [
        {"weight": RECENCY_FLOOR},
        {"gauss": {"published_at": {**gauss, "decay": 0.5}}, "weight": 1 - RECENCY_FLOOR},
    ]


def test_recency_decays_from_the_newest_article_found_by_a_max_aggregation() -> None:
    # https://www.elastic.co/docs/reference/aggregations/search-aggregations-metrics-max-aggregation
    sent: list[dict[str, Any]] = []
    newest_ms: int | None = 1_540_022_004_000  # 2018-10-20T07:53:24Z

    def send(body: dict[str, Any]) -> dict[str, Any]:
        sent.append(body)
        if "aggs" in body and "newest" in body["aggs"]:
            return {
                "hits": {"total": {"value": 3}, "hits": []},
                "aggregations": {"newest": {"value": newest_ms}},
            }
        return {"hits": {"total": {"value": 0}, "hits": []}}

    cluster_query.run_search(SearchRequest(query="x", recency=Recency(30)), send)
    newest, query = sent
    assert newest == {"size": 0, "aggs": {"newest": {"max": {"field": "published_at"}}}}
    [_, gauss] = query["query"]["function_score"]["functions"]
    assert gauss["gauss"]["published_at"]["origin"] == "2018-10-20T07:53:24+00:00"
    # No dated article: nothing to decay from, no decay. Sorted by date: no lookup.
    sent.clear()
    newest_ms = None
    cluster_query.run_search(SearchRequest(query="x", recency=Recency(30)), send)
    assert "function_score" not in sent[-1]["query"]
    sent.clear()
    cluster_query.run_search(SearchRequest(query="x", recency=Recency(30), sort="date"), send)
    assert len(sent) == 1


BY_DATE = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
UNDATED = -(2**63)  # the sort value of a missing date sorted last, descending


def _dated_hits(*sort_values: list[Any]) -> dict[str, Any]:
    """A response to a search sorted by date: no scores, each hit's sort values."""
    hits = [
        {
            "_id": doc_id,
            "_score": None,
            "_source": {"id": doc_id, "title": ""},
            "sort": [at, doc_id],
        }
        for at, doc_id in sort_values
    ]
    return {"hits": {"total": {"value": 5, "relation": "eq"}, "hits": hits}}


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(query="", size=2),
        SearchRequest(query="-القاهرة", size=2),
        SearchRequest(query='NOT "وزير الدفاع"', size=2, recency=Recency(30)),
        SearchRequest(query="", size=2, category="سياسة", since="2018"),
    ],
    ids=["nothing typed", "an exclusion", "NOT a phrase, recency", "filtered"],
)
def test_a_query_with_no_word_that_scores_is_sorted_by_date(
    tmp_path: Path, request_: SearchRequest
) -> None:
    """Every hit scores alike: the engine sorts them as --sort date does, newest first,
    undated last, then by id; page 2 and a cursor go on in that order, with no score.
    https://www.elastic.co/docs/reference/elasticsearch/rest-apis/sort-search-results"""
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    cluster.search_response = _dated_hits([1_540_022_004_000, "b"], [UNDATED, "a"])
    first = backend.search("articles", request_)
    second = backend.search("articles", replace(request_, page=2))
    assert first.next_cursor is not None
    on = backend.search("articles", replace(request_, cursor=first.next_cursor))
    bodies = cluster.bodies("/articles/_search")
    assert len(bodies) == 3  # no lookup of the newest date for recency: it weighs no score
    assert [b["sort"] for b in bodies] == [BY_DATE] * 3
    assert (bodies[0]["from"], bodies[1]["from"], bodies[2]["search_after"]) == (
        0,
        2,
        [UNDATED, "a"],
    )
    assert "function_score" not in json.dumps(bodies)
    # The very body of --sort date, filters and facets included.
    assert bodies[0] == search_body(replace(request_, sort="date"))
    assert all(h.score is None for r in (first, second, on) for h in r.hits)


def test_a_query_with_nothing_searchable_is_not_sent() -> None:
    def send(body: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("sent")

    result = cluster_query.run_search(SearchRequest(query="من في ،"), send)
    assert (result.total, result.nothing_searchable, result.dropped) == (0, True, ("من", "في", "،"))


def test_the_parts_past_the_word_limit_are_named_not_sent() -> None:
    sent: list[dict[str, Any]] = []

    def send(body: dict[str, Any]) -> dict[str, Any]:
        sent.append(body)
        return {"hits": {"total": {"value": 0}, "hits": []}}

    words = " ".join(f"كلمة{n}" for n in range(150))
    result = cluster_query.run_search(SearchRequest(query=f"{words} زائدة -أخرى"), send)
    assert result.over_limit == ("زائدة", "-أخرى")
    assert "زائده" not in json.dumps(sent, ensure_ascii=False)  # nor its exact form


def test_and_requires_every_word_of_a_part() -> None:
    body = search_body(SearchRequest(query="كوفيد-19 OR كورونا", operator="and"))
    # must: one of (كوفيد and 19) or كورونا.
    [either] = body["query"]["bool"]["must"][0]["bool"]["must"]
    both, alone = either["bool"]["should"]
    assert len(both["bool"]["must"]) == 2 and "bool" in alone
    assert '"كوفيد"' in json.dumps(both["bool"]["must"][0], ensure_ascii=False)


def test_deep_paging_uses_search_after() -> None:
    # https://www.elastic.co/docs/reference/elasticsearch/rest-apis/paginate-search-results
    request = SearchRequest(query="x", sort="date")
    cursor = encode_cursor([12.5, "abc"], request)
    body = search_body(replace(request, cursor=cursor))
    assert body["search_after"] == [12.5, "abc"] and "from" not in body
    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    with pytest.raises(QueryError):
        decode_cursor("not base64 at all!", request)
    old = base64.urlsafe_b64encode(b'[12.5, "abc"]').decode()  # without its search
    with pytest.raises(QueryError, match="not a cursor"):
        decode_cursor(old, request)
    with pytest.raises(QueryError, match="cursor"):
        search_body(SearchRequest(page=101, size=100))


def test_response_becomes_a_search_result() -> None:
    spellings = {
        "buckets": [
            {"key": "اخبار سوريه", "doc_count": 1},
            {"key": "أخبار سوريه", "doc_count": 2},
            {"key": "أخبار سورية", "doc_count": 2},
        ]
    }
    response = {
        "hits": {
            "total": {"value": 25, "relation": "eq"},
            "hits": [
                {
                    "_id": "a",
                    "_score": 3.5,
                    "_source": {"id": "a", "title": "عنوان", "published_at": "2021-11-23"},
                    "highlight": {"title": ["<em>عنوان</em>"]},
                    "sort": [3.5, "a"],
                }
            ],
        },
        "aggregations": {
            "category": {"buckets": [{"key": "x", "doc_count": 2}]},  # built before .raw
            "source": {"buckets": [{"key": "اخبار سوريه", "doc_count": 5, "spelling": spellings}]},
        },
    }
    result = parse_response(response, SearchRequest(query="x", size=1))
    assert result.total == 25 and result.hits[0].highlight == {"title": ["<em>عنوان</em>"]}
    # Each facet value in its most frequent spelling; equals: the first in code point order.
    assert result.facets == {"category": {"x": 2}, "source": {"أخبار سورية": 5}}
    assert result.next_cursor is not None
    assert decode_cursor(result.next_cursor, SearchRequest(query="x")) == [3.5, "a"]


@pytest.mark.parametrize(
    "other",
    [
        SearchRequest(query="y"),
        SearchRequest(query="x", operator="and"),
        SearchRequest(query="x", category="سياسة"),
        SearchRequest(query="x", since="2018"),
        SearchRequest(query="x", sort="date"),
        SearchRequest(query="x", recency=Recency(scale_days=7)),
    ],
)
def test_a_cursor_is_refused_by_another_search(other: SearchRequest) -> None:
    request = SearchRequest(query="x")
    cursor = encode_cursor([3.5, "a"], request)
    # The page size, facets and highlights are no part of it.
    same = replace(request, cursor=cursor, size=50, facets=False, highlight=False)
    assert search_body(same)["search_after"] == [3.5, "a"]
    with pytest.raises(QueryError, match="this cursor belongs to another search"):
        search_body(replace(other, cursor=cursor))
    with pytest.raises(QueryError, match="--cursor or --page, not both"):
        search_body(replace(request, cursor=cursor, page=2))


def test_size_0_asks_for_the_total_and_facets_only() -> None:
    body = search_body(SearchRequest(query="x", size=0, page=3))
    assert body["size"] == 0 and body["from"] == 0 and "aggs" in body
    response = {
        "hits": {"total": {"value": 25, "relation": "eq"}, "hits": []},
        "aggregations": {"category": {"buckets": [{"key": "x", "doc_count": 25}]}},
    }
    result = parse_response(response, SearchRequest(query="x", size=0))
    assert (result.total, result.hits, result.next_cursor) == (25, [], None)
    assert result.facets == {"category": {"x": 25}}


def test_search_goes_to_the_alias(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    backend.search("articles", SearchRequest(query="القاهرة"))
    [request] = [r for r in cluster.requests if r.path.endswith("/_search")]
    assert request.path == "/articles/_search"
    assert request.body == search_body(SearchRequest(query="القاهرة"))


@settings(max_examples=300)
@given(query=st.text(max_size=200), category=st.none() | st.text(max_size=40))
def test_any_input_makes_a_safe_body(query: str, category: str | None) -> None:
    body = search_body(SearchRequest(query=query, category=category))
    text = json.dumps(body, ensure_ascii=False)
    assert '"query_string"' not in text and '"script' not in text
    assert '"simple_query_string"' not in text


# ------------------------------------------------------------------------ CLI


def test_closed_port_exits_3_with_one_line_and_no_secret(tmp_path: Path) -> None:
    env = {
        "ES_URL": "http://elastic:hunter2@127.0.0.1:9",
        "ES_PASSWORD": "hunter2",
        "ES_USERNAME": "elastic",
        "PATH": "/usr/bin:/bin",
    }
    result = run_cli(
        *("reindex", str(FIXTURES / "seed-article.txt")),
        *("--backend", "elasticsearch", "--retries", "0"),
        cwd=tmp_path,
        env=env,
    )
    assert result.code == 3
    lines = result.err.strip().splitlines()
    assert lines[-1].startswith(
        "arabic-search reindex: Elasticsearch at http://127.0.0.1:9 is unreachable"
    )
    assert "Traceback" not in result.err
    assert "hunter2" not in result.err + result.out


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_a_server_that_never_answers_is_a_timeout_naming_timeout(
    engine: str, tmp_path: Path
) -> None:
    """A port that takes connections and never answers: not "unreachable", but a
    timeout, with the seconds, what was being done and the option to raise."""
    prefix = {"elasticsearch": "ES_", "opensearch": "OPENSEARCH_"}[engine]
    product = {"elasticsearch": "Elasticsearch", "opensearch": "OpenSearch"}[engine]
    # Listening, never accepting: the kernel completes the connections, nothing reads.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = run_cli(
            *("status", "--backend", engine, "--retries", "0", "--timeout", "0.3"),
            cwd=tmp_path,
            env={f"{prefix}URL": url, "PATH": "/usr/bin:/bin"},
        )
    assert result.code == 3, result.err
    assert result.error_line() == (
        f"arabic-search status: {product} at {url} timed out after 0.3 s while reading "
        "cluster health: no answer in time; if the cluster is busy, give it longer with "
        f"--timeout SECONDS (now 0.3, default 30); if it never answers, check {prefix}URL"
    )
    assert "unreachable" not in result.err and "Traceback" not in result.err


def test_a_cluster_that_goes_away_mid_load_fails_cleanly(tmp_path: Path) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, max_retries=2, checkpoint_every=1)
    old = reindex(backend, [VARIANTS], "articles").version
    sent = len(cluster.requests)
    # After seven more requests (the lock index and the lock, the new index, the update
    # journal's last entry, its first checkpoint, its first bulk, the checkpoint after
    # it), every request drops.
    cluster.request_failures = [None] * 7
    cluster.request_failures += ["drop"] * 1000
    with pytest.raises(BackendUnavailable) as failure:
        reindex(backend, [VARIANTS], "articles")
    message = str(failure.value)
    assert "the alias 'articles' was not moved" in message
    assert "checkpoint at record 3" in message and "with --resume to continue" in message
    # Where it stopped, reconciled: the records parsed so far.
    assert failure.value.__notes__[0].startswith("stopped after read ")
    assert cluster.aliases["articles"] == {old}
    assert len(cluster.requests) - sent < 50  # bounded: no endless retrying

    # The lock could not be cleared either: the message says how, and it works.
    assert "arabic-search unlock --alias articles" in failure.value.__notes__[-1]
    cluster.request_failures = []  # the cluster is back
    with pytest.raises(BackendError, match="another reindex of 'articles' is running"):
        reindex(backend, [VARIANTS], "articles", resume=True)
    held_by = backend.unlock("articles")
    assert held_by is not None and "pid" in held_by
    report = reindex(backend, [VARIANTS], "articles", resume=True)
    assert report.indexed == 7 and report.adds_up()
    assert cluster.aliases["articles"] == {report.version}


def test_a_reindex_that_indexes_nothing_is_deleted_and_the_alias_stays(tmp_path: Path) -> None:
    """The guard of indexer/index/reindex.py, through this backend's status()."""
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path)
    good = reindex(backend, [VARIANTS], "articles").version
    with pytest.raises(BackendError, match="indexed nothing"):
        reindex(backend, [str(tmp_path / "smal.jsonl")], "articles")
    assert cluster.aliases["articles"] == {good}
    assert sorted(n for n in cluster.indices if n.startswith("articles-")) == [good]


class _NotACluster(http.server.BaseHTTPRequestHandler):
    """A web server that is not a cluster: 404 with no body, or an HTML page."""

    status = 404
    body = b""

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "body", "engine"),
    [
        (404, b"", "elasticsearch"),
        (200, b"<html><body>" + b"<p>hello</p>" * 50 + b"</body></html>", "elasticsearch"),
        (404, b"", "opensearch"),
        (200, b"<html><body>" + b"<p>hello</p>" * 50 + b"</body></html>", "opensearch"),
    ],
)
def test_a_url_that_is_no_cluster_says_so_in_one_line(
    status: int, body: bytes, engine: str, tmp_path: Path
) -> None:
    handler = type("Handler", (_NotACluster,), {"status": status, "body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prefix = {"elasticsearch": "ES_", "opensearch": "OPENSEARCH_"}[engine]
    product = {"elasticsearch": "Elasticsearch", "opensearch": "OpenSearch"}[engine]
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        result = run_cli(
            *("status", "--backend", engine, "--retries", "0"),
            cwd=tmp_path,
            env={f"{prefix}URL": url, "PATH": "/usr/bin:/bin"},
        )
    finally:
        server.shutdown()
    assert result.code == 3, result.err
    line = result.error_line()
    assert line.startswith(f"arabic-search status: {url} is not an {product} cluster (")
    assert line.endswith(f"from /_cluster/health); check {prefix}URL")
    assert "<html>" not in result.err and "Traceback" not in result.err


class _OlderElasticsearch(http.server.BaseHTTPRequestHandler):
    """An Elasticsearch 7.17 server: it refuses requests for version 8 compatibility, as
    7.x does, and tells its version to a plain `GET /`."""

    def do_GET(self) -> None:
        if "compatible-with" in self.headers.get("accept", ""):
            reason = "Invalid media-type value on headers [Accept, Content-Type]"
            error = {"type": "media_type_header_exception", "reason": reason}
            answer_json(self, 400, {"error": {"root_cause": [error], **error}, "status": 400})
        else:
            version = {"number": "7.17.0"}
            answer_json(self, 200, {"version": version, "tagline": "You Know, for Search"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.do_GET()

    def log_message(self, *args: object) -> None:
        pass


def test_an_older_elasticsearch_is_named_with_the_supported_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OlderElasticsearch)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("ES_URL", url)
    try:
        code = cli.main(["search", "القاهرة", "--backend", "elasticsearch", "--retries", "0"])
    finally:
        server.shutdown()
    err = capsys.readouterr().err
    assert code == 2, err
    [line] = [x for x in err.splitlines() if x.startswith("arabic-search")]
    assert line.startswith(f"arabic-search search: Elasticsearch 7.17.0 at {url} refused")
    assert line.endswith("supports Elasticsearch 8.x and 9.x (tested on 8.19 and 9.5)")


# -------------------------------------------------------------------- status


def _cli_on(backend: ClusterBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's reindex, search and status open `backend` (on the fake cluster)."""
    for name in ("reindex", "search", "status"):
        module = importlib.import_module(f"indexer.cli.{name}")
        monkeypatch.setattr(module, "open_backend", lambda options: backend)


def _dead_pid() -> int:
    """The pid of a process of this machine that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_cluster_version_being_built_shows_as_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, checkpoint_every=1)
    _cli_on(backend, monkeypatch)

    def checkpointed() -> bool:
        found = backend.interrupted("articles")
        return found is not None and found.checkpoint.records >= 3

    with reindex_paused(backend, VARIANTS, "articles", at=5):
        wait_for(checkpointed, "the first checkpoint")
        status = run_cli("status", "--backend", "elasticsearch")
        as_json = json.loads(run_cli("status", "--backend", "elasticsearch", "--json").out)
    assert status.code == 0, status.err
    holder = f"pid {os.getpid()} on {socket.gethostname()} since "
    assert f"reindex lock held by {holder}" in status.out
    assert re.search(rf"  3 documents  running \(3 records so far, {holder}\S+\)", status.out)
    assert "interrupted" not in status.out and "--resume" not in status.out
    assert as_json["interrupted"] is None and as_json["lock"]["pid"] == os.getpid()
    assert [(v["state"], v["records"]) for v in as_json["versions"]] == [("running", 3)]
    after = json.loads(run_cli("status", "--backend", "elasticsearch", "--json").out)
    assert after["lock"] is None and [v["state"] for v in after["versions"]] == ["complete"]


def test_an_interrupted_cluster_version_shows_its_checkpoint_and_resumes_as_advised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = FakeCluster()
    backend = backend_for(cluster, tmp_path, max_retries=1, checkpoint_every=1)
    _cli_on(backend, monkeypatch)
    cluster.item_status = lambda doc_id, attempt: 503 if len(cluster.bodies("/_bulk")) >= 3 else 201
    with pytest.raises(BulkFailed):
        reindex(backend, [VARIANTS], "news")
    [kept] = [n for n in cluster.indices if n.startswith("news-")]
    # Loaded with refresh off, the engine counts nothing in it until a refresh.
    count = backend.engine.count
    monkeypatch.setattr(backend.engine, "count", lambda i: 0 if i == kept else count(i))
    # A lock left by a process of this machine that has ended holds nothing.
    dead = {"host": socket.gethostname(), "pid": _dead_pid(), "since": "2026-12-01T00:00:00"}
    cluster.indices.setdefault(LOCK_INDEX, {"settings": {}, "mappings": {}, "docs": {}})
    cluster.indices[LOCK_INDEX]["docs"]["news"] = dead

    status = run_cli("status", "--backend", "elasticsearch", "--alias", "news")
    assert status.code == 0, status.err
    assert f"{kept}  6 documents  interrupted at record 6 ({VARIANTS} 6)" in status.out
    assert "lock" not in status.out and "running" not in status.out
    advice = re.findall(r"run '([^']+)' to continue it", status.out)
    assert advice == ["arabic-search reindex --resume --backend elasticsearch --alias news"]
    as_json = json.loads(
        run_cli("status", "--backend", "elasticsearch", "--alias", "news", "--json").out
    )
    [version] = as_json["versions"]
    assert (version["documents"], version["records"], version["state"]) == (6, 6, "interrupted")
    assert as_json["interrupted"] == kept and as_json["lock"] is None

    cluster.item_status = lambda doc_id, attempt: 201
    monkeypatch.setattr(backend.engine, "count", count)  # the load refreshes at its end
    resumed = run_cli(*advice[0].split()[1:])
    assert resumed.code == 0, resumed.err
    assert cluster.aliases["news"] == {kept}


def test_status_of_an_alias_that_does_not_exist_on_a_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cli_on(backend_for(FakeCluster(), tmp_path), monkeypatch)
    result = run_cli("status", "--backend", "elasticsearch", "--alias", "nowhere")
    assert (result.code, result.out) == (2, "")
    assert result.error_line() == (
        "arabic-search status: alias 'nowhere' does not exist: no version of it was built; "
        "run 'arabic-search reindex PATH... --backend elasticsearch --alias nowhere' first"
    )


def test_the_shown_url_keeps_an_ipv6_host_in_brackets() -> None:
    settings = ClusterSettings(url="http://user:secret@[::1]:9200")
    assert settings.safe_url == "http://[::1]:9200"


def test_coordination_asks_each_stem_on_content_words() -> None:
    """Ranking.coordination: each stem of the words a hit may match is a term on
    content.words weighted by it (twice asked, twice the weight), which the engine
    scores as the weight times the stem's idf (BM25 with k1 = 0), as the embedded
    backend computes it."""
    ranking = replace(RANKING, coordination=2.0)
    body = search_body(SearchRequest(query="زلزال المدينة زلزال"), ranking=ranking)
    held = {
        clause["term"]["content.words"]["value"]: clause["term"]["content.words"]["boost"]
        for clause in body["query"]["bool"]["should"]
        if "content.words" in clause.get("term", {})
    }
    assert held == {plan_query("زلزال").stems[0]: 4.0, plan_query("المدينة").stems[0]: 2.0}
    off = search_body(SearchRequest(query="زلزال"), ranking=replace(RANKING, coordination=0.0))
    assert "content.words" not in json.dumps(off)
