"""`parse` on more than one core: JSON Lines parsed in worker processes.

Per record, `parse` gunzips, reads the JSON, cleans, dates, identifies and
fingerprints the article and writes its line. In one process that takes longer than
a bare gunzip + json.loads + json.dumps loop; spread over processes, it does not
(docs/benchmarks.md). So:

- the worker processes are forked from this one (`_started`), so they start with
  its modules and options loaded (where a new Python took 0.1 s of CPU to import
  them); Windows, which cannot fork, parses in one process;
- a thread of this process reads the files as `parse_paths` does, but takes JSON
  Lines files as blocks of lines (`jsonl_blocks`), sends each block to the next worker
  in turn, and puts what it sent, or any other record, in one queue, in input order
  (gzip and the pipes release the GIL, so the thread costs this process little);
- each worker parses its blocks as `read_jsonl` and `build_article` do and sends back
  each article as Written (its output line and identity, not its text) or Rejected;
- this process takes the queue in order, the outcomes back from the workers the blocks
  went to, builds the records of other formats itself, and sets aside the duplicates:
  the first copy wins, as in one process. So the outcomes, in order, are those of
  `parse_paths` (tests/test_parse_workers.py).

The pipes bound the memory: a worker waits while its outcomes are not taken back, and
the thread waits while a worker has not read. A worker that dies is an error
(ParseProcessError); when this process stops reading (an error, Ctrl-C), it stops the
workers and the thread.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, cast

from indexer.articles import Article, Origin, RawRecord, Rejected, Written, build_article
from indexer.ingest import Deduplicator, WrittenOutcome, parse_paths
from indexer.sources import READERS, read_records
from indexer.sources.files import ReadOptions, ReadPosition
from indexer.sources.jsonl import JsonBlock, block_records, jsonl_blocks

WORKERS = 2  # worker processes for an input of MIN_BYTES or more (`parse --workers`)
# Smaller inputs are parsed in this process: 2 MB of ANT took 0.31 s with workers against
# 0.28 s without, 8 MB 0.42 s against 0.47 s (best of 5, 2026-12-02).
MIN_BYTES = 8 << 20
QUEUED = 64  # entries the reading thread may put ahead of this process
BLOCK_READERS = {**READERS, "jsonl": jsonl_blocks}


class ParseProcessError(RuntimeError):
    """A worker process stopped without saying why (killed, out of memory)."""


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
    if os.environ.get("ARABIC_SEARCH_PARSE_POOL") == "1":  # the bench's other variant
        yield from _in_pool(paths, options, position or ReadPosition(), workers)
        return
    yield from _in_workers(paths, options, position or ReadPosition(), workers)


# ------------------------------------------------------------------ the standard pool

TASK_BLOCKS = 8  # blocks a task (as map's chunksize): 1 took a quarter more CPU
AHEAD = 16  # tasks (or records) read ahead of the one being taken


def _in_pool(
    paths: list[str], options: ReadOptions, position: ReadPosition, count: int
) -> Iterator[WrittenOutcome]:
    from multiprocessing.context import ForkContext, ForkProcess

    started: list[ForkProcess] = []

    class Started(ForkProcess):
        def start(self) -> None:
            super().start()
            started.append(self)

    class Forking(ForkContext):
        Process = Started

    sys.stdout.flush()  # a forked worker flushes its copy of them as it ends
    sys.stderr.flush()
    pool = ProcessPoolExecutor(count, Forking(), initializer=_pool_worker, initargs=(options,))
    ahead: deque[
        tuple[Future[list[tuple[str, list[Packed]]]] | RawRecord | Rejected | Exception, int]
    ]
    ahead = deque()
    seen = Deduplicator()
    read = ReadPosition()
    try:
        group: list[JsonBlock] = []
        for item in _reading(paths, options, read):
            if isinstance(item, JsonBlock):
                group.append(item)
                if len(group) < TASK_BLOCKS:
                    continue
                ahead.append((pool.submit(_work_blocks, group), read.bytes_read))
                group = []
            else:
                if group:
                    ahead.append((pool.submit(_work_blocks, group), read.bytes_read))
                    group = []
                ahead.append((item, read.bytes_read))
            if len(ahead) > AHEAD:
                yield from _taken(ahead.popleft(), options, position, seen)
        if group:
            ahead.append((pool.submit(_work_blocks, group), read.bytes_read))
        while ahead:
            yield from _taken(ahead.popleft(), options, position, seen)
    except BrokenProcessPool:
        pool.shutdown()  # once one died, the pool stops the others (SIGTERM) and waits
        codes = [process.exitcode for process in started]
        code = next((c for c in codes if c != -signal.SIGTERM), codes[0] if codes else None)
        raise ParseProcessError(f"a parsing process stopped (exit code {code})") from None
    finally:
        pool.shutdown(cancel_futures=True)


def _reading(
    paths: list[str], options: ReadOptions, read: ReadPosition
) -> Iterator[JsonBlock | RawRecord | Rejected | Exception]:
    try:
        yield from read_records(paths, options, read, BLOCK_READERS)
    except Exception as error:  # raised once the records before it are taken
        yield error


def _taken(
    entry: tuple[Future[list[tuple[str, list[Packed]]]] | RawRecord | Rejected | Exception, int],
    options: ReadOptions,
    position: ReadPosition,
    seen: Deduplicator,
) -> Iterator[WrittenOutcome]:
    item, bytes_read = entry
    if isinstance(item, Exception):
        raise item
    if isinstance(item, Future):
        batch = [_unpacked(path, o) for path, packed in item.result() for o in packed]
    else:
        batch = [_written(item, options)]
    position.bytes_read = bytes_read
    for outcome in batch:
        yield outcome if isinstance(outcome, Rejected) else seen.check(outcome)


_pool_options = ReadOptions()


def _pool_worker(options: ReadOptions) -> None:
    global _pool_options
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
    _pool_options = options


def _work_blocks(blocks: list[JsonBlock]) -> list[tuple[str, list[Packed]]]:
    options = _pool_options
    return [
        (block.path, [_packed(_written(r, options)) for r in block_records(block, options)])
        for block in blocks
    ]


# ------------------------------------------------------------------ this process


@dataclass(slots=True)
class _Sent:
    """A block of lines in a worker's hands, and the bytes read once it was read."""

    worker: int
    bytes_read: int


@dataclass(slots=True)
class _Read:
    """A record read in this process (another format, or a file that cannot be read)."""

    record: RawRecord | Rejected
    bytes_read: int


_Entry = _Sent | _Read | BaseException | None  # None: the end


def _in_workers(
    paths: list[str], options: ReadOptions, position: ReadPosition, count: int
) -> Iterator[WrittenOutcome]:
    workers = _started(count, options)
    reading = _Reading(paths, options, workers)
    seen = Deduplicator()
    try:
        reading.start()
        while (entry := reading.next()) is not None:
            if isinstance(entry, _Sent):
                batch = _receive(workers[entry.worker])
            else:
                batch = [_written(entry.record, options)]
            position.bytes_read = entry.bytes_read
            for outcome in batch:
                yield outcome if isinstance(outcome, Rejected) else seen.check(outcome)
    finally:
        reading.stop()
        for worker in workers:
            worker.stop()
        reading.join(timeout=1)  # it may wait on stdin
        for worker in workers:
            os.close(worker.blocks)
            os.close(worker.outcomes)


@dataclass(slots=True)
class _Worker:
    """A worker process, forked from this one, and this process's ends of its pipes."""

    pid: int
    blocks: int  # the pipe this process writes blocks to
    outcomes: int  # the pipe it reads their outcomes from
    exit_code: int | None = None
    # Both threads of this process may find it gone (a pipe broken, a pipe at its end).
    stopping: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> int:
        """Its exit code, once it is gone (killed, unless gone already)."""
        with self.stopping:
            if self.exit_code is None:
                # A process gone but not waited for is still there: the kill reaches it.
                os.kill(self.pid, signal.SIGKILL)
                self.exit_code = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            return self.exit_code


def _started(count: int, options: ReadOptions) -> list[_Worker]:
    """`count` worker processes, forked: each starts with this process's modules and
    tables, where a new Python took 0.1 s of CPU to import them."""
    pipes = [(os.pipe(), os.pipe()) for _ in range(count)]
    for (_, blocks), (outcomes, _) in pipes:
        _widen(blocks)
        _widen(outcomes)
    workers = []
    for (reads, blocks), (outcomes, writes) in pipes:
        pid = os.fork()
        if pid == 0:  # the worker: only its own ends of its own pipes stay open
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
                for fd in {fd for pair in pipes for ends in pair for fd in ends} - {reads, writes}:
                    os.close(fd)
                code = _work(reads, writes, options)
            finally:
                os._exit(code)  # nothing of this process's to flush or clean up
        workers.append(_Worker(pid, blocks, outcomes))
    for (reads, _), (_, writes) in pipes:
        os.close(reads)
        os.close(writes)
    return workers


class _Reading(threading.Thread):
    """Reads the input, sends the blocks of JSON lines to the workers in turn and
    queues what went where, in input order."""

    def __init__(self, paths: list[str], options: ReadOptions, workers: list[_Worker]) -> None:
        super().__init__(name="parse-reading", daemon=True)
        self.paths, self.options, self.workers = paths, options, workers
        self.entries: queue.Queue[_Entry] = queue.Queue(QUEUED)
        self.stopped = threading.Event()
        self.sent = 0  # blocks sent
        self.sending = 0  # the worker written to

    def run(self) -> None:
        try:
            position = ReadPosition()
            for record in read_records(self.paths, self.options, position, BLOCK_READERS):
                if isinstance(record, JsonBlock):
                    self.sending = self.sent % len(self.workers)
                    _write(self.workers[self.sending].blocks, record)
                    self._put(_Sent(self.sending, position.bytes_read))
                    self.sent += 1
                else:
                    self._put(_Read(record, position.bytes_read))
            self._put(None)
        except BrokenPipeError:  # the worker being sent to died
            if not self.stopped.is_set():
                self._put(_stopped(self.workers[self.sending]))
        except BaseException as error:  # this process raises it
            self._put(error)

    def _put(self, entry: _Entry) -> None:
        while not self.stopped.is_set():
            with contextlib.suppress(queue.Full):
                self.entries.put(entry, timeout=0.1)
                return

    def next(self) -> _Sent | _Read | None:
        entry = self.entries.get()
        if isinstance(entry, BaseException):
            raise entry
        return entry

    def stop(self) -> None:
        self.stopped.set()


def _stopped(worker: _Worker) -> ParseProcessError:
    return ParseProcessError(f"a parsing process stopped (exit code {worker.stop()})")


PIPE_BYTES = 1 << 20  # the most Linux gives a pipe unasked (/proc/sys/fs/pipe-max-size)


def _widen(fd: int) -> None:
    """Let the pipe hold a dozen blocks, or their outcomes. With the default 64 KiB, a
    worker waits for this process to take each block's outcomes before it goes on to
    the next: `parse` ran at 0.84x the bare loop, against 1.04x (docs/benchmarks.md)."""
    if sys.platform == "linux":
        import fcntl

        with contextlib.suppress(OSError):  # a lower limit set by the system
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


# Each message is its length (8 bytes) and its pickle, written and read with os.write
# and os.readv, each a loop until the whole message is through: pickle.load and
# dump on the pipes' buffered files lost their place now and then under py-spy.


def _write(fd: int, message: object) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    os.write(fd, len(data).to_bytes(8, "little"))  # 8 bytes, under PIPE_BUF: one whole write
    view = memoryview(data)  # not joined to the length: a copy of each message less
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int) -> object:
    """The next message; EOFError at the end of the stream (or in a message)."""
    size = int.from_bytes(_exactly(fd, 8), "little")
    return pickle.loads(_exactly(fd, size))


def _exactly(fd: int, size: int) -> bytearray:
    data = bytearray(size)
    view = memoryview(data)
    while view:
        got = os.readv(fd, [view])
        if got == 0:
            raise EOFError
        view = view[got:]
    return data


def _receive(worker: _Worker) -> list[Written | Rejected]:
    """The outcomes of the next block the worker was sent."""
    try:
        message = _read(worker.outcomes)
    except EOFError:
        raise _stopped(worker) from None
    if isinstance(message, BaseException):
        raise message
    path, outcomes = cast(tuple[str, list[Packed]], message)
    return [_unpacked(path, packed) for packed in outcomes]


# Outcomes cross the pipe as plain tuples: pickling the slotted records themselves
# takes several times as long. _packed and _unpacked are the two ends.
Packed = tuple[Any, ...]


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
    built = record if isinstance(record, Rejected) else build_article(record, options.max_chars)
    return built if isinstance(built, Rejected) else Written.of(built)


def _work(source: int, out: int, options: ReadOptions) -> int:
    """A worker: read blocks of lines from `source`; send each block's outcomes (or the
    error that stopped it) to `out`. Its exit code."""
    try:
        while True:
            try:
                block = cast(JsonBlock, _read(source))
            except EOFError:  # the parent closed the pipe: the end
                return 0
            outcomes = [
                _packed(_written(record, options)) for record in block_records(block, options)
            ]
            _write(out, (block.path, outcomes))
    except BrokenPipeError:  # the parent is gone, or stopped reading
        return 1
    except Exception as error:  # the parent raises it
        _write(out, error)
        return 0
