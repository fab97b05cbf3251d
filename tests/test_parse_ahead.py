"""Parsing in a child process: the same outcomes, in the same order, as in this one."""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import pytest

from indexer.ingest import parse_paths
from indexer.parse_ahead import ParseProcessError, parse_paths_ahead
from indexer.sources.fieldmap import FieldMap, parse_field_options
from indexer.sources.files import ReadOptions, input_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def _inputs(tmp_path: Path) -> list[str]:
    """Every format, a .gz, duplicates, and records and files that are rejected."""
    sample = (FIXTURES / "ant-sample.jsonl").read_bytes()
    (tmp_path / "sample.jsonl.gz").write_bytes(gzip.compress(sample))
    (tmp_path / "broken.jsonl").write_bytes(b'{"title": "x"\n\xff\xfe\x00\n')
    return [
        str(FIXTURES / "ant-sample.jsonl"),
        str(tmp_path),
        str(FIXTURES / "trec"),
        str(FIXTURES / "scraped"),
        str(FIXTURES / "seed-article.txt"),
        str(tmp_path / "missing.jsonl"),
    ]


def test_the_child_gives_what_this_process_gives(tmp_path: Path) -> None:
    paths = _inputs(tmp_path)
    here = list(parse_paths(paths, ReadOptions()))
    assert list(parse_paths_ahead(paths, ReadOptions(), min_bytes=0)) == here
    kinds = {type(outcome).__name__ for outcome in here}
    assert kinds == {"Article", "Duplicate", "Rejected"}


def test_the_options_reach_the_child(tmp_path: Path) -> None:
    data = tmp_path / "custom.data"
    data.write_text(
        '{"headline": "عنوان الخبر", "story": "نص الخبر"}\n{"headline": "عنوان", "story": "نص"}\n',
        encoding="utf-8",
    )
    options = ReadOptions(
        format="jsonl",
        field_map=FieldMap(parse_field_options(["title=headline", "body=story"])),
        max_chars=12,
    )
    ahead = list(parse_paths_ahead([str(data)], options, min_bytes=0))
    assert ahead == list(parse_paths([str(data)], options))
    assert "limit 12" in ahead[0].reason  # rejected: max_chars came along
    assert (ahead[1].title, ahead[1].body) == ("عنوان", "نص")  # and the field map


def _children() -> set[int]:
    found = set()
    for task in Path("/proc/self/task").iterdir():
        found |= {int(pid) for pid in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_reader_that_stops_early_stops_the_child() -> None:
    before = _children()
    outcomes = parse_paths_ahead([str(FIXTURES / "ant-sample.jsonl")], ReadOptions(), min_bytes=0)
    next(outcomes)
    started = _children() - before
    assert started  # the child runs
    outcomes.close()
    assert not _children() & started  # and is gone


def test_a_child_that_dies_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(ParseProcessError, match="exit code 1"):
        list(parse_paths_ahead([str(FIXTURES / "trec")], ReadOptions(), min_bytes=0))


def test_small_inputs_are_parsed_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a child would fail
    path = str(FIXTURES / "ant-sample.jsonl")
    assert input_bytes([path]) == os.path.getsize(path) < 8 << 20
    assert list(parse_paths_ahead([path], ReadOptions())) == list(
        parse_paths([path], ReadOptions())
    )


def test_without_a_python_to_run_everything_is_parsed_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "")  # as in an application embedding Python
    path = str(FIXTURES / "ant-sample.jsonl")
    assert list(parse_paths_ahead([path], ReadOptions(), min_bytes=0)) == list(
        parse_paths([path], ReadOptions())
    )
