"""Reindexes on a real engine: load, refusals, the alias swap under load, rollback,
server-side _reindex, kill -9 and resume, two reindexes at once, the node going away."""

from __future__ import annotations

import dataclasses
import json
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from clusters import Cluster, delete_alias
from helpers import (
    FIXTURES,
    Result,
    cli_process,
    feed,
    finished,
    many_articles,
    run_cli,
    wait_for,
)

from indexer.backends.cluster.backend import LOCK_INDEX, ClusterBackend
from indexer.index.reindex import reindex
from indexer.ingest.articles import Article
from indexer.ingest.parse import parse_paths
from indexer.search.query import SearchRequest

pytestmark = pytest.mark.elasticsearch

VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles, one about القاهرة
TREC = str(FIXTURES / "trec")  # 3 articles


def cluster_env(cluster: Cluster) -> dict[str, str]:
    """The environment of a CLI pointed at the cluster (and nothing else of this one)."""
    return {"PATH": "/usr/bin:/bin", **cluster.env}


def cli(cluster: Cluster, *args: str, stdin: bytes = b"") -> Result:
    """The CLI on the cluster, in this process."""
    return run_cli(*args, stdin=stdin, env=cluster_env(cluster))


def cli_apart(
    cluster: Cluster, *args: str, stdin: int = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """The CLI on the cluster, in a process of its own (to be killed, say)."""
    return cli_process(*args, stdin=stdin, env=cluster_env(cluster))


def records_done(backend: ClusterBackend, alias: str) -> int:
    """Input records of the alias's load in progress at its last checkpoint (0 before
    the first one)."""
    found = backend.interrupted(alias)
    return found.checkpoint.records if found else 0


def wait_for_checkpoint(
    backend: ClusterBackend, alias: str, records: int, running: subprocess.Popen[bytes]
) -> None:
    """Until the running reindex of `alias` has saved a checkpoint past `records`."""
    what = f"checkpoint of '{alias}' past record {records}"
    wait_for(lambda: records_done(backend, alias) >= records, what, running)


def test_reindex_search_highlight_swap_rollback(backend: ClusterBackend, alias: str) -> None:
    first = reindex(backend, [VARIANTS], alias)
    assert first.indexed == 7 and first.adds_up()
    result = backend.search(alias, SearchRequest(query="القاهره"))  # ه for ة: normalized
    assert [h.title for h in result.hits] == ["زحام مروري في القاهرة"]
    assert "<em>" in result.hits[0].highlight["title"][0]
    assert "<em>القاهرة</em>" in result.hits[0].highlight["body"][0]  # searched via content
    second = reindex(backend, [TREC], alias, allow_shrink=True)
    status = backend.status(alias)
    assert (status.current, status.previous, status.documents) == (second.version, first.version, 3)
    assert status.health in ("green", "yellow")
    assert backend.rollback(alias) == first.version
    assert backend.search(alias, SearchRequest(query="القاهره")).total == 1


def test_rollback_to_a_version_both_ways_and_its_refusals(
    cluster: Cluster, backend: ClusterBackend, alias: str
) -> None:
    first, second, third = (
        reindex(backend, [source], alias, allow_shrink=True).version
        for source in (VARIANTS, TREC, VARIANTS)
    )
    back = cli(cluster, "rollback", "--alias", alias, "--to", first, "--json")
    assert back.code == 0, back.err
    assert json.loads(back.out) == {"alias": alias, "from": third, "to": first}
    assert backend.search(alias, SearchRequest(query="القاهره")).total == 1
    forward = cli(cluster, "rollback", "--alias", alias, "--to", second)
    assert forward.out == f"alias {alias}: {first} -> {second}\n"
    assert backend.status(alias).current == second
    stopped = backend.create_version(alias)  # a load that never completed
    cases = {
        f"{alias}-nope": f"has no version '{alias}-nope': its versions are {first}, {second}",
        stopped: f"version {stopped} of '{alias}' is incomplete",
        second: f"alias '{alias}' is on {second} already",
    }
    for version, says in cases.items():  # the embedded backend's words (tests/test_versions_cli.py)
        refused = cli(cluster, "rollback", "--alias", alias, "--to", version)
        assert refused.code == 2 and says in refused.error_line(), refused.err
    assert backend.status(alias).current == second
    assert backend.rollback(alias) == first  # plain rollback: the next older one


def test_discard_removes_what_is_not_live_and_refuses_the_rest(
    cluster: Cluster, backend: ClusterBackend, alias: str
) -> None:
    first, second = (
        reindex(backend, [source], alias, allow_shrink=True).version for source in (VARIANTS, TREC)
    )
    listed = json.loads(cli(cluster, "versions", "--alias", alias, "--json").out)
    assert [(v["name"], v["live"], v["state"]) for v in listed["versions"]] == [
        (first, False, "complete"),
        (second, True, "complete"),
    ]
    live = cli(cluster, "discard", second, "--alias", alias)
    assert live.code == 2 and f"{second} is the live version of '{alias}'" in live.error_line()
    with backend.lock(alias):  # a reindex running now, building a version
        building = backend.create_version(alias)
        running = cli(cluster, "discard", building, "--alias", alias)
    assert running.code == 2
    assert f"{building} is being built by a running reindex" in running.error_line()
    for version in (first, building):  # an old one; an incomplete one, now the lock is gone
        gone = cli(cluster, "discard", version, "--alias", alias, "--json")
        assert gone.code == 0, gone.err
        assert json.loads(gone.out) == {"alias": alias, "discarded": version, "current": second}
    assert [v.name for v in backend.status(alias).versions] == [second]
    unknown = cli(cluster, "discard", first, "--alias", alias)
    assert unknown.code == 2 and f"its versions are {second}" in unknown.error_line()


def test_counts_reconcile_and_real_refusals_become_dead_letters(
    backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    outcomes = list(parse_paths([VARIANTS]))
    articles = [a for a in outcomes if isinstance(a, Article)]
    assert articles == outcomes  # every record of variants.jsonl is an article
    # A date the engine cannot parse: it refuses that document alone (400).
    bad = dataclasses.replace(articles[2], published_at="2021-02-30T99:00:00")
    version = backend.create_version(alias)
    result = backend.load(version, [*articles[:2], bad, *articles[3:]])
    assert result.indexed == 6 and len(result.rejected) == 1
    [(refused, reason)] = result.rejected
    assert refused.id == bad.id and reason.startswith("status 400: ")
    assert "published_at" in reason
    [line] = (tmp_path / "dead" / f"{version}.ndjson").read_text(encoding="utf-8").splitlines()
    dead = json.loads(line)
    assert dead["id"] == bad.id and dead["document"]["published_at"] == bad.published_at
    # A field the strict mapping does not have, sent through the same bulk path.
    from indexer.backends.cluster.bulk import Action, BulkReport, bulk_lines, send

    report = BulkReport()
    stray = bulk_lines(version, "stray", {"no_such_field": 1})
    send(backend.engine, [Action(articles[0], stray)], report, 1, 0.0, 0.0)
    [(_, reason)] = report.dead
    assert "strict_dynamic_mapping_exception" in reason


def test_the_alias_swap_is_atomic_under_concurrent_searches(
    backend: ClusterBackend, alias: str
) -> None:
    reindex(backend, [VARIANTS], alias)
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_all_the_time() -> None:
        while not stop.is_set():
            try:
                seen.append(backend.search(alias, SearchRequest(query="القاهرة")).total)
            except BaseException as err:
                errors.append(err)

    searcher = threading.Thread(target=search_all_the_time)
    searcher.start()
    try:
        for _ in range(4):
            reindex(backend, [VARIANTS], alias)
    finally:
        stop.set()
        searcher.join()
    assert errors == [] and len(seen) > 20
    assert set(seen) == {1}  # never a missing alias, never an empty index


def test_from_index_outlives_the_request_timeout_or_is_refused_in_one_line(
    cluster: Cluster, alias: str, tmp_path: Path
) -> None:
    # One document a batch, one batch a second: about 7 s, with a 3 s timeout (a shorter
    # one is not met by the index creation itself on a loaded machine).
    slow = cluster.backend(
        tmp_path / "dead", request_timeout=3.0, reindex_batch=1, reindex_rate=1.0
    )
    first = reindex(slow, [VARIANTS], alias).version
    if cluster.release and "reindex" in cluster.release.missing:
        refused = cli(cluster, "reindex", "--from-index", "--alias", alias)
        assert refused.code == 2, refused.err
        line = refused.error_line()
        assert f"the alias '{alias}' stays on {first}" in line and "no _reindex API" in line
        assert "arabic-search reindex PATH" in line and "Traceback" not in refused.err
        assert list(slow.engine.mappings(f"{alias}-*")) == [first]  # the new one deleted
        assert slow.status(alias).current == first
        return
    started = time.monotonic()
    progress: list[tuple[int, int | None]] = []
    version, count = slow.reindex_from_index(alias, lambda *copied: progress.append(copied))
    assert time.monotonic() - started > 6.0  # it did outlive the timeout
    assert count == 7 and slow.status(alias).current == version
    # Told as it went (a poll a second), and at the end: copied of the task's total.
    done = [copied for copied, _ in progress]
    assert done == sorted(done) and any(0 < copied < 7 for copied in done), progress
    assert progress[-1] == (7, 7)
    # The destination is the mapped version (not one re-created by a stray write).
    assert slow.engine.mappings(version)[version]["dynamic"] == "strict"
    assert sorted(slow.engine.mappings(f"{alias}-*")) == [first, version]
    # The CLI: one JSON object at the end, with what a load's has.
    cli_run = cli(cluster, "reindex", "--from-index", "--alias", alias, "--json")
    assert cli_run.code == 0, cli_run.err
    result = json.loads(cli_run.out)
    assert result["from_index"] is True and (result["read"], result["indexed"]) == (7, 7)
    assert slow.status(alias).current == result["version"] != version


def test_a_dry_run_on_a_cluster_builds_nothing_and_refuses_a_shrink(
    cluster: Cluster, backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    first = reindex(backend, [str(FIXTURES / "ant-sample.jsonl")], alias).version
    args = ("--alias", alias, "--dead-letters", str(tmp_path / "dead"), "--dry-run")
    shrink = cli(cluster, "reindex", VARIANTS, *args)
    assert shrink.code == 2, shrink.err
    assert f"dry run: the alias '{alias}' would stay on {first}" in shrink.error_line()
    allowed = cli(cluster, "reindex", VARIANTS, "--allow-shrink", "--json", *args)
    assert allowed.code == 0, allowed.err
    assert json.loads(allowed.out)["indexed"] == 7
    assert list(backend.engine.mappings(f"{alias}-*")) == [first]  # no version made
    assert backend.status(alias).current == first and backend.lock_holder(alias) is None


def test_kill_9_mid_load_then_resume_indexes_each_article_once(
    cluster: Cluster, backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    lines = many_articles(tmp_path / "big.jsonl", 3000).read_bytes().splitlines(keepends=True)
    args = ("--alias", alias, "--dead-letters", str(tmp_path / "dead"))
    load = ("reindex", "-", "--format", "jsonl", "--checkpoint-every", "500", *args)
    running = cli_apart(cluster, *load, stdin=subprocess.PIPE)
    # Part of the input, from a pipe left open: the load is still running at the kill.
    feed(running, b"".join(lines[:2000]))
    wait_for_checkpoint(backend, alias, 1000, running)
    assert running.poll() is None, "the load ended before it could be killed"
    running.send_signal(signal.SIGKILL)
    finished(running, timeout=30)
    assert running.returncode == -signal.SIGKILL
    [killed] = backend.engine.mappings(f"{alias}-*")

    # Its own paths and options, from the checkpoint: "-", so the input again on stdin.
    resumed = cli(cluster, "reindex", "--resume", *args, stdin=b"".join(lines))
    assert resumed.code == 0, resumed.err
    assert f"resuming {killed} after record " in resumed.err
    assert "read 3000 / indexed 3000 / duplicates 0 / rejected 0" in resumed.err
    status = backend.status(alias)
    # 3,000 distinct ids in, 3,000 documents: each article once.
    assert (status.current, status.documents) == (killed, 3000)


def test_a_second_reindex_of_the_alias_refuses_and_deletes_nothing(
    cluster: Cluster, backend: ClusterBackend, alias: str
) -> None:
    first = reindex(backend, [VARIANTS], alias).version
    with backend.lock(alias):  # a reindex running elsewhere: in this process, not the CLI's
        second = finished(
            cli_apart(cluster, "reindex", TREC, "--alias", alias, "--allow-shrink"), timeout=120
        )
    assert second.code == 2, second.err
    line = second.error_line()
    assert f"another reindex of '{alias}' is running" in line and "arabic-search unlock" in line
    assert list(backend.engine.mappings(f"{alias}-*")) == [first]
    assert backend.status(alias).current == first

    # A lock left by a process of this machine that is gone is taken over.
    dead_pid = subprocess.Popen(["true"])  # its pid is free once it has ended
    dead_pid.wait()
    crashed = {"alias": alias, "token": "x", "host": socket.gethostname(), "pid": dead_pid.pid}
    backend.engine.create_document(LOCK_INDEX, alias, {**crashed, "since": "earlier"})
    third = cli(cluster, "reindex", TREC, "--alias", alias, "--allow-shrink")
    assert third.code == 0, third.err
    assert backend.engine.get_document(LOCK_INDEX, alias) is None  # released


def test_unlock_clears_a_lock_held_elsewhere(
    cluster: Cluster, backend: ClusterBackend, alias: str
) -> None:
    holder = {"alias": alias, "token": "x", "host": "another-host", "pid": 1, "since": "earlier"}
    backend.engine.create_document(LOCK_INDEX, alias, holder)
    # Another machine's lock, no terminal: refused until --yes says so.
    refused = cli(cluster, "unlock", "--alias", alias)
    assert refused.code == 2 and "another-host" in refused.error_line()
    assert "--yes" in refused.error_line()
    assert backend.engine.get_document(LOCK_INDEX, alias) is not None
    unlock = cli(cluster, "unlock", "--alias", alias, "--yes")
    assert unlock.code == 0, unlock.err
    assert "cleared the reindex lock" in unlock.out and "another-host" in unlock.out
    assert backend.engine.get_document(LOCK_INDEX, alias) is None


def test_versions_of_an_alias_named_alike_are_not_its_own(
    backend: ClusterBackend, alias: str
) -> None:
    other = f"{alias}-x"
    try:
        kept = reindex(backend, [TREC], other).version
        for _ in range(4):  # prunes all but the last three of `alias`
            reindex(backend, [TREC], alias)
        assert kept in backend.engine.mappings(f"{other}-*")
        assert all(v.name.startswith(f"{alias}-2") for v in backend.status(alias).versions)
        assert len(backend.status(alias).versions) == 3
    finally:
        delete_alias(backend, other)


def test_the_node_going_away_mid_load_exits_3_and_resume_completes(
    cluster: Cluster, tmp_path: Path
) -> None:
    release = cluster.local_release()  # a node of the same release, of this test's own
    node = release.node()
    cluster = Cluster(release.engine, node.start(), release)
    try:
        backend = cluster.backend(tmp_path / "dead")
        alias = "articles"
        old = reindex(backend, [VARIANTS], alias).version
        big = many_articles(tmp_path / "big.jsonl", 3000)
        lines = big.read_bytes().splitlines(keepends=True)
        args = ("--alias", alias, "--checkpoint-every", "500")
        give_up_soon = ("--retries", "2", "--timeout", "5")
        running = cli_apart(cluster, "reindex", "-", "--format", "jsonl", *args, *give_up_soon,
                            stdin=subprocess.PIPE)  # fmt: skip
        # Half the input, from a pipe left open: the load is still running when the node
        # goes away.
        feed(running, b"".join(lines[:1500]))
        wait_for_checkpoint(backend, alias, 1000, running)
        node.stop()
        started = time.monotonic()
        # The rest (not all read if it gives up first), then the end of the input.
        stopped = finished(running, b"".join(lines[1500:]), timeout=300)
        err = stopped.err
        assert stopped.code == 3, err
        assert time.monotonic() - started < 120  # bounded retries, no endless waiting
        assert f"the alias '{alias}' was not moved" in err and "--resume" in err
        assert "Traceback" not in err

        cluster = Cluster(release.engine, node.start(), release)  # same data, new port
        backend = cluster.backend(tmp_path / "dead")
        assert backend.status(alias).current == old
        backend.unlock(alias)  # the lock the stopped load could not release
        resumed = cli_apart(cluster, "reindex", "-", "--format", "jsonl", "--resume", *args,
                            stdin=subprocess.PIPE)  # fmt: skip
        again = finished(resumed, b"".join(lines), timeout=300)
        assert again.code == 0, again.err
        assert "read 3000 / indexed 3000 / duplicates 0 / rejected 0" in again.err
        status = backend.status(alias)
        assert status.current != old and status.documents == 3000
    finally:
        node.stop()


def test_a_keyword_over_lucenes_limit_is_cut_and_indexed_not_refused(
    cluster: Cluster, alias: str, tmp_path: Path
) -> None:
    # 36 kB of author: whole, the engine refuses the document (a term over 32766 bytes),
    # where the embedded backend indexes it; cut by the article, both index it alike.
    path = tmp_path / "long.jsonl"
    record = {"title": "عنوان", "text": "نص المقال", "author": "كاتب " * 7200 + "أخير"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    dead = tmp_path / "dead-letters"
    result = cli(cluster, "reindex", str(path), "--alias", alias, "--dead-letters", str(dead))
    assert result.code == 0, result.err
    assert "read 1 / indexed 1 / duplicates 0 / rejected 0" in result.err
    assert "author cut from 64,808 to 32,766 bytes" in result.err
    assert not dead.exists()
