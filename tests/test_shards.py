"""Shards and replicas, without an engine: --shards/--replicas and their variables, the
one line a bad value or the embedded backend gives, what a cluster version is created
and restored with, what status shows, and the search type every search asks for. (On
an engine: tests/integration/test_backend_parity.py runs its table on 3 shards.)"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_es import FakeCluster
from helpers import FIXTURES, ROOT, run_cli

from indexer.backends import BackendError
from indexer.backends.cluster import backend as cluster_module
from indexer.backends.cluster.backend import ClusterBackend
from indexer.backends.cluster.engines import ElasticsearchEngine, Engine, OpenSearchEngine
from indexer.backends.cluster.query import SEARCH_TYPE
from indexer.backends.cluster.settings import ClusterSettings
from indexer.errors import EXIT_OK, EXIT_USAGE
from indexer.index.reindex import reindex
from indexer.search.query import SearchRequest

VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles
URL = "http://fake-os:9200"
ENV = {"OPENSEARCH_URL": URL, "ARABIC_SEARCH_BACKEND": "opensearch"}
CLIENTS: dict[str, Callable[[FakeCluster, ClusterSettings], Engine]] = {
    "elasticsearch": lambda c, s: ElasticsearchEngine(s, client=c.client()),
    "opensearch": lambda c, s: OpenSearchEngine(s, client=c.opensearch_client()),
}


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    """A fake cluster that the CLI's cluster backends reach, with the settings the CLI
    made from its flags and the environment."""
    fake = FakeCluster()
    engines = {name: (lambda s, make=make: make(fake, s)) for name, make in CLIENTS.items()}
    monkeypatch.setattr(cluster_module, "ENGINES", engines)
    return fake


def _created(cluster: FakeCluster) -> dict[str, dict[str, object]]:
    """Each version's index settings as created, by name."""
    return {
        name: index["settings"]["index"]
        for name, index in cluster.indices.items()
        if re.fullmatch(r"articles-\d{8}t\d{12}", name)
    }


# ------------------------------------------------------------------ settings


def test_the_environment_sets_shards_and_replicas_and_the_flags_override_it() -> None:
    default = ClusterSettings.from_env({"ES_URL": URL})
    assert (default.shards, default.replicas) == (1, None)
    env = {"ES_URL": URL, "ARABIC_SEARCH_SHARDS": "4", "ARABIC_SEARCH_REPLICAS": "0"}
    assert (ClusterSettings.from_env(env).shards, ClusterSettings.from_env(env).replicas) == (4, 0)
    flags = ClusterSettings.from_env(env, shards=3, replicas=2)
    assert (flags.shards, flags.replicas) == (3, 2)
    # A flag not given keeps the environment's.
    kept = ClusterSettings.from_env(env, shards=None, replicas=None)
    assert (kept.shards, kept.replicas) == (4, 0)


def test_the_layout_is_set_in_one_place() -> None:
    assert ClusterSettings(url=URL).layout == {"number_of_shards": 1, "auto_expand_replicas": "0-1"}
    assert ClusterSettings(url=URL, shards=3, replicas=1).layout == {
        "number_of_shards": 3,
        "auto_expand_replicas": False,
        "number_of_replicas": 1,
    }


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("ARABIC_SEARCH_SHARDS", "0", "1 or more, not '0'"),
        ("ARABIC_SEARCH_SHARDS", "three", "1 or more, not 'three'"),
        ("ARABIC_SEARCH_SHARDS", "1.5", "1 or more, not '1.5'"),
        ("ARABIC_SEARCH_REPLICAS", "-1", "0 or more, not '-1'"),
        ("ARABIC_SEARCH_REPLICAS", "many", "0 or more, not 'many'"),
    ],
)
def test_a_bad_variable_is_one_line_exit_2(
    cluster: FakeCluster, variable: str, value: str, says: str
) -> None:
    for command in (("reindex", VARIANTS), ("status",)):
        result = run_cli(*command, env={**ENV, variable: value})
        assert result.code == EXIT_USAGE, result.err
        line = result.error_line()
        assert line == f"arabic-search {command[0]}: {variable} must be a whole number, {says}"
        assert "Traceback" not in result.err
    assert cluster.requests == []  # refused before any request


def test_a_flag_given_makes_its_variable_irrelevant(cluster: FakeCluster) -> None:
    env = {**ENV, "ARABIC_SEARCH_SHARDS": "none", "ARABIC_SEARCH_REPLICAS": "-1"}
    result = run_cli("reindex", VARIANTS, "--shards", "2", "--replicas", "0", env=env)
    assert result.code == EXIT_OK, result.err
    [created] = _created(cluster).values()
    assert created["number_of_shards"] == 2


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (("--shards", "0"), "argument --shards: must be 1 or more, not 0"),
        (("--shards", "x"), "argument --shards: not a number: 'x'"),
        (("--replicas", "-1"), "argument --replicas: must be 0 or more, not -1"),
        (("--replicas", "1.5"), "argument --replicas: not a number: '1.5'"),
    ],
)
def test_a_bad_flag_is_one_line_exit_2(
    cluster: FakeCluster, flags: tuple[str, ...], says: str
) -> None:
    result = run_cli("reindex", VARIANTS, *flags, env=ENV)
    assert result.code == EXIT_USAGE
    assert result.error_line() == f"arabic-search reindex: error: {says}"
    assert cluster.requests == []


def test_settings_made_in_code_are_checked_too() -> None:
    with pytest.raises(BackendError, match="shards must be a whole number, 1 or more, not 0"):
        ClusterSettings(url=URL, shards=0)
    with pytest.raises(BackendError, match="replicas must be a whole number, 0 or more, not -2"):
        ClusterSettings(url=URL, replicas=-2)


# ------------------------------------------------------------------ embedded


@pytest.mark.parametrize(
    ("flags", "asked"),
    [
        (("--shards", "3"), "--shards 3"),
        (("--replicas", "1"), "--replicas 1"),
        (("--shards", "2", "--replicas", "2"), "--shards 2 and --replicas 2"),
    ],
)
def test_the_embedded_backend_refuses_shards_and_replicas(
    tmp_path: Path, flags: tuple[str, ...], asked: str
) -> None:
    home = tmp_path / "home"
    result = run_cli("reindex", VARIANTS, "--backend", "embedded", "--home", str(home), *flags)
    assert result.code == EXIT_USAGE, result.err
    assert result.error_line() == (
        f"arabic-search reindex: {asked}: the embedded backend's index is one folder on "
        "this machine, one shard with no replica; leave them out, or reindex into a cluster "
        "(--backend elasticsearch or opensearch)"
    )
    assert not home.exists()  # nothing was built


def test_the_embedded_backend_takes_what_it_is(tmp_path: Path) -> None:
    """One shard and no replica describe its index: asked for, they are no error."""
    home = str(tmp_path / "home")
    flags = ("--backend", "embedded", "--home", home)
    result = run_cli("reindex", VARIANTS, *flags, "--shards", "1", "--replicas", "0")
    assert result.code == EXIT_OK, result.err
    status = json.loads(run_cli("status", *flags, "--json").out)
    [version] = status["versions"]
    assert (version["shards"], version["replicas"]) == (None, None)  # it has neither


# ------------------------------------------------------------------- cluster


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_a_version_is_created_with_its_shards_and_given_its_replicas_once_loaded(
    cluster: FakeCluster, engine: str
) -> None:
    env = {"ES_URL": URL, "OPENSEARCH_URL": URL, "ARABIC_SEARCH_BACKEND": engine}
    result = run_cli("reindex", VARIANTS, "--shards", "3", "--replicas", "2", env=env)
    assert result.code == EXIT_OK, result.err
    [(version, created)] = _created(cluster).items()
    # Created with its shards; loaded with no replica and no refresh.
    assert created["number_of_shards"] == 3
    assert created["number_of_replicas"] == 0 and created["auto_expand_replicas"] is False
    assert created["refresh_interval"] == "-1"
    # Then the replicas asked for, auto_expand_replicas off (else they are ignored).
    [restore] = cluster.bodies(f"/{version}/_settings")
    assert restore == {
        "index": {"refresh_interval": None, "auto_expand_replicas": False, "number_of_replicas": 2}
    }


def test_the_variables_set_the_layout_and_the_flags_win(cluster: FakeCluster) -> None:
    env = {**ENV, "ARABIC_SEARCH_SHARDS": "2", "ARABIC_SEARCH_REPLICAS": "1"}
    assert run_cli("reindex", VARIANTS, env=env).code == EXIT_OK
    assert run_cli("reindex", VARIANTS, "--shards", "5", env=env).code == EXIT_OK
    first, second = (_created(cluster)[name] for name in sorted(_created(cluster)))
    assert first["number_of_shards"] == 2 and second["number_of_shards"] == 5
    restores = [cluster.bodies(f"/{name}/_settings") for name in sorted(_created(cluster))]
    assert [r[0]["index"]["number_of_replicas"] for r in restores] == [1, 1]


def test_from_index_builds_the_new_version_with_the_shards_asked_for(
    cluster: FakeCluster,
) -> None:
    """Resharding: the copy on the server goes into a version of another layout."""
    assert run_cli("reindex", VARIANTS, env=ENV).code == EXIT_OK
    result = run_cli("reindex", "--from-index", "--shards", "4", env=ENV)
    assert result.code == EXIT_OK, result.err
    first, second = (_created(cluster)[name] for name in sorted(_created(cluster)))
    assert (first["number_of_shards"], second["number_of_shards"]) == (1, 4)


@pytest.mark.parametrize(("asked", "resumed_with"), [(2, None), (None, 1), (0, 3)])
def test_a_resumed_load_gets_the_replicas_its_version_was_created_with(
    cluster: FakeCluster, tmp_path: Path, asked: int | None, resumed_with: int | None
) -> None:
    """The version is the interrupted reindex's, shards and all: so are its replicas,
    whatever the resuming process's settings (another shell, the variable unset)."""

    def backend(replicas: int | None) -> ClusterBackend:
        settings = ClusterSettings(
            url=URL, replicas=replicas, chunk_docs=3, checkpoint_every=1, max_retries=0
        )
        engine = CLIENTS["opensearch"](cluster, settings)
        return ClusterBackend(engine, settings, tmp_path / "dead", sleep=lambda s: None)

    cluster.item_status = lambda doc_id, attempt: 503 if len(cluster.bodies("/_bulk")) > 1 else 201
    with pytest.raises(BackendError):
        reindex(backend(asked), [VARIANTS], "articles")
    cluster.item_status = lambda doc_id, attempt: 201
    version = reindex(backend(resumed_with), [VARIANTS], "articles", resume=True).version
    [restore] = cluster.bodies(f"/{version}/_settings")
    expected = ClusterSettings(url=URL, replicas=asked).layout
    del expected["number_of_shards"]
    assert restore == {"index": {"refresh_interval": None, **expected}}


def test_status_shows_each_versions_shards_and_replicas(cluster: FakeCluster) -> None:
    assert run_cli("reindex", VARIANTS, env=ENV).code == EXIT_OK
    assert run_cli("reindex", VARIANTS, "--shards", "3", "--replicas", "1", env=ENV).code == 0
    old, new = sorted(_created(cluster))
    status = run_cli("status", env=ENV)
    assert status.code == EXIT_OK, status.err
    lines = [line for line in status.out.splitlines() if line.startswith(" ")]
    [old_line] = [line for line in lines if old in line]
    [new_line] = [line for line in lines if new in line]
    # On this one node, auto_expand_replicas 0-1 gives no replica.
    assert old_line.startswith(f"   {old}  7 documents  complete  ")
    assert old_line.endswith("  1 shard, 0 replicas (auto 0-1)")
    assert new_line.startswith(f" * {new}  7 documents  complete  ")
    assert new_line.endswith("  3 shards, 1 replica")
    as_json = json.loads(run_cli("status", "--json", env=ENV).out)
    layouts = {
        v["name"]: (v["shards"], v["replicas"], v["auto_replicas"]) for v in as_json["versions"]
    }
    assert layouts == {old: (1, 0, "0-1"), new: (3, 1, None)}
    versions = json.loads(run_cli("versions", "--json", env=ENV).out)
    assert [(v["shards"], v["replicas"]) for v in versions["versions"]] == [(1, 0), (3, 1)]


def test_status_shows_a_running_versions_shards(
    cluster: FakeCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While it loads: its shards, and no replica yet."""
    settings = ClusterSettings(url=URL, shards=2, replicas=1)
    backend = ClusterBackend(CLIENTS["opensearch"](cluster, settings), settings)
    version = backend.create_version("articles")
    [info] = backend.status("articles").versions
    assert (info.name, info.complete) == (version, False)
    assert (info.shards, info.replicas, info.auto_replicas) == (2, 0, None)


# -------------------------------------------------------------------- search


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_every_search_asks_for_the_whole_index_term_statistics(
    cluster: FakeCluster, tmp_path: Path, engine: str
) -> None:
    settings = ClusterSettings(url=URL, shards=3)
    backend = ClusterBackend(CLIENTS[engine](cluster, settings), settings, tmp_path / "dead")
    reindex(backend, [VARIANTS], "articles")
    backend.search("articles", SearchRequest(query="القاهرة"))
    backend.search("articles", SearchRequest(query="", sort="date"))
    searches = [r for r in cluster.requests if r.path == "/articles/_search"]
    assert searches and {r.params.get("search_type") for r in searches} == {SEARCH_TYPE}


def test_the_index_contract_tells_services_the_search_type() -> None:
    """Services query the index directly: every search the contract's examples send
    asks for the term statistics the CLI's searches ask for (a URL parameter: the
    template is only the body)."""
    contract = (ROOT / "docs/index-contract.md").read_text(encoding="utf-8")
    examples = "".join(re.findall(r"```[a-z]*\n(.*?)```", contract, flags=re.DOTALL))
    urls = re.findall(r"_search[^\s\"',]*", examples)
    assert len(urls) >= 4 and all(u == f"_search?search_type={SEARCH_TYPE}" for u in urls)
    calls = re.findall(r"\.search\(index=[^)]*\)", examples)
    assert len(calls) == 2 and all(f'search_type="{SEARCH_TYPE}"' in c for c in calls)
    assert f"POST /articles/_search?search_type={SEARCH_TYPE}" in contract
