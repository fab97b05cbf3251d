"""`parse` on more than one core: JSON Lines parsed in worker processes.

Per record, `parse` gunzips, reads the JSON, cleans, dates, identifies and
fingerprints the article and writes its line. In one process that takes longer than
a bare gunzip + json.loads + json.dumps loop; spread over processes, it does not
(docs/benchmarks.md). So:

- the workers are a standard ProcessPoolExecutor of forked processes, so they start
  with this process's modules and options loaded (where a new Python took 0.1 s of
  CPU to import them); Windows, which cannot fork, parses in one process;
- this process reads the files as `parse_paths` does, but takes JSON Lines files as
  blocks of lines (`jsonl_blocks`), hands them to the pool TASK_BLOCKS at a time, and
  keeps the tasks, and any other record, in input order, at most AHEAD of them (so
  the memory stays bounded: `Executor.map` would read the whole input first);
- each task parses its blocks as `read_jsonl` and `build_article` do and gives back
  each article as Written (its output line and identity, not its text) or Rejected;
- this process takes the tasks' outcomes in order, builds the records of other
  formats itself, and sets aside the duplicates: the first copy wins, as in one
  process. So the outcomes, in order, are those of `parse_paths`
  (tests/test_parse_workers.py).

A worker that dies is an error (ParseProcessError, with its exit code); when this
process stops reading (an error, Ctrl-C), it shuts the pool down.

The rule this module was kept by: a hand-rolled version (fork, widened pipes,
length-prefixed pickles, SIGKILL at the end) paid only if a standard pool could not
parse as fast. Measured in turns against it, the pool was within the noise, so it
replaced it (docs/benchmarks.md, "A standard pool against the hand-rolled workers").
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from indexer.errors import EXIT_UNAVAILABLE, ArabicSearchError
from indexer.ingest.articles import Article, Origin, RawRecord, Rejected, Written, build_article
from indexer.ingest.parse import Deduplicator, WrittenOutcome, parse_paths
from indexer.ingest.sources import READERS, read_records
from indexer.ingest.sources.files import ReadOptions, ReadPosition
from indexer.ingest.sources.jsonl import JsonBlock, block_records, jsonl_blocks

if sys.platform != "win32":  # Windows cannot fork: it parses in one process
    from multiprocessing.context import ForkContext, ForkProcess

WORKERS = 2  # worker processes for an input of MIN_BYTES or more (`parse --workers`)
# Smaller inputs are parsed in this process: 2 MB of ANT took 0.31 s with workers against
# 0.28 s without, 8 MB 0.42 s against 0.47 s (best of 5, 2026-12-02).
MIN_BYTES = 8 << 20
# Blocks a task, as map's chunksize: one block a task took a quarter more CPU than
# the hand-rolled workers did, eight about 5% more (docs/benchmarks.md).
TASK_BLOCKS = 8
AHEAD = 16  # tasks (or records of other formats) read ahead of the one being taken
BLOCK_READERS = {**READERS, "jsonl": jsonl_blocks}


# How long a dead pool's workers get to be reaped before their exit codes are read.
PROCESS_EXIT_SECONDS = 10


class ParseProcessError(ArabicSearchError, RuntimeError):
    """A worker process stopped without saying why (killed, out of memory)."""

    exit_code = EXIT_UNAVAILABLE
    hint = "run it again, or with --workers 0 to parse in one process"


def default_workers(input_size: int | None) -> int:
    """WORKERS for an input of MIN_BYTES or more on a machine of more than one core;
    none for a smaller input, stdin, or one core (where they would only add work)."""
    large = input_size is not None and input_size >= MIN_BYTES
    return WORKERS if large and (os.cpu_count() or 1) > 1 else 0


def written_outcomes(
    paths: list[str],
    options: ReadOptions,
    position: ReadPosition | None = None,
    workers: int = 0,
) -> Iterator[WrittenOutcome]:
    """What parse_paths(paths, options) gives, each article Written, in the same
    order; parsed by `workers` worker processes (0: in this process). `position`
    follows the bytes read, as of the records given so far."""
    if workers == 0 or not hasattr(os, "fork"):  # Windows has none
        for outcome in parse_paths(paths, options, position):
            yield Written.of(outcome) if isinstance(outcome, Article) else outcome
        return
    yield from _in_workers(paths, options, position or ReadPosition(), workers)


# ------------------------------------------------------------------ this process

# Outcomes cross the pipe as plain tuples: pickling the slotted records themselves
# takes several times as long. _packed and _unpacked are the two ends.
Packed = tuple[Any, ...]
Task = Future[list[tuple[str, list[Packed]]]]  # a block's path and outcomes, for each block
_Entry = tuple[Task | RawRecord | Rejected | Exception, int]  # and the bytes read by then


def _in_workers(
    paths: list[str], options: ReadOptions, position: ReadPosition, count: int
) -> Iterator[WrittenOutcome]:
    context, started = _forking()
    sys.stdout.flush()  # a worker flushes its copies of them as it ends
    sys.stderr.flush()
    pool = ProcessPoolExecutor(count, context, initializer=_starts, initargs=(options,))
    ahead: deque[_Entry] = deque()
    seen = Deduplicator.of(options)
    read = ReadPosition(files=position.files)  # the files' keys, as they are read
    blocks: list[JsonBlock] = []
    try:
        for item in _reading(paths, options, read):
            if isinstance(item, JsonBlock):
                blocks.append(item)
                if len(blocks) < TASK_BLOCKS:
                    continue
                ahead.append((pool.submit(_work, blocks), read.bytes_read))
                blocks = []
            else:
                if blocks:
                    ahead.append((pool.submit(_work, blocks), read.bytes_read))
                    blocks = []
                ahead.append((item, read.bytes_read))
            if len(ahead) > AHEAD:
                yield from _taken(ahead.popleft(), options, position, seen)
        if blocks:
            ahead.append((pool.submit(_work, blocks), read.bytes_read))
        while ahead:
            yield from _taken(ahead.popleft(), options, position, seen)
    except BrokenProcessPool:
        pool.shutdown()  # the pool has stopped the other workers (SIGTERM): wait for them
        for process in started:
            process.join(PROCESS_EXIT_SECONDS)  # reaped, so that its exit code is known
        codes = [process.exitcode for process in started]
        code = next((c for c in codes if c != -signal.SIGTERM), codes[0] if codes else None)
        raise ParseProcessError(f"a parsing process stopped (exit code {code})") from None
    finally:
        pool.shutdown(cancel_futures=True)


def _forking() -> tuple[ForkContext, list[ForkProcess]]:
    """The fork context, and the processes it starts: a pool that loses one says only
    that one died, and the error tells its exit code."""
    started: list[ForkProcess] = []

    class Started(ForkProcess):
        def start(self) -> None:
            super().start()
            started.append(self)

    class Forking(ForkContext):
        Process = Started

    return Forking(), started


def _reading(
    paths: list[str], options: ReadOptions, read: ReadPosition
) -> Iterator[JsonBlock | RawRecord | Rejected | Exception]:
    """The input as blocks of JSON lines and other records; an error reading it comes
    last, to be raised once the records before it are taken, as in one process."""
    try:
        yield from read_records(paths, options, read, BLOCK_READERS)
    except Exception as error:
        yield error


def _taken(
    entry: _Entry, options: ReadOptions, position: ReadPosition, seen: Deduplicator
) -> Iterator[WrittenOutcome]:
    item, bytes_read = entry
    if isinstance(item, Exception):
        raise item
    if isinstance(item, Future):  # raises what the task raised
        batch = [_unpacked(path, packed) for path, block in item.result() for packed in block]
    else:
        batch = [_written(item, options)]
    position.bytes_read = bytes_read
    for outcome in batch:
        yield outcome if isinstance(outcome, Rejected) else seen.check(outcome)


def _packed(outcome: Written | Rejected) -> Packed:
    origin = outcome.origin
    if isinstance(outcome, Rejected):
        return (origin.line, origin.record, origin.encoding, outcome.reason)
    return (
        origin.line,
        origin.record,
        origin.encoding,
        outcome.id,
        outcome.fingerprint,
        outcome.warnings,
        outcome.line,
    )


def _unpacked(path: str, packed: Packed) -> Written | Rejected:
    origin = Origin(path, *packed[:3])
    if len(packed) == 4:
        return Rejected(origin, packed[3])
    return Written(packed[3], packed[4], origin, packed[5], packed[6])


# ------------------------------------------------------------------ a worker


def _written(record: RawRecord | Rejected, options: ReadOptions) -> Written | Rejected:
    """A record's article as `parse` writes it, or why it has none (in a worker, and in
    this process for the records of other formats)."""
    built = (
        record
        if isinstance(record, Rejected)
        else build_article(record, options.max_chars, options.date_order, options.id_key)
    )
    return built if isinstance(built, Rejected) else Written.of(built)


_options = ReadOptions()  # a worker's, from this process (_starts)


def _starts(options: ReadOptions) -> None:
    """A worker's start: the options are this process's (forked: not pickled)."""
    global _options
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
    _options = options


def _work(blocks: list[JsonBlock]) -> list[tuple[str, list[Packed]]]:
    """A task: each block's path and the packed outcomes of its records."""
    return [
        (
            block.path,
            [_packed(_written(record, _options)) for record in block_records(block, _options)],
        )
        for block in blocks
    ]
