"""On three OpenSearch nodes, one cluster (the three_nodes fixture): a reindex on three
shards and a replica reconciles its counts; a node stops during a load, during
searches, during an alias switch and a rollback; it rejoins and the health is green.

The CLI talks to node-0, which never stops: a node that goes away is another one, as
when one node of a production cluster dies and the client's own node stays. Every
wait has a deadline and fails saying what it waited for.
"""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
from local_node import LocalCluster

from indexer.backends.cluster.backend import ClusterBackend

pytestmark = [pytest.mark.elasticsearch, pytest.mark.cluster3]

SHARDED = ("--shards", "3", "--replicas", "1")
VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles
TREC = str(FIXTURES / "trec")  # 3 articles
# A request that cannot be answered gives up within seconds, not the defaults' minutes.
GIVE_UP_SOON = ("--retries", "2", "--timeout", "5")


@pytest.fixture
def nodes(three_nodes: LocalCluster) -> Iterator[LocalCluster]:
    """The three nodes, all running; after the test, a node it stopped (even if it
    failed) is started again, and the cluster must be whole."""
    three_nodes.wait_for_health("yellow")
    yield three_nodes
    for index, node in enumerate(three_nodes.nodes):
        if node.process is None:
            three_nodes.start_node(index)


# In this module, `cluster` is the three nodes (node-0's url), not conftest.py's
# session fixture of one engine at a time: these tests run once, not on each engine.
@pytest.fixture
def cluster(nodes: LocalCluster) -> Cluster:
    return Cluster("opensearch", nodes.urls[0])


@pytest.fixture
def backend(cluster: Cluster, tmp_path: Path) -> ClusterBackend:
    return cluster.backend(tmp_path / "dead")


@pytest.fixture
def alias(backend: ClusterBackend, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"three-{request.node.name.removeprefix('test_')[:24].replace('_', '-')}"
    delete_alias(backend, name)  # what a run that died left
    yield name
    delete_alias(backend, name)


def cli(cluster: Cluster, *args: str, stdin: bytes = b"") -> Result:
    return run_cli(*args, stdin=stdin, env={"PATH": "/usr/bin:/bin", **cluster.env})


def cli_apart(cluster: Cluster, *args: str) -> subprocess.Popen[bytes]:
    env = {"PATH": "/usr/bin:/bin", **cluster.env}
    return cli_process(*args, env=env, stdin=subprocess.PIPE)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def shards(cluster: Cluster, index: str) -> list[dict[str, str]]:
    """Each copy of each shard of `index`: shard, prirep (p or r), state, node."""
    found: list[dict[str, str]] = get(
        f"{cluster.url}/_cat/shards/{index}?format=json&h=shard,prirep,state,node"
    )
    return found


def node_number(name: str) -> int:
    return int(name.removeprefix("node-"))


def status(cluster: Cluster, alias: str) -> dict[str, Any]:
    shown = cli(cluster, "status", "--alias", alias, "--json")
    assert shown.code == 0, shown.err
    found: dict[str, Any] = json.loads(shown.out)
    return found


def wait_for_health(cluster: Cluster, alias: str, health: str, timeout: float = 120) -> None:
    """Until `status` shows the cluster's health as `health`."""
    wait_for(lambda: status(cluster, alias)["health"] == health, f"health {health}", None, timeout)


def settled(cluster: Cluster, timeout: float = 120) -> None:
    """Until the cluster is green with no shard initializing or moving: green comes
    before the balancer has spread the copies over the nodes."""
    params = "wait_for_status=green&wait_for_no_relocating_shards=true"
    params += "&wait_for_no_initializing_shards=true&timeout=2s"

    def done() -> bool:
        try:
            return not get(f"{cluster.url}/_cluster/health?{params}")["timed_out"]
        except urllib.error.HTTPError as err:  # 408: not yet
            if err.code != 408:
                raise
            return False

    wait_for(done, "a green cluster with every shard in its place", None, timeout)


def counts(result: Result) -> dict[str, int]:
    found = json.loads(result.out)
    return {k: found[k] for k in ("read", "indexed", "duplicates", "rejected")}


def test_three_shards_and_a_replica_reconcile_their_counts(
    cluster: Cluster, alias: str, tmp_path: Path
) -> None:
    source = many_articles(tmp_path / "in.jsonl", 300)
    lines = source.read_text(encoding="utf-8").splitlines()
    # Two duplicates (the same text again) and two records that are no articles.
    extra = [lines[3], lines[7], "{not json", '{"title": "", "text": ""}']
    source.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")

    done = cli(cluster, "reindex", str(source), "--alias", alias, *SHARDED, "--json")
    assert done.code == 1, done.err  # some records rejected
    found = counts(done)
    assert found == {"read": 304, "indexed": 300, "duplicates": 2, "rejected": 2}
    assert found["read"] == found["indexed"] + found["duplicates"] + found["rejected"]

    wait_for_health(cluster, alias, "green")
    settled(cluster)
    shown = status(cluster, alias)
    assert shown["documents"] == found["indexed"]
    copies = shards(cluster, shown["current"])
    assert sorted((c["shard"], c["prirep"]) for c in copies) == [
        (s, kind) for s in "012" for kind in "pr"
    ]
    assert {c["state"] for c in copies} == {"STARTED"}
    # Spread over the three nodes, never a shard's two copies on one node.
    assert {c["node"] for c in copies} == {"node-0", "node-1", "node-2"}
    assert len({(c["shard"], c["node"]) for c in copies}) == 6


def test_a_node_stopped_during_the_load_loses_nothing(
    nodes: LocalCluster, cluster: Cluster, backend: ClusterBackend, alias: str, tmp_path: Path
) -> None:
    old = cli(cluster, "reindex", VARIANTS, "--alias", alias, *SHARDED, "--json")
    assert old.code == 0, old.err
    old_version = json.loads(old.out)["version"]
    lines = many_articles(tmp_path / "big.jsonl", 900).read_bytes().splitlines(keepends=True)
    load = ("reindex", "-", "--format", "jsonl", "--alias", alias, *SHARDED)
    args = ("--checkpoint-every", "500", *GIVE_UP_SOON)
    running = cli_apart(cluster, *load, *args)
    # Part of the input, from a pipe left open: the load is still running at the stop.
    # Its first bulk (500 documents) is in, and checkpointed; the rest waits for input.
    feed(running, b"".join(lines[:600]))
    what = "a checkpoint past record 500"
    wait_for(lambda: records_done(backend, alias) >= 500, what, running)
    found = backend.interrupted(alias)
    assert found is not None
    version = found.version
    copies = shards(cluster, version)
    # The node to stop: one of node-1 and node-2 that holds a primary of the version.
    [victim, *_] = sorted(c["node"] for c in copies if c["prirep"] == "p" and c["node"] != "node-0")
    held = {c["shard"] for c in copies if c["node"] == victim and c["prirep"] == "p"}
    # Its shards have another copy elsewhere, or the load cannot go on without it.
    alone = any(
        not any(c["shard"] == s and c["prirep"] == "r" and c["state"] == "STARTED" for c in copies)
        for s in held
    )
    nodes.stop_node(node_number(victim))
    stopped = finished(running, b"".join(lines[600:]), timeout=300)
    assert "Traceback" not in stopped.err
    if not alone:  # a replica took over: the load completes
        assert stopped.code == 0, stopped.err
        assert "read 900 / indexed 900 / duplicates 0 / rejected 0" in stopped.err
    else:  # the shard's only copy went: the load fails, in one line, and resumes
        assert stopped.code == 3, stopped.err
        # The error's one line, then its notes (what was read), a line each.
        line = next(x for x in stopped.err.splitlines() if x.startswith("arabic-search"))
        assert f"the alias '{alias}' was not moved" in line and "--resume" in line
        assert status(cluster, alias)["current"] == old_version
        nodes.start_node(node_number(victim))  # its copy of the shard comes back
        # Its own paths and options, from the checkpoint: "-", so the input again on stdin.
        resumed = cli_apart(cluster, "reindex", "--resume", "--alias", alias, *GIVE_UP_SOON)
        again = finished(resumed, b"".join(lines), timeout=300)
        assert again.code == 0, again.err
        assert f"resuming {version} after record " in again.err
        assert "read 900 / indexed 900 / duplicates 0 / rejected 0" in again.err
    shown = status(cluster, alias)
    assert shown["current"] == version and shown["documents"] == 900


def records_done(backend: ClusterBackend, alias: str) -> int:
    found = backend.interrupted(alias)
    return found.checkpoint.records if found else 0


def test_every_search_answers_in_full_or_fails_in_one_line_while_a_node_stops(
    nodes: LocalCluster, cluster: Cluster, alias: str, tmp_path: Path
) -> None:
    source = many_articles(tmp_path / "in.jsonl", 300)
    done = cli(cluster, "reindex", str(source), "--alias", alias, *SHARDED)
    assert done.code == 0, done.err
    wait_for_health(cluster, alias, "green")
    word = json.loads(source.read_text(encoding="utf-8").splitlines()[0])["text"].split()[0]
    search = ("search", word, "--alias", alias, "--size", "3", "--json", *GIVE_UP_SOON)
    assert json.loads(cli(cluster, *search).out)["total"] == 300

    copies = shards(cluster, status(cluster, alias)["current"])
    [victim, *_] = sorted(
        (c["node"] for c in copies if c["node"] != "node-0"),
        key=lambda n: -sum(c["node"] == n and c["prirep"] == "p" for c in copies),
    )
    stopper = threading.Thread(target=nodes.stop_node, args=(node_number(victim),))
    stopper.start()
    during = searches(cluster, search, until=lambda: not stopper.is_alive())
    stopper.join()
    after = searches(cluster, search, count=30)
    # While it stops, and until node-0 has seen it go: each search answers in full,
    # or fails in one line (exit 3).
    whole_or_a_line = [o for o in [*during, *after] if o != "300 hits"]
    assert all(o.startswith("arabic-search search: ") for o in whole_or_a_line), whole_or_a_line
    # Once it is gone, a replica of each of its shards answers: in full.
    assert after[-20:] == ["300 hits"] * 20, after
    assert status(cluster, alias)["documents"] == 300


def test_a_search_missing_a_shard_fails_in_one_line_never_short(
    nodes: LocalCluster, cluster: Cluster, alias: str, tmp_path: Path
) -> None:
    source = many_articles(tmp_path / "in.jsonl", 300)
    done = cli(
        cluster, "reindex", str(source), "--alias", alias, "--shards", "3", "--replicas", "0"
    )
    assert done.code == 0, done.err
    settled(cluster)
    copies = shards(cluster, status(cluster, alias)["current"])
    # A node other than node-0 with a shard of the version: its only copy.
    [victim, *_] = sorted(c["node"] for c in copies if c["node"] != "node-0")
    nodes.stop_node(node_number(victim))
    search = ("search", "", "--alias", alias, "--size", "3", "--json", *GIVE_UP_SOON)
    result = cli(cluster, *search)
    assert result.code == 3, result.out  # not the hits of the shards left, as if all
    line = result.error_line()
    assert "shards" in line and "the answer would miss articles" in line, line
    assert "Traceback" not in result.err
    nodes.start_node(node_number(victim))
    settled(cluster)
    assert json.loads(cli(cluster, *search).out)["total"] == 300


def searches(
    cluster: Cluster,
    search: tuple[str, ...],
    until: Callable[[], bool] = lambda: False,
    count: int = 400,
) -> list[str]:
    """Searches one after the other, `count` of them or fewer if `until()` comes
    first: each one's outcome, "N hits" or its one error line (exit 3); anything
    else fails the test at once."""
    seen: list[str] = []
    while len(seen) < count and not until():
        result = cli(cluster, *search)
        assert "Traceback" not in result.err, result.err
        if result.code == 0:
            seen.append(f"{json.loads(result.out)['total']} hits")
        else:
            assert result.code == 3, result.err
            seen.append(result.error_line())
    return seen


def test_the_alias_switch_and_rollback_with_a_node_down(
    nodes: LocalCluster, cluster: Cluster, alias: str
) -> None:
    first = cli(cluster, "reindex", VARIANTS, "--alias", alias, *SHARDED, "--json")
    assert first.code == 0, first.err
    wait_for_health(cluster, alias, "green")
    nodes.stop_node(2)
    every = ("search", "", "--alias", alias, "--size", "0", "--json")

    # A new version made and switched to on the two nodes left.
    second = cli(cluster, "reindex", TREC, "--alias", alias, "--allow-shrink", *SHARDED, "--json")
    assert second.code == 0, second.err
    assert json.loads(second.out)["indexed"] == 3
    shown = status(cluster, alias)
    assert shown["current"] == json.loads(second.out)["version"] and shown["documents"] == 3
    assert json.loads(cli(cluster, *every).out)["total"] == 3

    # And back: the first version has lost a copy of each shard on node-2, no more.
    back = cli(cluster, "rollback", "--alias", alias)
    assert back.code == 0, back.err
    shown = status(cluster, alias)
    assert shown["current"] == json.loads(first.out)["version"] and shown["documents"] == 7
    assert shown["health"] == "yellow"  # replicas of node-2's copies wait for it
    assert json.loads(cli(cluster, *every).out)["total"] == 7


def test_a_node_rejoins_and_the_health_is_green_again(
    nodes: LocalCluster, cluster: Cluster, alias: str, tmp_path: Path
) -> None:
    done = cli(cluster, "reindex", VARIANTS, "--alias", alias, *SHARDED)
    assert done.code == 0, done.err
    wait_for_health(cluster, alias, "green")
    # The elected cluster-manager, unless it is node-0: the others elect a new one.
    manager = get(f"{cluster.url}/_cat/cluster_manager?format=json")[0]["node"]
    victim = node_number(manager) if manager != "node-0" else 1
    nodes.stop_node(victim)
    shown = status(cluster, alias)
    assert shown["health"] == "yellow" and shown["documents"] == 7
    nodes.start_node(victim)
    wait_for_health(cluster, alias, "green")
    settled(cluster)
    shown = status(cluster, alias)
    assert shown["documents"] == 7
    copies = shards(cluster, shown["current"])
    assert {c["state"] for c in copies} == {"STARTED"} and len(copies) == 6
    assert f"node-{victim}" in {c["node"] for c in copies}  # it holds its copies again
    assert {n["name"] for n in get(f"{cluster.url}/_cat/nodes?format=json")} == {
        "node-0",
        "node-1",
        "node-2",
    }
