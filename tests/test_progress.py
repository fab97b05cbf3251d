"""What parse and reindex show while they read: a bar with the bytes read, the first
few problems of each kind, a summary with the time, and a report of every record."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import FIXTURES, many_articles, run_cli, wait_for

from indexer.ingest import progress
from indexer.ingest.articles import Article
from indexer.ingest.parse import parse_paths
from indexer.ingest.progress import PROGRESS_LINE_SECONDS, SHOWN_EACH, CopyLog, ReadLog
from indexer.ingest.sources.files import ReadOptions, ReadPosition
from indexer.ingest.workers import written_outcomes


def noisy_input(tmp_path: Path) -> Path:
    """12 articles, each twice (12 duplicates), and 8 lines that are not JSON."""
    lines = [
        json.dumps({"url": f"http://n.test/{n % 12}", "title": f"خبر رقم {n % 12}"})
        for n in range(24)
    ]
    lines += ["{not json"] * 8
    path = tmp_path / "noisy.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["parse", "reindex"])
def test_the_first_few_problems_are_shown_and_the_report_has_every_record(
    command: str, tmp_path: Path
) -> None:
    source = noisy_input(tmp_path)
    backend = ["--backend", "embedded", "--home", str(tmp_path / "home")]
    options = [*backend] if command == "reindex" else []
    report = tmp_path / "fates.jsonl"
    result = run_cli(command, str(source), "--report", str(report), *options)
    assert result.code == 1, result.err  # rejected records: exit 1
    lines = result.err.splitlines()
    assert sum(": duplicate of " in line for line in lines) == SHOWN_EACH
    assert sum(": rejected: invalid JSON" in line for line in lines) == SHOWN_EACH
    assert (
        f"not shown: 7 more duplicates, 3 more rejections; every record's fate is in {report}"
        in (lines)
    )
    kept = "parsed" if command == "parse" else "indexed"
    summary = f"read 32 / {kept} 12 / duplicates 12 / rejected 8 in "
    assert any(line.startswith(summary) and line.endswith(" records/s)") for line in lines)
    # One line per record read, each with its place; they add up as the summary does.
    fates = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert Counter(f["fate"] for f in fates) == {kept: 12, "duplicate": 12, "rejected": 8}
    assert [f["line"] for f in fates] == list(range(1, 33))
    duplicate = next(f for f in fates if f["fate"] == "duplicate")
    assert duplicate["origin"] == f"{source}:13" and duplicate["duplicate_of"] == f"{source}:1"
    assert next(f for f in fates if f["fate"] == "rejected")["reason"].startswith("invalid JSON")


def test_verbose_shows_every_problem(tmp_path: Path) -> None:
    result = run_cli("parse", str(noisy_input(tmp_path)), "--verbose")
    lines = result.err.splitlines()
    assert sum(": duplicate of " in line for line in lines) == 12
    assert sum(": rejected: " in line for line in lines) == 8
    assert not any(line.startswith("not shown") for line in lines)


def test_without_a_report_the_summary_says_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli("parse", str(noisy_input(tmp_path)))
    assert "--report PATH writes every record's fate, --verbose shows them all" in result.err


def test_an_unwritable_report_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("parse", str(FIXTURES / "variants.jsonl"), "--report", "/proc/no/such.jsonl")
    assert result.code == 2
    [line] = result.err.splitlines()
    assert line.startswith("arabic-search parse: --report /proc/no/such.jsonl: cannot write")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_shows_the_share_read_records_and_rate(tmp_path: Path) -> None:
    path = str(FIXTURES / "ant-sample.jsonl")
    terminal = Terminal()
    log = ReadLog("reindex", "indexed", os.path.getsize(path), ReadPosition(), stream=terminal)
    log._next_draw = float("inf")  # drawn once, below, at the end of the file
    for outcome in parse_paths([path], ReadOptions(), log.position):
        log.seen(outcome)
    log._draw(log.started + 1.0)
    log.close()
    log.finish("read 23")
    drawn = terminal.getvalue()
    assert re.search(r"100%\|[█#]+\| reindex: 23 records \(23/s\)", drawn), drawn
    assert re.search(r"read 23 in \d+\.\d s \([\d,]+ records/s\)\n$", drawn), drawn


def test_not_on_a_terminal_no_bar_is_drawn() -> None:
    stream = io.StringIO()
    log = ReadLog("parse", "parsed", 100, ReadPosition(), stream=stream)
    for outcome in parse_paths([str(FIXTURES / "variants.jsonl")]):
        log.seen(outcome)
    log.close()
    assert stream.getvalue() == ""


@pytest.mark.parametrize("compress", [False, True])
def test_the_position_reaches_the_size_of_the_files_as_stored(
    compress: bool, tmp_path: Path
) -> None:
    data = (FIXTURES / "ant-sample.jsonl").read_bytes()
    path = tmp_path / ("ant.jsonl.gz" if compress else "ant.jsonl")
    path.write_bytes(gzip.compress(data) if compress else data)
    paths = [str(path), str(FIXTURES / "variants.jsonl")]
    size = sum(os.path.getsize(p) for p in paths)
    here, in_workers = ReadPosition(), ReadPosition()
    seen = []
    for _ in parse_paths(paths, ReadOptions(), here):
        seen.append(here.bytes_read)
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] == size
    list(written_outcomes(paths, ReadOptions(), in_workers, workers=2))
    assert in_workers.bytes_read == size


def test_articles_the_engine_refused_are_rejected_in_the_report(tmp_path: Path) -> None:
    report = tmp_path / "fates.jsonl"
    log = ReadLog("reindex", "indexed", None, ReadPosition(), report=report, stream=io.StringIO())
    outcomes = list(parse_paths([str(FIXTURES / "variants.jsonl")]))
    for outcome in outcomes:
        log.seen(outcome)
    refused = outcomes[1]
    assert isinstance(refused, Article)
    log.refused([(refused, "mapper_parsing_exception: bad date")], "opensearch")
    log.close()
    fates = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [f["fate"] for f in fates] == ["indexed", "rejected", *["indexed"] * 5]
    assert fates[1]["reason"] == "refused by opensearch: mapper_parsing_exception: bad date"


def test_off_a_terminal_a_line_every_interval_gives_records_rate_and_elapsed(
    tmp_path: Path,
) -> None:
    """A log (stderr not a terminal) gets a progress line every interval, also while
    nothing is read (a long bulk request): here 0.05 s, not the 10 s of a real run."""
    path = str(FIXTURES / "ant-sample.jsonl")
    stream = io.StringIO()
    log = ReadLog(
        "reindex", "indexed", os.path.getsize(path), ReadPosition(), stream=stream, every=0.05
    )
    for outcome in parse_paths([path], ReadOptions(), log.position):
        log.seen(outcome)
    wait_for(lambda: stream.getvalue().count("\n") >= 2, "two progress lines", timeout=10)
    log.close()
    lines = stream.getvalue().splitlines()
    assert all(
        re.fullmatch(r"reindex: 23 records \([\d,]+/s\), 100% read, 0:00:\d\d elapsed", line)
        for line in lines
    ), lines
    after = len(stream.getvalue())
    time.sleep(0.2)  # closed: no more lines
    assert len(stream.getvalue()) == after


def test_the_interval_between_progress_lines_is_ten_seconds() -> None:
    stream = io.StringIO()
    log = ReadLog("parse", "parsed", None, ReadPosition(), stream=stream)
    assert log.ticker is not None and log.ticker.every == PROGRESS_LINE_SECONDS == 10
    log.close()
    terminal = ReadLog("parse", "parsed", None, ReadPosition(), stream=Terminal())
    assert terminal.ticker is None  # the bar is drawn instead
    terminal.close()


def test_a_copy_on_the_server_shows_a_line_every_interval_off_a_terminal() -> None:
    """reindex --from-index: the documents the server task copied, of its total."""
    stream = io.StringIO()
    log = CopyLog("reindex", stream=stream, every=0.05)
    log.update(0, None)
    wait_for(lambda: "\n" in stream.getvalue(), "a progress line", timeout=10)
    log.update(1500, 31525)
    wait_for(lambda: " of 31,525 " in stream.getvalue(), "a line with the total", timeout=10)
    log.close()
    lines = stream.getvalue().splitlines()
    assert re.fullmatch(
        r"reindex: 0 documents copied on the server \(0/s\), 0:00:\d\d elapsed", lines[0]
    ), lines
    assert re.fullmatch(
        r"reindex: 1,500 of 31,525 documents copied on the server \([\d,]+/s\), "
        r"0:00:\d\d elapsed",
        lines[-1],
    ), lines


def test_a_copy_on_the_server_draws_a_bar_on_a_terminal() -> None:
    terminal = Terminal()
    log = CopyLog("reindex", stream=terminal, every=0.01)
    assert log.ticker is None
    log.update(7, 14)
    log.close()
    assert re.search(r"reindex: copying on the server: +50%.*7/14", terminal.getvalue())


def test_a_reindex_whose_stderr_is_a_log_writes_progress_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "PROGRESS_LINE_SECONDS", 0.001)  # not 10 s: a test
    source = many_articles(tmp_path / "many.jsonl", 300)
    result = run_cli("reindex", str(source), "--home", str(tmp_path / "home"))
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    pattern = r"reindex: [\d,]+ records \([\d,]+/s\), \d+% read, 0:00:\d\d elapsed"
    assert any(re.fullmatch(pattern, line) for line in lines), lines
    assert lines[-1].startswith("read 300 / indexed 300 / duplicates 0 / rejected 0 in ")
