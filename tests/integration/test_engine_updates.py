"""add and delete on a real engine: into the live version, seen by the next search,
and carried into the new version of a reindex that runs meanwhile (the embedded
backend's: tests/test_updates.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clusters import Cluster
from helpers import FIXTURES, Result, reindex_paused, run_cli

from indexer.backends import Unsupported
from indexer.backends.cluster.backend import ClusterBackend
from indexer.index.reindex import reindex, reindex_from_index
from indexer.index.updates import add, delete
from indexer.search.query import SearchRequest

pytestmark = pytest.mark.elasticsearch

VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles
TREC = str(FIXTURES / "trec")  # 3 others


def cli(cluster: Cluster, *args: str) -> Result:
    return run_cli(*args, env={"PATH": "/usr/bin:/bin", **cluster.env})


def ids(backend: ClusterBackend, alias: str) -> set[str]:
    return {h.id for h in backend.search(alias, SearchRequest(query="", size=100)).hits}


def test_add_and_delete_change_the_live_version_at_once(
    cluster: Cluster, backend: ClusterBackend, alias: str
) -> None:
    reindex(backend, [VARIANTS], alias)
    version = backend.current(alias)

    added = cli(cluster, "add", TREC, "--alias", alias, "--json")
    assert added.code == 0, added.err
    summary = json.loads(added.out)
    assert (summary["version"], summary["new"], summary["read"]) == (version, 3, 3)
    assert len(ids(backend, alias)) == 10  # searched right after: refreshed

    again = json.loads(cli(cluster, "add", TREC, VARIANTS, "--alias", alias, "--json").out)
    assert (again["added"], again["duplicates"]) == (0, 10)

    gone = sorted(ids(backend, alias))[0]
    deleted = cli(cluster, "delete", gone, "no-such-article", "--alias", alias)
    assert deleted.code == 1
    assert "not found: no-such-article" in deleted.err
    assert ids(backend, alias) == ids(backend, alias) - {gone} and len(ids(backend, alias)) == 9
    assert backend.status(alias).documents == 9


def test_updates_during_a_reindex_are_in_its_new_version(
    cluster: Cluster, backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    reindex(backend, [VARIANTS], alias)
    old = backend.current(alias)
    withdrawn = sorted(ids(backend, alias))[0]  # in VARIANTS, which the reindex reads again
    other = cluster.backend(tmp_path / "dead")  # another process's, as far as it knows

    with reindex_paused(backend, VARIANTS, alias, at=4):
        assert add(other, [TREC], alias).new == 3
        assert delete(other, alias, [withdrawn]).deleted == 1
        assert len(ids(backend, alias)) == 9  # the live version has them now

    assert backend.current(alias) != old
    found = ids(backend, alias)
    assert len(found) == 9 and withdrawn not in found
    # Replayed, the journal keeps only its last entry, where the numbers go on from.
    assert [u.seq for u in backend.journal.after(alias, 0)] == [2]


def test_an_update_between_the_last_replay_and_the_switch_is_not_lost(
    cluster: Cluster, backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    reindex(backend, [VARIANTS], alias)

    class AddsJustBeforeTheSwitch(ClusterBackend):
        def switch(self, alias: str, version: str) -> None:
            add(cluster.backend(tmp_path / "dead"), [TREC], alias)  # into the old version
            super().switch(alias, version)

    racing = AddsJustBeforeTheSwitch(backend.engine, backend.settings, tmp_path / "dead")
    report = reindex(racing, [VARIANTS], alias)

    assert report.replayed == 1
    assert len(ids(backend, alias)) == 10


def test_an_add_during_a_reindex_from_the_index_is_in_its_new_version(
    cluster: Cluster, backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    reindex(backend, [VARIANTS], alias)
    old = backend.current(alias)

    class AddsDuringTheCopy(ClusterBackend):
        def _restore_settings(self, version: str) -> None:
            # The copy is done and the alias still on the old version: the add goes there.
            add(cluster.backend(tmp_path / "dead"), [TREC], alias)
            super()._restore_settings(version)

    racing = AddsDuringTheCopy(backend.engine, backend.settings, tmp_path / "dead")
    try:
        version, count, replayed = reindex_from_index(racing, alias)
    except Unsupported:  # Elasticsearch's test nodes have no reindex module
        assert backend.current(alias) == old
        return
    assert (backend.current(alias), count, replayed) == (version, 7, 1)
    assert len(ids(backend, alias)) == 10
