"""add and delete on the embedded backend: articles into and out of the live version,
the counts, and the update journal that carries them into a reindex's new version
(the same on an engine: tests/integration/test_engine_updates.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from helpers import FIXTURES, reindex_paused, run_cli

from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.backends.embedded.journal import Journal, _last_line
from indexer.index.mappings import MAPPING_VERSION
from indexer.index.reindex import reindex
from indexer.index.updates import add, delete

SAMPLE = FIXTURES / "ant-sample.jsonl"


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """The sample's first 20 articles, and its last 3."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_text("".join(lines[:20]), encoding="utf-8")
    rest.write_text("".join(lines[20:]), encoding="utf-8")
    return first, rest


def ids(home: Path, query: str = "") -> set[str]:
    result = run_cli("search", query, "--home", str(home), "--size", "100", "--json")
    assert result.code == 0, result.err
    return {hit["id"] for hit in json.loads(result.out)["hits"]}


def live(home: Path, first: Path) -> Path:
    """An embedded index of `first`'s articles under home."""
    assert run_cli("reindex", str(first), "--home", str(home)).code == 0
    return home


def test_added_articles_are_searchable_when_add_returns(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, rest = inputs
    home = live(tmp_path / "home", first)
    before = ids(home)
    result = run_cli("add", str(rest), "--home", str(home), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["read"], summary["new"], summary["replaced"]) == (3, 3, 0)
    after = ids(home)
    assert len(after) == 23 and before < after
    status = json.loads(run_cli("status", "--home", str(home), "--json").out)
    assert status["documents"] == 23


def test_an_article_with_an_indexed_id_replaces_it_and_unchanged_text_is_a_duplicate(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, _ = inputs
    home = live(tmp_path / "home", first)
    record = json.loads(first.read_text(encoding="utf-8").splitlines()[0])
    record["text"] += " وأضاف المراسل فقرة جديدة عن الاستثمار الزراعي."
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")

    result = run_cli("add", str(changed), str(first), "--home", str(home), "--json")

    assert result.code == 0, result.err
    summary = json.loads(result.out)
    # The changed one replaces its old text; the 19 others are indexed already, as
    # they are (its own old copy in first.jsonl is a duplicate of the changed one).
    assert (summary["new"], summary["replaced"], summary["duplicates"]) == (0, 1, 20)
    assert "indexed already, unchanged" in result.err
    assert len(ids(home)) == 20
    assert len(ids(home, "الاستثمار الزراعي")) >= 1


def test_the_same_text_under_another_id_is_a_duplicate_of_the_indexed_one(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, _ = inputs
    home = live(tmp_path / "home", first)
    record = json.loads(first.read_text(encoding="utf-8").splitlines()[0])
    record["url"] = "https://example.com/copied-elsewhere"
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")

    result = run_cli("add", str(copy), "--home", str(home), "--json")

    assert result.code == 0
    assert json.loads(result.out)["duplicates"] == 1
    assert "same text as indexed article" in result.err
    assert len(ids(home)) == 20


def test_add_counts_add_up_with_rejected_records(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    first, rest = inputs
    home = live(tmp_path / "home", first)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(rest.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")

    result = run_cli("add", str(broken), "--home", str(home), "--json")

    assert result.code == 1  # finished, with a rejected record
    s = json.loads(result.out)
    assert (s["read"], s["added"], s["duplicates"], s["rejected"]) == (4, 3, 0, 1)
    assert s["read"] == s["added"] + s["duplicates"] + s["rejected"]


def test_delete_removes_articles_and_names_the_ids_it_did_not_find(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, _ = inputs
    home = live(tmp_path / "home", first)
    gone = sorted(ids(home))[:2]
    listed = tmp_path / "withdrawn.txt"
    listed.write_text(f"{gone[1]}\n\nno-such-article\n", encoding="utf-8")

    result = run_cli("delete", gone[0], "--from", str(listed), "--home", str(home))

    assert result.code == 1
    assert "not found: no-such-article" in result.err
    assert "deleted 2 / not found 1" in result.err
    assert ids(home).isdisjoint(gone) and len(ids(home)) == 18


def test_add_and_delete_without_a_live_version_advise_the_reindex_to_run(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    home = str(tmp_path / "empty")
    for command in (("add", str(inputs[1])), ("delete", "some-id")):
        result = run_cli(*command, "--home", home, "--alias", "news")
        assert result.code == 2
        assert result.error_line().endswith(
            f"alias 'news' does not exist: no version of it was built; run 'arabic-search "
            f"reindex PATH... --alias news --home {home}' first"
        )


def test_add_refuses_a_version_built_before_add_existed(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, rest = inputs
    home = live(tmp_path / "home", first)
    [meta] = (home / "versions").glob("*/version.json")
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "mapping_version": 4}))

    result = run_cli("add", str(rest), "--home", str(home))

    assert result.code == 2
    expected = f"built with mapping version 4; add and delete need version {MAPPING_VERSION}"
    assert expected in result.error_line()
    assert len(ids(home)) == 20  # searches still work


def test_updates_made_during_a_reindex_are_in_its_new_version(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, rest = inputs
    home = live(tmp_path / "home", first)
    backend = EmbeddedBackend(home)
    old = backend.current("articles")
    withdrawn = sorted(ids(home))[0]  # in first.jsonl, which the reindex reads again

    with reindex_paused(backend, str(first), "articles", at=10):
        assert add(EmbeddedBackend(home), [str(rest)], "articles").new == 3
        assert delete(EmbeddedBackend(home), "articles", [withdrawn]).deleted == 1

    assert backend.current("articles") != old
    found = ids(home)
    assert len(found) == 22 and withdrawn not in found
    # Replayed, the journal keeps only its last entry, where the numbers go on from.
    assert [u.seq for u in backend.journal.after("articles", 0)] == [2]


def test_an_update_between_the_last_replay_and_the_switch_is_not_lost(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, rest = inputs
    home = live(tmp_path / "home", first)

    class AddsJustBeforeTheSwitch(EmbeddedBackend):
        def switch(self, alias: str, version: str) -> None:
            # The alias is still on the old version: the add goes there, and into the
            # journal, after the reindex's first replay read it.
            add(EmbeddedBackend(home), [str(rest)], alias)
            super().switch(alias, version)

    report = reindex(AddsJustBeforeTheSwitch(home), [str(first)], "articles")

    assert report.replayed == 1
    assert "(+ 1 updates made meanwhile)" in report.summary()
    assert len(ids(home)) == 23


def test_journal_numbers_never_repeat_with_writers_at_once(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    numbers: list[int] = []

    def write() -> None:
        for _ in range(20):
            numbers.append(journal.append("articles", (), ["some-id"]).seq)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(numbers) == list(range(1, 81))
    assert [u.seq for u in journal.after("articles", 70)] == list(range(71, 81))
    journal.trim("articles", 80)
    assert journal.last("articles") == 80  # the numbers go on from the last one


def test_the_last_journal_line_is_found_behind_long_lines(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    path.write_bytes(
        b'{"seq":1,"x":"' + b"a" * 200_000 + b'"}\n{"seq":2,"x":"' + b"b" * 150_000 + b'"}\n'
    )
    with open(path, "rb") as journal:
        assert _last_line(journal, block=4096).startswith(b'{"seq":2,')
