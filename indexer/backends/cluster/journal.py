"""The cluster's update journal: what `add` and `delete` did to an alias, kept until a
reindex has replayed it into its new version (indexer/index/updates.py).

One index holds the journals of every alias, JOURNAL_INDEX, a document an entry, its
id "<alias>:<seq>". An entry takes its number by creating that document (sent once,
refreshed before the call returns): of two writers that read the same last number,
only one can create it; the other reads again and takes the next.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import orjson

from indexer.backends import BackendError, Update
from indexer.backends.cluster.engines import Conflict, Engine, EngineError, NotFound
from indexer.backends.cluster.settings import SMALL_INDEX_SETTINGS
from indexer.ingest.articles import Article

JOURNAL_INDEX = "arabic-search-updates"
# Only the alias and the number are searched; the articles are kept as they were sent.
JOURNAL_MAPPINGS = {
    "dynamic": False,
    "properties": {"alias": {"type": "keyword"}, "seq": {"type": "long"}},
}
PAGE = 20  # entries a search reads: each holds up to indexer/index/updates.py's BATCH
TRIM_PAGE = 1_000  # entries deleted by one bulk request
NUMBER_ATTEMPTS = 50  # tries to take the next number while other writers take it too

T = TypeVar("T")


class Call(Protocol):
    """The backend's way of making requests (ClusterBackend._call)."""

    def __call__(
        self, what: str, fn: Callable[[], T], keep: tuple[type[EngineError], ...] = ()
    ) -> T: ...


class ClusterJournal:
    def __init__(self, engine: Engine, call: Call) -> None:
        self.engine = engine
        self._call = call

    def append(self, alias: str, added: Sequence[Article], deleted: Sequence[str]) -> Update:
        with contextlib.suppress(Conflict):
            self._call(
                f"creating {JOURNAL_INDEX}",
                lambda: self.engine.create_index(
                    JOURNAL_INDEX, SMALL_INDEX_SETTINGS, JOURNAL_MAPPINGS
                ),
                keep=(Conflict,),
            )
        for _ in range(NUMBER_ATTEMPTS):
            update = Update(self.last(alias) + 1, tuple(added), tuple(deleted))
            entry = {**update.to_json(), "alias": alias, "at": _now()}
            try:
                self._call(
                    f"journaling an update of {alias}",
                    functools.partial(
                        self.engine.create_document, JOURNAL_INDEX, f"{alias}:{update.seq}", entry
                    ),
                    keep=(Conflict,),
                )
                return update
            except Conflict:  # another writer took that number first
                continue
        raise BackendError(
            f"the journal of {alias!r}: {NUMBER_ATTEMPTS} other updates were numbered "
            "while this one waited; try again"
        )

    def last(self, alias: str) -> int:
        body = {"size": 1, "query": _of(alias), "sort": [{"seq": "desc"}], "_source": ["seq"]}
        hits = self._search(alias, body)
        return int(hits[0]["_source"]["seq"]) if hits else 0

    def after(self, alias: str, seq: int) -> Iterator[Update]:
        while True:
            body = {"size": PAGE, "query": _of(alias, above=seq), "sort": [{"seq": "asc"}]}
            hits = self._search(alias, body)
            for hit in hits:
                update = Update.from_json(hit["_source"])
                seq = update.seq
                yield update
            if len(hits) < PAGE:
                return

    def trim(self, alias: str, upto: int) -> None:
        while True:
            body = {"size": TRIM_PAGE, "query": _of(alias, below=upto), "_source": False}
            hits = self._search(alias, body)
            if not hits:
                return
            lines = b"".join(
                orjson.dumps({"delete": {"_index": JOURNAL_INDEX, "_id": hit["_id"]}}) + b"\n"
                for hit in hits
            )
            self._call(
                f"trimming the journal of {alias}", functools.partial(self.engine.bulk, lines)
            )
            self._call(f"refreshing {JOURNAL_INDEX}", lambda: self.engine.refresh(JOURNAL_INDEX))

    def _search(self, alias: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The hits; none while the journal index does not exist (no update yet)."""
        try:
            found = self._call(
                f"reading the journal of {alias}",
                lambda: self.engine.search(JOURNAL_INDEX, body),
                keep=(NotFound,),
            )
        except NotFound:
            return []
        return list(found["hits"]["hits"])


def _of(alias: str, above: int | None = None, below: int | None = None) -> dict[str, Any]:
    """The alias's entries, numbered above or below a number."""
    clauses: list[dict[str, Any]] = [{"term": {"alias": alias}}]
    if above is not None:
        clauses.append({"range": {"seq": {"gt": above}}})
    if below is not None:
        clauses.append({"range": {"seq": {"lt": below}}})
    return {"bool": {"filter": clauses}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
