"""The embedded backend's update journal: what `add` and `delete` did to an alias, kept
until a reindex has replayed it into its new version (indexer/index/updates.py).

    <home>/<alias>.updates.jsonl   one Update a line, numbered in order
    <home>/<alias>.updates.lock    held while the journal is written (exclusive) or read

A writer appends under the lock, so numbers never repeat; a trim rewrites the file and
replaces it (os.replace), which is why the lock is a file of its own: a writer's
handle on a replaced journal would write into a file nobody reads.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import orjson

from indexer.backends import BackendError, Update
from indexer.ingest.articles import Article

LOCK_WAIT_SECONDS = 60.0  # how long a writer waits for another before giving up
LOCK_POLL_SECONDS = 0.02


@contextlib.contextmanager
def held(path: Path, exclusive: bool, what: str) -> Iterator[None]:
    """An flock on `path` (made if missing), exclusive or shared, waited for up to
    LOCK_WAIT_SECONDS; BackendError naming `what` when it does not come."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, mode)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BackendError(
                        f"{what} stayed busy for {LOCK_WAIT_SECONDS:g} s (another add, delete "
                        "or reindex is writing it): try again when it ends"
                    ) from None
                time.sleep(LOCK_POLL_SECONDS)
        yield


class Journal:
    def __init__(self, home: Path) -> None:
        self.home = home

    def path(self, alias: str) -> Path:
        return self.home / f"{alias}.updates.jsonl"

    def _held(self, alias: str, exclusive: bool) -> contextlib.AbstractContextManager[None]:
        return held(self.home / f"{alias}.updates.lock", exclusive, f"the journal of {alias!r}")

    def append(self, alias: str, added: Sequence[Article], deleted: Sequence[str]) -> Update:
        with self._held(alias, exclusive=True):
            update = Update(self._last(alias) + 1, tuple(added), tuple(deleted))
            with open(self.path(alias), "ab") as journal:
                journal.write(orjson.dumps(update.to_json(), option=orjson.OPT_APPEND_NEWLINE))
                journal.flush()
                os.fsync(journal.fileno())  # journaled before it is applied, for good
        return update

    def after(self, alias: str, seq: int) -> Iterator[Update]:
        with self._held(alias, exclusive=False):
            lines = self._lines(alias)
        for line in lines:
            if _seq(line) > seq:
                yield Update.from_json(orjson.loads(line))

    def last(self, alias: str) -> int:
        with self._held(alias, exclusive=False):
            return self._last(alias)

    def trim(self, alias: str, upto: int) -> None:
        with self._held(alias, exclusive=True):
            kept = [line for line in self._lines(alias) if _seq(line) >= upto]
            if not kept:
                return
            tmp = self.path(alias).with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(b"".join(kept))
            os.replace(tmp, self.path(alias))

    def _lines(self, alias: str) -> list[bytes]:
        try:
            with open(self.path(alias), "rb") as journal:
                return journal.readlines()
        except FileNotFoundError:
            return []

    def _last(self, alias: str) -> int:
        try:
            with open(self.path(alias), "rb") as journal:
                line = _last_line(journal)
        except FileNotFoundError:
            return 0
        return _seq(line) if line else 0


def _seq(line: bytes) -> int:
    # The number leads each line ({"seq": N, ...}): read without decoding the articles.
    return int(line[len(b'{"seq":') : line.index(b",")])


def _last_line(journal: IO[bytes], block: int = 65_536) -> bytes:
    """The file's last line, read from its end (a journal line may be megabytes long)."""
    end = journal.seek(0, os.SEEK_END)
    tail, position = b"", end
    while position > 0:
        start = max(0, position - block)
        journal.seek(start)
        tail = journal.read(position - start) + tail
        position = start
        newline = tail.rfind(b"\n", 0, len(tail) - 1)
        if newline >= 0:
            return tail[newline + 1 :]
    return tail
