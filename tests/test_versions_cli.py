"""The operator's commands on the alias's versions, as curator and the REST
conventions have them: versions, rollback --to, discard, unlock --yes, --json on each,
--version, and a mistyped option or command answered with the nearest one."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from fake_es import FakeCluster
from helpers import FIXTURES, Result, run_cli

from indexer.backends import Backend
from indexer.backends.cluster.backend import LOCK_INDEX, ClusterBackend
from indexer.backends.cluster.engines import ElasticsearchEngine
from indexer.backends.cluster.settings import ClusterSettings
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.cli import status as status_cli
from indexer.index.reindex import reindex

VARIANTS = str(FIXTURES / "variants.jsonl")  # 7 articles
TREC = str(FIXTURES / "trec")  # 3 articles


def cli(home: Path, *args: str, stdin: bytes = b"") -> Result:
    return run_cli(*args, "--backend", "embedded", "--home", str(home), stdin=stdin)


def three_versions(home: Path) -> tuple[str, str, str]:
    """Three complete versions of `articles`, the newest live: 7, 3 and 7 documents."""
    backend = EmbeddedBackend(home)
    first, second, third = (
        reindex(backend, [source], "articles", allow_shrink=True).version
        for source in (VARIANTS, TREC, VARIANTS)
    )
    return first, second, third


def current(home: Path) -> str | None:
    return EmbeddedBackend(home).status("articles").current


def test_versions_lists_each_version_with_its_state_and_the_live_one(tmp_path: Path) -> None:
    first, second, third = three_versions(tmp_path)
    EmbeddedBackend(tmp_path).rollback("articles")  # live: second
    stopped = EmbeddedBackend(tmp_path).create_version("articles")  # a load that stopped
    text = cli(tmp_path, "versions")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert [line.split()[-1] for line in lines[:3]] == ["complete"] * 3
    assert lines[1].startswith(f" * {second}") and lines[0].startswith(f"   {first}")
    assert "3 documents" in lines[1] and "7 documents" in lines[2]
    assert stopped in lines[3] and "interrupted" in lines[3]
    listed = cli(tmp_path, "versions", "--json")
    body = json.loads(listed.out)  # one object
    assert body["alias"] == "articles" and body["current"] == second
    rows = {v["name"]: v for v in body["versions"]}
    assert list(rows) == [first, second, third, stopped]
    assert [v["live"] for v in rows.values()] == [False, True, False, False]
    assert rows[stopped]["state"] == "interrupted" and rows[third]["documents"] == 7
    assert rows[first]["created_at"].startswith("20")


def test_versions_of_an_alias_with_nothing_is_refused(tmp_path: Path) -> None:
    result = cli(tmp_path, "versions", "--alias", "nothing")
    assert result.code == 2 and "alias 'nothing' does not exist" in result.error_line()


def test_rollback_to_goes_back_and_forward_and_plain_rollback_steps_back(
    tmp_path: Path,
) -> None:
    first, second, third = three_versions(tmp_path)
    back = cli(tmp_path, "rollback", "--to", first)
    assert back.code == 0, back.err
    assert back.out == f"alias articles: {third} -> {first}\n" and current(tmp_path) == first
    forward = cli(tmp_path, "rollback", "--to", second, "--json")
    assert forward.code == 0, forward.err
    assert json.loads(forward.out) == {"alias": "articles", "from": first, "to": second}
    assert current(tmp_path) == second
    # Plain rollback keeps its meaning: the next older complete version.
    assert cli(tmp_path, "rollback").out == f"alias articles: {second} -> {first}\n"
    assert cli(tmp_path, "rollback", "--to", third).code == 0  # back to the newest


def test_rollback_to_refuses_an_unknown_an_incomplete_and_the_current_version(
    tmp_path: Path,
) -> None:
    first, second, third = three_versions(tmp_path)
    stopped = EmbeddedBackend(tmp_path).create_version("articles")
    cases = {
        "articles-nope": f"has no version 'articles-nope': its versions are {first}, {second}",
        stopped: f"version {stopped} of 'articles' is incomplete",
        third: f"alias 'articles' is on {third} already",
    }
    for version, says in cases.items():
        result = cli(tmp_path, "rollback", "--to", version)
        assert result.code == 2, result.err
        assert says in result.error_line() and "Traceback" not in result.err
        assert current(tmp_path) == third


def test_discard_removes_an_old_or_incomplete_version_and_refuses_the_live_one(
    tmp_path: Path,
) -> None:
    first, second, third = three_versions(tmp_path)
    stopped = EmbeddedBackend(tmp_path).create_version("articles")
    old = cli(tmp_path, "discard", first)
    assert old.code == 0, old.err
    assert old.out == f"discarded {first} (alias articles stays on {third})\n"
    gone = cli(tmp_path, "discard", stopped, "--json")
    assert json.loads(gone.out) == {"alias": "articles", "discarded": stopped, "current": third}
    assert [v.name for v in EmbeddedBackend(tmp_path).status("articles").versions] == [
        second,
        third,
    ]
    live = cli(tmp_path, "discard", third)
    assert live.code == 2 and f"{third} is the live version of 'articles'" in live.error_line()
    # The advice runs as printed: the rollback it names, with the --home given.
    advised = live.error_line().split("('")[1].removesuffix("')").split()
    backend = ["--backend", "embedded", "--home", str(tmp_path)]
    assert advised == ["arabic-search", "rollback", *backend, "--to", second]
    unknown = cli(tmp_path, "discard", first)
    assert unknown.code == 2
    assert f"has no version {first!r}: its versions are {second}, {third}" in unknown.error_line()
    assert current(tmp_path) == third and cli(tmp_path, "rollback").code == 0


def test_discard_refuses_the_version_a_running_reindex_builds(tmp_path: Path) -> None:
    three_versions(tmp_path)
    builder = EmbeddedBackend(tmp_path)
    with builder.lock("articles"):  # a reindex that runs now
        building = builder.create_version("articles")
        result = cli(tmp_path, "discard", building)
    assert result.code == 2
    assert f"{building} is being built by a running reindex" in result.error_line()
    assert building in [v.name for v in builder.status("articles").versions]


# -------------------------------------------------------------------- unlock


def fake_cluster_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ClusterBackend:
    """The unlock command opens a cluster backend on a fake cluster."""
    settings = ClusterSettings(url="http://fake-es:9200")
    engine = ElasticsearchEngine(settings, client=FakeCluster().client())
    backend = ClusterBackend(engine, settings, dead_letters=tmp_path / "dead")

    def opened(options: object) -> Backend:
        return backend

    monkeypatch.setattr(status_cli, "open_backend", opened)
    return backend


def held_elsewhere(backend: ClusterBackend) -> None:
    holder = {"alias": "articles", "token": "x", "host": "another-host", "pid": 41, "since": "t"}
    backend.engine.create_document(LOCK_INDEX, "articles", holder)


def test_unlock_of_another_machines_lock_needs_yes_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = fake_cluster_cli(tmp_path, monkeypatch)
    held_elsewhere(backend)
    refused = run_cli("unlock")
    assert refused.code == 2
    line = refused.error_line()
    assert "pid 41 on another-host" in line and "--yes" in line and "not cleared" in line
    assert backend.lock_holder("articles") is not None
    cleared = run_cli("unlock", "--yes", "--json")
    assert cleared.code == 0, cleared.err
    body = json.loads(cleared.out)
    assert body["cleared"] is True and "another-host" in body["holder"]
    assert backend.lock_holder("articles") is None
    none = run_cli("unlock", "--json")  # nothing held: nothing to ask
    assert json.loads(none.out) == {"alias": "articles", "cleared": False, "holder": None}


def test_unlock_of_another_machines_lock_asks_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = fake_cluster_cli(tmp_path, monkeypatch)
    monkeypatch.setattr(status_cli, "stdin_is_terminal", lambda: True)
    held_elsewhere(backend)
    kept = run_cli("unlock", stdin=b"n\n")
    assert kept.code == 2 and "another-host" in kept.err and "[y/N]" in kept.err
    # The terminal echoes the answer and its newline; here the refusal follows the prompt.
    assert "[y/N] arabic-search unlock: the reindex lock on 'articles' was left" in kept.err
    assert backend.lock_holder("articles") is not None
    cleared = run_cli("unlock", stdin=b"y\n")
    assert cleared.code == 0, cleared.err
    assert "cleared the reindex lock on articles" in cleared.out
    assert backend.lock_holder("articles") is None


# ------------------------------------------------------------ the command line


def test_version_prints_the_installed_package_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert result.out == f"arabic-search {importlib.metadata.version('arabic-search')}\n"


def test_a_mistyped_option_names_the_nearest_one_with_the_commands_usage() -> None:
    cases = {
        ("search", "x", "--catgory", "sport"): ("usage: arabic-search search", "--category?"),
        ("status", "--jsn"): ("usage: arabic-search status", "did you mean --json?"),
        ("rollback", "--too", "v"): ("usage: arabic-search rollback", "did you mean --to?"),
        ("parse", "x", "--format", "jsnl"): ("usage: arabic-search parse", "'jsonl'?"),
    }
    for args, (usage, nearest) in cases.items():
        result = run_cli(*args)
        assert result.code == 2, args
        assert result.err.startswith(usage) and nearest in result.err, result.err


def test_a_mistyped_command_names_the_nearest_command() -> None:
    result = run_cli("serch", "x")
    assert result.code == 2
    assert "invalid choice: 'serch' (did you mean 'search'?" in result.err
    assert "did you mean" not in run_cli("zzzzzz").err  # nothing near: the list alone
