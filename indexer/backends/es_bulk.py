"""Streaming bulk into Elasticsearch: expand -> chunk -> send -> retry.

Articles become bulk actions; actions are grouped in chunks bounded by a document
count and a byte size; each chunk goes through elasticsearch-py's streaming_bulk;
items that failed for a passing reason (429 and 502/503/504, a lost connection, a
timeout) are sent again, alone, after an exponential backoff, a bounded number of
times; items Elasticsearch refuses (a mapping error, 400) go to the dead-letter
file with their reason and are not retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import Elasticsearch, helpers

from indexer.articles import Article
from indexer.backends import BackendUnavailable

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class BulkFailed(BackendUnavailable):
    """Documents still failing for a passing reason after every retry: the cluster
    is overloaded or going away (exit code 3, like an unreachable one)."""


@dataclass(frozen=True)
class Action:
    article: Article
    body: dict  # the bulk action with its _source
    size: int  # bytes of its JSON, for chunking


@dataclass
class BulkReport:
    indexed: int = 0
    dead: list[tuple[Article, str]] = field(default_factory=list)
    retried: int = 0


def document(article: Article) -> dict:
    """The stored document: the index contract's fields."""
    source = article.to_json()
    source["indexed_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return source


def expand(index: str, articles: Iterable[Article]) -> Iterator[Action]:
    for article in articles:
        source = document(article)
        body = {"_op_type": "index", "_index": index, "_id": article.id, "_source": source}
        size = len(json.dumps(source, ensure_ascii=False).encode("utf-8")) + 100
        yield Action(article, body, size)


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


def _failure(info: dict) -> tuple[bool, str]:
    """(retry it?, the reason) for a failed bulk item as streaming_bulk reports it."""
    item = next(iter(info.values()))
    status = item.get("status")
    error = item.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type')}: {error.get('reason')}"
    else:
        reason = str(error)
    return status in RETRY_STATUSES, f"status {status}: {reason}"


def send(
    client: Elasticsearch,
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
        results = helpers.streaming_bulk(
            # No transport-level retries under ours: they would multiply the two bounds.
            client.options(max_retries=0),
            (a.body for a in pending),
            chunk_size=len(pending),  # one request: the chunking is ours
            max_chunk_bytes=sum(a.size for a in pending) + 1024,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=0,  # retries are ours: they cover more than 429
            yield_ok=True,
        )
        try:
            for action, (ok, info) in zip(pending, results, strict=True):
                if ok:
                    report.indexed += 1
                    continue
                retryable, reason = _failure(info)
                if retryable:
                    retry.append((action, reason))
                else:
                    report.dead.append((action.article, reason))
        except (TransportConnectionError, ConnectionTimeout) as err:
            # streaming_bulk lets connection errors out (after the client's own
            # retries): the request's items are all still to send.
            retry = [(a, f"{type(err).__name__}: {err}") for a in pending]
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
