"""Parsing in a child process, ahead of the indexing.

A reindex does two jobs: reading the input (gunzip, JSON, cleaning, dates, ids,
duplicates) and indexing it (analysis, then tantivy or bulk requests). In one
process they take turns under the GIL; here the reading runs in a child process
(`python -m indexer.parse_ahead`), on another core, and sends its outcomes back in
order, pickled in batches, through a pipe. The pipe is the bound: the child waits
while the parent has not read, so memory stays flat. Small inputs, and stdin, are
read in this process: a child takes a few tenths of a second to start.

The parent stops the child when it stops reading (an error, Ctrl-C); a child whose
parent is gone (kill -9) stops at its next write.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import IO, cast

from indexer.ingest import Outcome, parse_paths
from indexer.sources.files import ReadOptions, ReadPosition, input_bytes

AHEAD_MIN_BYTES = 8 << 20  # inputs smaller than this are parsed in this process
BATCH = 256  # outcomes a message


class ParseProcessError(RuntimeError):
    """The child process stopped without saying why (killed, out of memory)."""


def parse_paths_ahead(
    paths: list[str],
    options: ReadOptions,
    min_bytes: int = AHEAD_MIN_BYTES,
    position: ReadPosition | None = None,
) -> Iterator[Outcome]:
    """What parse_paths(paths, options) gives, in the same order, parsed in a child
    process when the input holds at least `min_bytes` (and there is a Python to run:
    an embedding application may have none). `position` follows the bytes read, as of
    the last batch received."""
    size = input_bytes(paths)
    if size is None or not sys.executable or size < min_bytes:
        yield from parse_paths(paths, options, position)
        return
    position = position or ReadPosition()
    child = subprocess.Popen(
        [sys.executable, "-m", "indexer.parse_ahead"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        with contextlib.suppress(BrokenPipeError), child.stdin:  # dead already: see below
            pickle.dump((paths, options), child.stdin)
        while (message := _receive(child.stdout, child)) is not None:
            batch, position.bytes_read = message
            yield from batch
    finally:
        child.kill()  # gone already, unless the reader stopped early
        child.wait()
        child.stdout.close()


def _receive(stream: IO[bytes], child: subprocess.Popen[bytes]) -> tuple[list[Outcome], int] | None:
    """The next batch, and the bytes read once it was parsed; None at the end."""
    try:
        message = pickle.load(stream)
    except EOFError:
        raise ParseProcessError(f"the parsing process stopped (exit code {child.wait()})") from None
    if isinstance(message, BaseException):
        raise message
    return cast(tuple[list[Outcome], int] | None, message)  # what main() sends


def main() -> None:
    """The child: read (paths, options) from stdin, send batches of outcomes to
    stdout, each with the bytes read so far, then None (or the error that stopped it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    paths, options = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    position = ReadPosition()
    try:
        batch: list[Outcome] = []
        for outcome in parse_paths(paths, options, position):
            batch.append(outcome)
            if len(batch) == BATCH:
                pickle.dump((batch, position.bytes_read), out, pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump((batch, position.bytes_read), out, pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
    except BrokenPipeError:  # the parent is gone, or stopped reading
        os._exit(1)  # not sys.exit: its flush of stdout would fail again
    except Exception as error:  # the parent raises it
        pickle.dump(error, out)
    out.flush()


if __name__ == "__main__":
    main()
