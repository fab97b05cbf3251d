"""The checkpoint tracker: which input record a checkpoint names, and when one is saved."""

from __future__ import annotations

import os

import pytest

from indexer.backends import BackendError
from indexer.index.checkpoints import Checkpoint, CheckpointTracker
from indexer.ingest.articles import Origin
from indexer.ingest.sources.files import ReadOptions

START = Checkpoint.start(["news.jsonl"], ReadOptions())
NEWS = os.path.abspath("news.jsonl")


def tracked(every: int, start: Checkpoint = START) -> tuple[CheckpointTracker, list[Checkpoint]]:
    saved: list[Checkpoint] = []
    return CheckpointTracker(start, every, saved.append), saved


def send(tracker: CheckpointTracker, records: range, path: str = "news.jsonl") -> None:
    """One article per input record, from line `record` of `path`."""
    for record in records:
        tracker.sent(record, Origin(path, line=record))


def test_a_checkpoint_names_the_record_of_the_last_durable_article() -> None:
    tracker, saved = tracked(every=3)
    send(tracker, range(1, 8))
    tracker.durable(2, 0)
    assert saved == [] and tracker.saved == START  # 2 of 3: not yet
    tracker.durable(5, 0)  # the 5th article, record 5, is the last one in
    assert saved == [tracker.saved]
    assert (tracker.saved.records, tracker.saved.file, tracker.saved.offset) == (5, NEWS, 5)
    assert (tracker.saved.indexed, tracker.saved.refused) == (5, 0)
    assert tracker.saved.paths == START.paths and tracker.saved.options == START.options


def test_the_interval_counts_from_the_last_saved_checkpoint() -> None:
    tracker, saved = tracked(every=3)
    send(tracker, range(1, 11))
    for done in range(1, 11):  # one article durable at a time
        tracker.durable(done, 0)
    assert [c.records for c in saved] == [3, 6, 9]


def test_records_skipped_by_the_parser_are_passed_over() -> None:
    """Duplicates and rejections send no article: the record number still counts them."""
    tracker, saved = tracked(every=2)
    tracker.sent(2, Origin("news.jsonl", line=2))
    tracker.sent(7, Origin("news.jsonl", line=9))
    tracker.durable(2, 0)
    assert (saved[-1].records, saved[-1].offset) == (7, 9)


def test_refused_documents_and_a_resumed_start_add_up() -> None:
    resumed = Checkpoint(START.paths, START.options, records=40, indexed=38, refused=2)
    tracker, saved = tracked(every=4, start=resumed)
    send(tracker, range(41, 46))
    tracker.durable(4, 1)  # 4 more done, 1 of them refused by the engine
    assert (saved[-1].records, saved[-1].indexed, saved[-1].refused) == (44, 41, 3)


def test_a_record_without_a_line_is_named_by_its_record_number() -> None:
    tracker, saved = tracked(every=1)
    tracker.sent(1, Origin("news.csv", record=17))
    tracker.durable(1, 0)
    assert (saved[-1].file, saved[-1].offset) == (os.path.abspath("news.csv"), 17)


def test_a_checkpoint_that_could_not_be_saved_is_not_claimed() -> None:
    def fail(checkpoint: Checkpoint) -> None:
        raise BackendError("cluster gone")

    tracker = CheckpointTracker(START, 1, fail)
    send(tracker, range(1, 3))
    with pytest.raises(BackendError):
        tracker.durable(2, 0)
    assert tracker.saved == START  # a failure message names where a resume starts


def test_the_record_at_the_checkpoint_must_still_be_there() -> None:
    checkpoint = Checkpoint(START.paths, START.options, records=5, file=NEWS, offset=5)
    checkpoint.check_position(Origin("news.jsonl", line=5))
    with pytest.raises(BackendError, match="the input changed"):
        checkpoint.check_position(Origin("news.jsonl", line=6))
