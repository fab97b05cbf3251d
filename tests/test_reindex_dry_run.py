"""reindex --dry-run: the same reading, counts and checks as a reindex, and nothing
built; reindex --json: one object on stdout at the end."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import FIXTURES, interrupted_load, many_articles, reindex_paused, run_cli

from indexer.backends.embedded.backend import EmbeddedBackend

SAMPLE = str(FIXTURES / "ant-sample.jsonl")
VARIANTS = str(FIXTURES / "variants.jsonl")


def noisy_input(tmp_path: Path) -> str:
    """6 articles, each twice (6 duplicates), and 3 lines that are not JSON."""
    lines = [
        json.dumps({"url": f"http://n.test/{n % 6}", "title": f"خبر رقم {n % 6}"})
        for n in range(12)
    ]
    path = tmp_path / "noisy.jsonl"
    path.write_text("\n".join([*lines, "{no", "{no", "{no"]) + "\n", encoding="utf-8")
    return str(path)


def test_a_dry_run_counts_as_the_reindex_does_and_builds_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = noisy_input(tmp_path)
    dry = run_cli("reindex", source, "--home", str(home), "--dry-run", "--json")
    assert dry.code == 1, dry.err  # rejected records: the exit code of the reindex
    assert not home.exists()  # no version, no lock file, no alias
    assert "dry run, nothing built: read 15 / would index 6 / duplicates 6 / rejected 3" in dry.err
    assert "alias articles ->" not in dry.err
    real = run_cli("reindex", source, "--home", str(home), "--json")
    assert real.code == 1, real.err
    dry_json, real_json = json.loads(dry.out), json.loads(real.out)
    assert dry_json["dry_run"] is True and dry_json["version"] is None
    assert real_json["dry_run"] is False and real_json["version"].startswith("articles-")
    counts = ("read", "indexed", "duplicates", "rejected")
    assert [dry_json[k] for k in counts] == [real_json[k] for k in counts] == [15, 6, 6, 3]


def test_a_dry_run_leaves_the_alias_and_refuses_what_the_reindex_would(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert run_cli("reindex", SAMPLE, *home).code == 0
    before = run_cli("status", "--json", *home).out
    shrink = run_cli("reindex", VARIANTS, "--dry-run", *home)
    assert shrink.code == 2
    assert shrink.error_line().startswith(
        "arabic-search reindex: dry run: the alias 'articles' would stay on articles-"
    )
    assert "it would index 7 documents, under half of the 23" in shrink.error_line()
    allowed = run_cli("reindex", VARIANTS, "--dry-run", "--allow-shrink", *home)
    assert allowed.code == 0, allowed.err
    assert run_cli("status", "--json", *home).out == before  # same versions, same alias
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    nothing = run_cli("reindex", str(empty), "--dry-run", "--allow-shrink", *home)
    assert nothing.code == 2 and "it would index nothing" in nothing.error_line()


def test_a_dry_run_needs_no_lock(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "home")
    source = str(many_articles(tmp_path / "many.jsonl", 40))
    home = ["--home", str(tmp_path / "home"), "--alias", "news"]
    with reindex_paused(backend, source, "news", at=10):
        refused = run_cli("reindex", SAMPLE, *home)
        assert refused.code == 2  # a reindex runs: the real one waits its turn
        dry = run_cli("reindex", SAMPLE, "--dry-run", *home)
        assert dry.code == 0, dry.err


def test_a_dry_run_of_a_resume_checks_the_checkpoint_and_counts_from_it(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "home")
    source = str(many_articles(tmp_path / "many.jsonl", 40))
    stopped = interrupted_load(backend, source)
    home = ["--home", str(tmp_path / "home"), "--alias", "news"]
    dry = run_cli("reindex", "--resume", "--dry-run", "--json", *home)
    assert dry.code == 0, dry.err
    assert f"would resume {stopped.version} after " in dry.err
    result = json.loads(dry.out)
    assert result["version"] == stopped.version and result["read"] == 40
    assert result["resumed_from"]["records"] == stopped.checkpoint.records
    assert backend.interrupted("news") == stopped  # still there to resume
    other = run_cli("reindex", SAMPLE, "--resume", "--dry-run", *home)
    assert other.code == 2 and "--resume: the interrupted load read" in other.error_line()


def test_dry_run_and_from_index_together_are_refused(tmp_path: Path) -> None:
    result = run_cli("reindex", "--from-index", "--dry-run", "--home", str(tmp_path))
    assert result.code == 2
    assert "--dry-run reads files, and --from-index reads none" in result.error_line()


def test_json_is_one_object_on_stdout_and_nothing_else(tmp_path: Path) -> None:
    result = run_cli("reindex", SAMPLE, "--home", str(tmp_path / "home"), "--json")
    assert result.code == 0, result.err
    [line] = result.out.splitlines()
    assert json.loads(line) == {
        "alias": "articles",
        "version": json.loads(line)["version"],
        "dry_run": False,
        "from_index": False,
        "read": 23,
        "indexed": 23,
        "duplicates": 0,
        "rejected": 0,
        "resumed_from": None,
    }
    assert "read 23 / indexed 23" in result.err  # the summary stays on stderr
