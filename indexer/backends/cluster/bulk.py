"""Bulk loading into the cluster: expand -> chunk -> send -> retry.

Articles become bulk operations (an action line and the document); operations are
grouped in chunks bounded by a document count and a byte size; each chunk is one
_bulk request; documents that failed for a passing reason (429 and 502/503/504 for
the item or the whole request, a lost connection, a timeout) are sent again, alone,
after an exponential backoff, a bounded number of times; documents the engine
refuses (a mapping error, 400) go to the dead-letter file with their reason and are
not retried. The same for both engines: the requests go through engines.Engine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from indexer.backends import BackendUnavailable
from indexer.backends.cluster.engines import RETRY_STATUSES, ApiFailure, Engine, Unreachable
from indexer.ingest.articles import Article


class BulkFailed(BackendUnavailable):
    """Documents still failing for a passing reason after every retry: the cluster
    is overloaded or going away (exit code 3, like an unreachable one)."""


@dataclass(frozen=True)
class Action:
    article: Article
    lines: bytes  # the bulk action line and the document, NDJSON: serialized once

    @property
    def size(self) -> int:
        return len(self.lines)


@dataclass
class BulkReport:
    indexed: int = 0
    dead: list[tuple[Article, str]] = field(default_factory=list)
    retried: int = 0


def document(article: Article) -> dict[str, Any]:
    """The stored document: the index contract's fields."""
    source = article.to_json()
    source["indexed_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return source


def bulk_lines(index: str, doc_id: str, source: dict[str, Any]) -> bytes:
    """One document's two NDJSON lines of a _bulk request."""
    action = orjson.dumps({"index": {"_index": index, "_id": doc_id}})
    return action + b"\n" + orjson.dumps(source) + b"\n"


def expand(index: str, articles: Iterable[Article]) -> Iterator[Action]:
    for article in articles:
        yield Action(article, bulk_lines(index, article.id, document(article)))


def chunk(actions: Iterable[Action], max_docs: int, max_bytes: int) -> Iterator[list[Action]]:
    batch: list[Action] = []
    size = 0
    for action in actions:
        if batch and (len(batch) >= max_docs or size + action.size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(action)
        size += action.size
    if batch:
        yield batch


def send(
    engine: Engine,
    batch: list[Action],
    report: BulkReport,
    max_retries: int,
    initial_backoff: float,
    max_backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    pending = batch
    for attempt in range(max_retries + 1):
        retry: list[tuple[Action, str]] = []
        try:
            items = engine.bulk(b"".join(a.lines for a in pending))
        except Unreachable as err:  # no answer: every document is still to send
            retry = [(a, f"{type(err).__name__}: {err.reason}") for a in pending]
        except ApiFailure as err:
            if err.status not in RETRY_STATUSES:
                raise
            retry = [(a, f"status {err.status}: {err.reason}") for a in pending]
        else:
            for action, item in zip(pending, items, strict=True):
                if item.ok:
                    report.indexed += 1
                elif item.status in RETRY_STATUSES:
                    retry.append((action, f"status {item.status}: {item.reason}"))
                else:
                    report.dead.append((action.article, f"status {item.status}: {item.reason}"))
        if not retry:
            return
        if attempt == max_retries:
            raise BulkFailed(
                f"{len(retry)} documents still failing after {max_retries} retries "
                f"(last: {retry[0][1]})"
            )
        report.retried += len(retry)
        sleep(min(max_backoff, initial_backoff * 2**attempt))
        pending = [action for action, _ in retry]


def write_dead_letter(stream: TextIO, index: str, article: Article, reason: str) -> None:
    line = {
        "index": index,
        "id": article.id,
        "origin": str(article.origin),
        "reason": reason,
        "document": article.to_json(),
    }
    stream.write(json.dumps(line, ensure_ascii=False) + "\n")


def dead_letter_path(directory: Path, index: str) -> Path:
    return directory / f"{index}.ndjson"
