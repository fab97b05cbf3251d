"""`parse` with worker processes: the same outcomes, in the same order, as in one."""

from __future__ import annotations

import contextlib
import functools
import gzip
import os
import signal
import time
from collections.abc import Callable, Generator
from pathlib import Path

import pytest
from helpers import FIXTURES

from indexer import cli
from indexer.errors import EXIT_UNAVAILABLE
from indexer.ingest import workers as parse_workers
from indexer.ingest.articles import Article, Rejected, Written
from indexer.ingest.parse import Duplicate, parse_paths
from indexer.ingest.sources import jsonl
from indexer.ingest.sources.fieldmap import FieldMap, parse_field_options
from indexer.ingest.sources.files import ReadOptions, ReadPosition, input_bytes
from indexer.ingest.workers import ParseProcessError, default_workers, written_outcomes


def _inputs(tmp_path: Path) -> list[str]:
    """Every format, a .gz, duplicates (across files and blocks), blank lines, and
    records and files that are rejected."""
    sample = (FIXTURES / "ant-sample.jsonl").read_bytes()
    (tmp_path / "sample.jsonl.gz").write_bytes(gzip.compress(sample))
    (tmp_path / "broken.jsonl").write_bytes(b'{"title": "x"\n\n\xff\xfe\x00\n[1]\n')
    (tmp_path / "truncated.jsonl.gz").write_bytes(gzip.compress(sample)[:-200])
    return [
        str(FIXTURES / "ant-sample.jsonl"),
        str(tmp_path),
        str(FIXTURES / "trec"),
        str(FIXTURES / "scraped"),
        str(FIXTURES / "seed-article.txt"),
        str(FIXTURES / "variants.jsonl"),
        str(tmp_path / "missing.jsonl"),
    ]


def _written(paths: list[str], options: ReadOptions) -> list[object]:
    """parse_paths' outcomes, each article (a duplicate's too) as parse writes it."""
    outcomes: list[object] = []
    for outcome in parse_paths(paths, options):
        if isinstance(outcome, Article):
            outcomes.append(Written.of(outcome))
        elif isinstance(outcome, Duplicate):
            assert isinstance(outcome.article, Article)  # parse_paths keeps the Article
            outcomes.append(Duplicate(Written.of(outcome.article), outcome.first, outcome.reason))
        else:
            outcomes.append(outcome)
    return outcomes


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_give_what_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(jsonl, "BLOCK", 256)  # many blocks, each worker several
    paths = _inputs(tmp_path)
    here = _written(paths, ReadOptions())
    assert list(written_outcomes(paths, ReadOptions(), workers=workers)) == here
    kinds = {type(outcome).__name__ for outcome in here}
    assert kinds == {"Written", "Duplicate", "Rejected"}
    assert any(isinstance(o, Duplicate) and isinstance(o.article, Written) for o in here)


def test_the_options_reach_the_workers(tmp_path: Path) -> None:
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
    outcomes = list(written_outcomes([str(data)], options, workers=2))
    assert outcomes == _written([str(data)], options)
    assert isinstance(outcomes[0], Rejected) and isinstance(outcomes[1], Written)
    assert "limit 12" in outcomes[0].reason  # rejected: max_chars came along
    assert b'"title":"\xd8\xb9\xd9\x86\xd9\x88\xd8\xa7\xd9\x86"' in outcomes[1].line  # field map


def test_the_position_reaches_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "BLOCK", 256)
    paths = [str(FIXTURES / "ant-sample.jsonl"), str(FIXTURES / "seed-article.txt")]
    position = ReadPosition()
    seen = [position.bytes_read for _ in written_outcomes(paths, ReadOptions(), position, 2)]
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] == input_bytes(paths)


def _children() -> set[int]:
    found = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread (of the pool's) that ended
            found |= {int(pid) for pid in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_reader_that_stops_early_stops_the_workers() -> None:
    before = _children()
    outcomes = written_outcomes([str(FIXTURES / "ant-sample.jsonl")], ReadOptions(), workers=2)
    assert isinstance(outcomes, Generator)  # a reader stops it with close()
    next(outcomes)
    started = _children() - before
    assert len(started) == 2  # the workers run
    outcomes.close()
    assert not _children() & started  # and are gone


def _ignores_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    [mask] = [line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")]
    return bool(int(mask, 16) & 1 << (signal.SIGINT - 1))


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_ctrl_c_is_left_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "BLOCK", 256)
    monkeypatch.setattr(parse_workers, "TASK_BLOCKS", 1)  # many tasks, each worker several
    paths = [str(FIXTURES / "ant-sample.jsonl")]
    before = _children()
    outcomes = written_outcomes(paths, ReadOptions(), workers=2)
    first = next(outcomes)
    for pid in _children() - before:  # a terminal sends SIGINT to the whole group
        _wait_until(functools.partial(_ignores_sigint, pid))  # once the worker has started
        os.kill(pid, signal.SIGINT)
    assert [first, *outcomes] == _written(paths, ReadOptions())  # the workers went on


def _dies(*_: object) -> int:
    os._exit(3)  # as a worker killed, or out of memory: no word to the parent


def test_a_worker_that_dies_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_workers, "_work", _dies)  # what the forked workers run
    with pytest.raises(ParseProcessError, match=r"stopped \(exit code 3\)"):
        list(written_outcomes([str(FIXTURES / "ant-sample.jsonl")], ReadOptions(), workers=2))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_killed_worker_is_an_error_with_its_signal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(jsonl, "BLOCK", 256)
    monkeypatch.setattr(parse_workers, "TASK_BLOCKS", 1)
    # Enough blocks that work is still waiting when the worker is killed (a short input
    # may be parsed whole by then, and a pool with nothing left to do reports nothing).
    many = tmp_path / "many.jsonl"
    many.write_bytes((FIXTURES / "ant-sample.jsonl").read_bytes() * 100)
    before = _children()
    outcomes = written_outcomes([str(many)], ReadOptions(), workers=2)
    next(outcomes)
    os.kill(min(_children() - before), signal.SIGKILL)  # as the kernel's OOM killer does
    # -9, not the -15 of the other worker, which the pool stops once one has died
    with pytest.raises(ParseProcessError, match=r"stopped \(exit code -9\)"):
        list(outcomes)


def test_small_inputs_and_stdin_are_parsed_in_this_process() -> None:
    path = str(FIXTURES / "ant-sample.jsonl")
    assert default_workers(input_bytes([path])) == 0
    assert default_workers(input_bytes(["-"])) == 0
    assert default_workers(parse_workers.MIN_BYTES) == parse_workers.WORKERS


def test_the_cli_says_a_dead_worker_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parse_workers, "_work", _dies)
    path = str(FIXTURES / "ant-sample.jsonl")
    assert cli.main(["parse", path, "--workers", "2"]) == EXIT_UNAVAILABLE
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("arabic-search parse: a parsing process stopped (exit code")
    assert line.endswith("run it again, or with --workers 0 to parse in one process")
