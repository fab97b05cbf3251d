"""Checkpoints of a load: how far it got (Checkpoint), and when to save the next one
(CheckpointTracker).

A checkpoint names the last input record whose article is in the index for good, so
that `reindex --resume` sends only the records after it. The backend says when
articles are durable (Backend.load's on_durable); the tracker maps that count back
to input records and saves a checkpoint once the backend's interval has passed.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, NamedTuple

from indexer.backends import BackendError
from indexer.ingest.articles import Origin
from indexer.ingest.sources.fieldmap import FieldMap
from indexer.ingest.sources.files import ReadOptions


@dataclass(frozen=True)
class Checkpoint:
    """How far a load got: the first `records` input records are in the index."""

    paths: list[str]  # absolute, in the order given
    options: dict[str, Any]  # the read options that decide what the records are
    records: int = 0  # input records done, in reading order
    file: str | None = None  # where the last of them came from,
    offset: int | None = None  # and its line or record number there
    indexed: int = 0  # documents in the version at this point
    refused: int = 0  # documents the engine refused up to this point (dead letters)
    # The alias's last update journal entry when the load began: the entries after it
    # are replayed into the version (indexer/index/updates.py).
    updates_from: int = 0

    @classmethod
    def start(cls, paths: list[str], options: ReadOptions, updates_from: int = 0) -> Checkpoint:
        return cls(_absolute(paths), _options_json(options), updates_from=updates_from)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def where(self) -> str:
        if not self.records:
            return "the start"
        return f"record {self.records} ({self.file} {self.offset})"

    def check_input(self, paths: list[str], options: ReadOptions) -> None:
        """A resumed load must read the same records in the same order."""
        if _absolute(paths) != self.paths:
            raise BackendError(
                f"--resume: the interrupted load read {' '.join(self.paths)}, not "
                f"{' '.join(_absolute(paths))}: give the same paths, or none"
            )
        if _options_json(options) != self.options:
            raise BackendError(
                f"--resume: the interrupted load read with {self.options}, not "
                f"{_options_json(options)}: give the same options, or none"
            )

    def check_position(self, origin: Origin) -> None:
        """The record at the checkpoint must still be the one that was loaded."""
        if (_absolute_path(origin.path), _offset(origin)) != (self.file, self.offset):
            raise BackendError(
                f"--resume: record {self.records} is now {origin}, not {self.file} "
                f"{self.offset}: the input changed; run the reindex without --resume"
            )

    def read_options(self) -> ReadOptions:
        return ReadOptions(
            format=self.options["format"],
            field_map=FieldMap(self.options["fields"]),
            max_chars=self.options["max_chars"],
            date_order=self.options.get("date_order"),
        )


class Interrupted(NamedTuple):
    """A load that did not complete: its version, and how far it got."""

    version: str
    checkpoint: Checkpoint


def _absolute_path(path: str) -> str:
    return path if path == "-" else os.path.abspath(path)


def _absolute(paths: list[str]) -> list[str]:
    return [_absolute_path(p) for p in paths]


def _offset(origin: Origin) -> int | None:
    """Where a record is in its file: its line, else its record number."""
    return origin.line if origin.line is not None else origin.record


def _options_json(options: ReadOptions) -> dict[str, Any]:
    saved: dict[str, Any] = {
        "format": options.format,
        "fields": dict(options.field_map.overrides),
        "max_chars": options.max_chars,
    }
    if options.date_order is not None:  # absent when unset: older checkpoints compare equal
        saved["date_order"] = options.date_order
    return saved


class Sent(NamedTuple):
    """An article given to the backend: input records read up to it, and its origin."""

    records: int
    origin: Origin


class CheckpointTracker:
    """Saves a checkpoint each time `every` more articles are durable.

    `sent` is told of every article given to the backend, in order; `durable` is the
    backend's on_durable(done, refused): the first `done` articles sent are in the
    index, or refused (`refused` of them, in this load). A checkpoint names the input
    record of the last durable article, so a resumed load sends what comes after it.
    Only the articles sent but not yet durable are remembered.
    """

    def __init__(self, start: Checkpoint, every: int, save: Callable[[Checkpoint], None]) -> None:
        self.start = start  # where this load began (saved before it)
        self.saved = start  # the last checkpoint saved
        self._every = every
        self._save = save
        self._pending: deque[Sent] = deque()  # sent, not yet durable
        self._durable = 0  # articles durable so far
        self._last: Sent | None = None  # the last of them
        self._saved_at = 0  # articles durable when `saved` was saved

    def sent(self, records: int, origin: Origin) -> None:
        self._pending.append(Sent(records, origin))

    def durable(self, done: int, refused: int) -> None:
        while self._durable < done:
            self._last = self._pending.popleft()
            self._durable += 1
        if self._last is None or done - self._saved_at < self._every:
            return
        checkpoint = replace(
            self.saved,
            records=self._last.records,
            file=_absolute_path(self._last.origin.path),
            offset=_offset(self._last.origin),
            indexed=self.start.indexed + done - refused,
            refused=self.start.refused + refused,
        )
        self._save(checkpoint)
        # Only once it is saved: a failure names the checkpoint a resume will find.
        self.saved, self._saved_at = checkpoint, done
