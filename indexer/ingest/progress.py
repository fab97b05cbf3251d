"""What `parse` and `reindex` show while they read: a progress bar, the first few
problems of each kind, a summary with the time taken, and (with --report PATH) a
file with every record's fate.

A large input repeats itself: the ANT corpus holds 1,550 duplicate records, and a
line for each buried the bar and the summary. So the terminal shows the first
SHOWN_EACH duplicates, rejections and warnings, then how many more there were;
--verbose shows them all. The report has one JSON line per record read, so its lines
add up as the summary does:

    {"fate": "indexed", "origin": "a.jsonl:1", "file": "a.jsonl", "line": 1, "record": 1, "id": …}
    {"fate": "duplicate", "origin": "a.jsonl:9", …, "reason": "same text", "duplicate_of": …}
    {"fate": "rejected", "origin": "a.jsonl:12", …, "reason": "invalid JSON: …"}

(`parsed` instead of `indexed` for `parse`; "warnings": [...] where a reader noticed
something.) After the records, a line for each file whose keys (those of its first
record: JSON keys, CSV columns, TREC tags) were not all used, or failed it:

    {"fate": "file", "file": "a.csv", "keys": […], "unused_keys": ["story"], "failure": null}

The summary, too, names each file's unused keys, a line each, before its counts.

The bar is drawn only on a terminal. Where stderr goes to a log, a Ticker writes one
line every PROGRESS_LINE_SECONDS instead (records, rate, elapsed), from a thread of its
own, so a log shows signs of life while a bulk request or a server task takes long.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import orjson
from tqdm import tqdm

from indexer.errors import ArabicSearchError
from indexer.ingest.articles import Article, Origin, Rejected
from indexer.ingest.parse import Duplicate, Outcome, WrittenOutcome
from indexer.ingest.sources.fieldmap import FileFields
from indexer.ingest.sources.files import ReadPosition

SHOWN_EACH = 5  # duplicates, rejections and warnings shown of each, without --verbose
REDRAW_SECONDS = 0.2
# Between two progress lines when stderr is not a terminal (a log file, a pipe): often
# enough to see a long reindex move, rarely enough to keep the log short.
PROGRESS_LINE_SECONDS = 10.0
# Bytes read against the input's size give the percentage and the time left; the
# records, their rate and the problems so far are the bar's text.
BAR_WITH_SIZE = "{percentage:3.0f}%|{bar:20}| {desc} [{elapsed}<{remaining}]"
BAR_WITHOUT_SIZE = "{desc} [{elapsed}]"


def elapsed(seconds: float) -> str:
    """A duration as a log line gives it: 0:00:07, 1:02:03."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class Ticker:
    """Writes `line()` to `stream` every `every` seconds, from a thread of its own,
    until stop(). tqdm.write takes tqdm's lock, so its lines and the problems written
    through tqdm never interleave."""

    def __init__(self, stream: TextIO, line: Callable[[], str], every: float) -> None:
        self.stream = stream
        self.line = line
        self.every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress-lines", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self.every):
            tqdm.write(self.line(), file=self.stream)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


def ticker_for(
    bar: tqdm[Any], stream: TextIO, line: Callable[[], str], every: float | None
) -> Ticker | None:
    """Progress lines where `bar` is not drawn (`stream` is no terminal); `every`
    None: PROGRESS_LINE_SECONDS, read now, so that a test can set it."""
    if not bar.disable:
        return None
    return Ticker(stream, line, PROGRESS_LINE_SECONDS if every is None else every)


class ReadLog:
    """The terminal and report side of one reading: call seen() with every outcome,
    refused() with what the engine refused, then close() and finish()."""

    def __init__(
        self,
        command: str,
        kept: str,  # the fate of a record that was kept: "parsed" or "indexed"
        total_bytes: int | None,
        position: ReadPosition,
        verbose: bool = False,
        report: Path | None = None,
        stream: TextIO | None = None,  # None: sys.stderr as it is now, not at import
        every: float | None = None,  # between progress lines off a terminal; None: the default
    ) -> None:
        stream = sys.stderr if stream is None else stream
        self.command = command
        self.kept = kept
        self.position = position
        self.verbose = verbose
        self.stream = stream
        self.started = time.monotonic()
        self.counts: Counter[str] = Counter()  # records, and each kind of problem
        self.report_path = report
        self._report: BinaryIO | None = _open_report(report) if report else None
        self._next_draw = 0.0
        self.bar = tqdm(
            desc=f"{command}: starting",
            total=total_bytes or None,
            bar_format=BAR_WITH_SIZE if total_bytes else BAR_WITHOUT_SIZE,
            disable=None,  # off unless the stream is a terminal
            file=stream,
            leave=False,
        )
        self.ticker = ticker_for(self.bar, stream, self._line, every)

    # ------------------------------------------------------------------ each record

    def seen(self, outcome: Outcome | WrittenOutcome) -> None:
        self.counts["records"] += 1
        if isinstance(outcome, Rejected):
            self._problem("rejected", f"{outcome.origin}: rejected: {outcome.reason}")
        else:
            article = outcome.article if isinstance(outcome, Duplicate) else outcome
            # A duplicate's warnings too: what a reader noticed must not go unseen.
            for warning in article.warnings:
                self._problem("warning", f"{article.origin}: warning: {warning}")
            if isinstance(outcome, Duplicate):
                line = f"{article.origin}: duplicate of {outcome.first} ({outcome.reason})"
                self._problem("duplicate", line)
        if self._report:
            self._report.write(orjson.dumps(self._fate(outcome)) + b"\n")
        if not self.bar.disable and (now := time.monotonic()) >= self._next_draw:
            self._next_draw = now + REDRAW_SECONDS
            self._draw(now)

    def _fate(self, outcome: Outcome | WrittenOutcome) -> dict[str, Any]:
        if isinstance(outcome, Rejected):
            return {"fate": "rejected", **_place(outcome.origin), "reason": outcome.reason}
        if isinstance(outcome, Duplicate):
            article = outcome.article
            fate = {"fate": "duplicate", **_place(article.origin), "id": article.id}
            fate |= {"reason": outcome.reason, "duplicate_of": str(outcome.first)}
        else:
            article = outcome
            fate = {"fate": self.kept, **_place(article.origin), "id": article.id}
        if article.warnings:
            fate["warnings"] = list(article.warnings)
        return fate

    def _problem(self, kind: str, line: str) -> None:
        self.counts[kind] += 1
        if self.verbose or self.counts[kind] <= SHOWN_EACH:
            self.bar.write(line, file=self.stream)

    def _text(self, now: float) -> str:
        records = self.counts["records"]
        rate = records / max(now - self.started, 1e-9)
        text = f"{self.command}: {records:,} records ({rate:,.0f}/s)"
        return text + "".join(
            f", {self.counts[kind]:,} {label}"
            for kind, label in (("duplicate", "duplicates"), ("rejected", "rejected"))
            if self.counts[kind]
        )

    def _line(self) -> str:
        """A progress line for a log: the bar's text, the share read, the time taken."""
        now = time.monotonic()
        total = self.bar.total
        read = f", {self.position.bytes_read / total:.0%} read" if total else ""
        return f"{self._text(now)}{read}, {elapsed(now - self.started)} elapsed"

    def _draw(self, now: float) -> None:
        self.bar.set_description_str(self._text(now), refresh=False)
        # Drawn here, every REDRAW_SECONDS: the time left is the average rate's.
        self.bar.n = self.position.bytes_read
        self.bar.refresh()

    # ------------------------------------------------------------------- the end

    def refused(self, refusals: Iterable[tuple[Article, str]], by: str) -> None:
        """Articles the engine refused after they were sent: rejected, not indexed."""
        reasons = {}
        for article, reason in refusals:
            self._problem("rejected", f"{article.origin}: rejected by {by}: {reason}")
            reasons[str(article.origin)] = f"refused by {by}: {reason}"
        if reasons and self._report and self.report_path:  # both set, or neither
            self._close_report()
            _rewrite_fates(self.report_path, self.kept, reasons)

    def close(self) -> None:
        if self.ticker:
            self.ticker.stop()
        self.bar.close()
        self._close_report()

    def _close_report(self) -> None:
        if self._report:
            for checked in self._files_to_tell():
                line: dict[str, Any] = {"fate": "file", "file": checked.path}
                line |= {"keys": list(checked.keys), "unused_keys": list(checked.unused)}
                line["failure"] = checked.failure
                self._report.write(orjson.dumps(line) + b"\n")
            self._report.close()
            self._report = None

    def finish(self, summary: str) -> None:
        """Say what was not shown and where it is, then the summary and the time."""
        hidden = [
            f"{self.counts[kind] - SHOWN_EACH:,} more {label}"
            for kind, label in (
                ("duplicate", "duplicates"),
                ("rejected", "rejections"),
                ("warning", "warnings"),
            )
            if not self.verbose and self.counts[kind] > SHOWN_EACH
        ]
        if hidden:
            where = (
                f"every record's fate is in {self.report_path}"
                if self.report_path
                else "--report PATH writes every record's fate, --verbose shows them all"
            )
            print(f"not shown: {', '.join(hidden)}; {where}", file=self.stream)
        elif self.report_path:
            print(f"every record's fate is in {self.report_path}", file=self.stream)
        for checked in self._files_to_tell():
            if checked.unused:
                print(
                    f"{checked.path}: keys not used: {', '.join(checked.unused)} "
                    "(--field NAME=KEY takes one)",
                    file=self.stream,
                )
        seconds = time.monotonic() - self.started
        rate = self.counts["records"] / max(seconds, 1e-9)
        print(f"{summary} in {seconds:.1f} s ({rate:,.0f} records/s)", file=self.stream)

    def _files_to_tell(self) -> list[FileFields]:
        return [f for f in self.position.files if f.unused or f.failure]


class CopyLog:
    """What `reindex --from-index` shows while the server copies the index: a bar of
    the documents copied on a terminal, else a line every PROGRESS_LINE_SECONDS. Give
    update() as the backend's on_progress; close() at the end."""

    def __init__(
        self, command: str, stream: TextIO | None = None, every: float | None = None
    ) -> None:
        stream = sys.stderr if stream is None else stream
        self.command = command
        self.started = time.monotonic()
        self.done = 0
        self.total: int | None = None  # None until the server knows it
        self.bar = tqdm(
            desc=f"{command}: copying on the server",
            unit=" documents",
            disable=None,  # off unless the stream is a terminal
            file=stream,
            leave=False,
        )
        self.ticker = ticker_for(self.bar, stream, self._line, every)

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        if not self.bar.disable:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def _line(self) -> str:
        seconds = time.monotonic() - self.started
        rate = self.done / max(seconds, 1e-9)
        of = f" of {self.total:,}" if self.total is not None else ""
        return (
            f"{self.command}: {self.done:,}{of} documents copied on the server "
            f"({rate:,.0f}/s), {elapsed(seconds)} elapsed"
        )

    def close(self) -> None:
        if self.ticker:
            self.ticker.stop()
        self.bar.close()


def _place(origin: Origin) -> dict[str, Any]:
    return {
        "origin": str(origin),
        "file": origin.path,
        "line": origin.line,
        "record": origin.record,
    }


def _open_report(path: Path) -> BinaryIO:
    try:
        return open(path, "wb")
    except OSError as err:
        raise ReportError(
            f"--report {path}: cannot write there ({err.strerror}); give a file in a folder "
            "you can write to"
        ) from None


class ReportError(ArabicSearchError, ValueError):
    """The report file cannot be written (a usage error: the message says why)."""


def _rewrite_fates(path: Path, kept: str, refused: dict[str, str]) -> None:
    """Turn the lines of refused articles from kept to rejected, in place (the engine
    refuses some only after they were sent: on a cluster, a few at most)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with open(path, "rb") as old, open(partial, "wb") as new:
        for line in old:
            fate = orjson.loads(line)
            if fate["fate"] == kept and fate["origin"] in refused:
                fate |= {"fate": "rejected", "reason": refused[fate["origin"]]}
                line = orjson.dumps(fate) + b"\n"
            new.write(line)
    os.replace(partial, path)
