"""Backends: where articles are indexed and searched. One interface, two engines.

The embedded backend (tantivy, on disk under --home) needs no server; the cluster
backend, on Elasticsearch or OpenSearch, is the production path. The CLI and the
query module only use the operations of `Backend`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from indexer.errors import EXIT_UNAVAILABLE, EXIT_USAGE, ArabicSearchError
from indexer.ingest.articles import Article, Origin
from indexer.search.query import SearchRequest, SearchResult

if TYPE_CHECKING:  # the checkpoints module reads the backends' errors
    from indexer.index.checkpoints import Checkpoint, Interrupted

BACKEND_NAMES = ("embedded", "elasticsearch", "opensearch")
DEFAULT_ALIAS = "articles"
DEFAULT_HOME = ".arabic-search"
KEEP_OLD_VERSIONS = 2  # old versions of an alias kept after a reindex, for rollback


class BackendError(ArabicSearchError, RuntimeError):
    """An operation the backend could not do (the message says why and what to do)."""

    exit_code = EXIT_USAGE


class BackendUnavailable(BackendError):
    """The backend cannot be reached at all (exit code 3)."""

    exit_code = EXIT_UNAVAILABLE


class Unsupported(BackendError):
    """An operation this backend does not have (the message says which one does)."""


@dataclass(frozen=True)
class LoadResult:
    indexed: int
    # Documents the engine refused (for Elasticsearch, written to the dead-letter file).
    rejected: list[tuple[Article, str]] = field(default_factory=list)


# on_durable(done, refused): see Backend.load.
OnDurable = Callable[[int, int], None]


def nothing_to_do(done: int, refused: int) -> None:
    """The default on_durable."""


# on_progress(done, total) of a copy on the server: documents copied so far, of `total`
# (None while the server does not know it yet). See Backend.reindex_from_index.
OnProgress = Callable[[int, int | None], None]


def no_progress(done: int, total: int | None) -> None:
    """The default on_progress."""


@dataclass(frozen=True)
class LockHolder:
    """Who holds an alias's reindex lock: a reindex that runs now."""

    host: str | None
    pid: int | None
    since: str | None

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host} since {self.since}"

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "pid": self.pid, "since": self.since}

    @property
    def elsewhere(self) -> bool:
        """Held from another machine, where this one cannot tell whether it still runs."""
        return self.host != socket.gethostname()


@dataclass(frozen=True)
class Update:
    """One entry of an alias's update journal (indexer/index/updates.py): articles that
    `add` put into the live version, or the ids that `delete` took out of it, numbered
    (`seq`) in the order they were journaled."""

    seq: int
    added: tuple[Article, ...] = ()
    deleted: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "added": [article.to_json() for article in self.added],
            "deleted": list(self.deleted),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Update:
        seq = int(data["seq"])
        origin = Origin(f"update {seq}")  # a replayed article comes from its journal entry
        added = tuple(Article.from_json(a, origin) for a in data.get("added", ()))
        return cls(seq, added, tuple(data.get("deleted", ())))


@dataclass(frozen=True)
class Known:
    """What a version holds already of some articles: which of their ids, and for each
    of their fingerprints it holds, the id of the article that has it."""

    ids: frozenset[str]
    fingerprints: dict[str, str]


@dataclass(frozen=True)
class Applied:
    """What one update did to a version."""

    indexed: int  # articles added or replaced
    deleted: int
    missing: tuple[str, ...] = ()  # ids to delete that the version did not hold
    refused: list[tuple[Article, str]] = field(default_factory=list)  # by the engine


# A version's state in a status: loaded, being loaded now, or a load that stopped.
COMPLETE, RUNNING, INTERRUPTED = "complete", "running", "interrupted"


@dataclass(frozen=True)
class VersionInfo:
    name: str
    documents: int  # an incomplete version's: its checkpoint's, what is in it for good
    complete: bool
    created_at: str
    state: str = COMPLETE  # COMPLETE, RUNNING or INTERRUPTED: see with_states
    records: int | None = None  # an incomplete version's input records, per its checkpoint
    checkpoint: str | None = None  # and where that is: "record N (file line)"
    # A cluster version's layout (None on the embedded backend, which has neither):
    # its primary shards, its replicas of each now, and auto_expand_replicas ("0-1")
    # when the engine sets the replicas by the number of nodes.
    shards: int | None = None
    replicas: int | None = None
    auto_replicas: str | None = None


def with_states(versions: list[VersionInfo], lock: LockHolder | None) -> list[VersionInfo]:
    """The versions with their states: while the alias's lock is held, its newest
    incomplete version is the one being built (running); any other incomplete
    version is a load that stopped (interrupted)."""
    incomplete = [v.name for v in versions if not v.complete]
    running = incomplete[-1] if incomplete and lock is not None else None
    return [
        replace(
            v,
            state=COMPLETE if v.complete else RUNNING if v.name == running else INTERRUPTED,
        )
        for v in versions
    ]


@dataclass(frozen=True)
class Status:
    backend: str
    alias: str
    current: str | None
    previous: str | None
    documents: int
    mapping_version: int | None
    versions: list[VersionInfo]
    health: str
    lock: LockHolder | None = None  # who runs a reindex of the alias now

    @property
    def exists(self) -> bool:
        """Has the alias anything: a version, or a reindex that is making one?"""
        return bool(self.current or self.versions or self.lock)

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "alias": self.alias,
            "current": self.current,
            "previous": self.previous,
            "documents": self.documents,
            "mapping_version": self.mapping_version,
            "health": self.health,
            "lock": self.lock.to_json() if self.lock else None,
            "versions": [v.__dict__ for v in self.versions],
        }


class UpdateJournal(Protocol):
    """Each alias's updates, in the order they were made (indexer/index/updates.py)."""

    def append(self, alias: str, added: Sequence[Article], deleted: Sequence[str]) -> Update:
        """Write an entry, numbered after every entry before it; returns it. Several
        processes may append at once."""

    def after(self, alias: str, seq: int) -> Iterator[Update]:
        """The entries numbered after `seq`, in order."""

    def last(self, alias: str) -> int:
        """The number of the last entry (0: none ever)."""

    def trim(self, alias: str, upto: int) -> None:
        """Forget the entries numbered before `upto`; the entry `upto` stays, so that
        the numbers go on from it."""


class Backend(Protocol):
    name: str
    # Documents between two checkpoints of a load: the backend's, as its commits cost.
    checkpoint_every: int

    def lock(self, alias: str) -> AbstractContextManager[None]:
        """Held for a whole reindex: one reindex of an alias at a time."""

    def create_version(self, alias: str) -> str:
        """A new, empty index version for `alias`; searches do not see it yet."""

    def load(
        self, version: str, articles: Iterable[Article], on_durable: OnDurable = nothing_to_do
    ) -> LoadResult:
        """Index the articles into `version`: how many it holds, which it refused.

        After each commit (a bulk request, a tantivy commit) it calls
        `on_durable(done, refused)`: the first `done` articles are in the index
        for good, or refused (`refused` of them); the calls come one at a time, in
        order, maybe from a thread of the backend's. An id already in the version is
        replaced, never stored twice."""

    def save_checkpoint(self, version: str, checkpoint: Checkpoint) -> None:
        """Keep how far the load of `version` got, with the version itself."""

    def interrupted(self, alias: str) -> Interrupted | None:
        """The newest incomplete version of `alias` with its checkpoint, if any."""

    def switch(self, alias: str, version: str) -> None:
        """Point `alias` at `version` in one atomic step; the old one stays for rollback."""

    def discard(self, version: str) -> None:
        """Remove a version that was not switched to (a failed or interrupted load)."""

    def rollback(self, alias: str, to: str | None = None) -> str:
        """Point `alias` at the next older complete version (a second rollback goes
        further back), or at version `to`, older or newer; returns it. Refused
        (rollback_target) when there is none, or `to` is not a complete version of the
        alias other than the current one."""

    def reindex_from_index(
        self, alias: str, on_progress: OnProgress = no_progress
    ) -> tuple[str, int]:
        """A new version from the current one, re-analyzed where it is stored; returns
        the version and its document count. Unsupported where there is no server.
        `on_progress(done, total)` is called as the copy goes, and once at its end."""

    def unlock(self, alias: str) -> str | None:
        """Clear the lock a crashed reindex left behind; who held it, or None."""

    def lock_holder(self, alias: str) -> LockHolder | None:
        """Who holds the alias's reindex lock, if a reindex may be running: None when
        nobody does, or when its holder is known to be gone."""

    @property
    def journal(self) -> UpdateJournal:
        """The updates of its aliases."""

    def current(self, alias: str) -> str | None:
        """The version the alias points at now; None when it points at none."""

    def known(self, version: str, articles: Sequence[Article]) -> Known:
        """What `version` holds already of these articles' ids and fingerprints."""

    def apply(self, version: str, update: Update) -> Applied:
        """Delete the update's ids from `version`, then add (or replace) its articles;
        searches see the change when it returns. Refused (BackendError) for a version
        whose index was built by a program without add."""

    def search(self, alias: str, request: SearchRequest) -> SearchResult: ...

    def newest_published(self, alias: str) -> datetime | None:
        """The newest published_at of the alias's current version, where recency decays
        from (None: no dated article), looked up as a search does."""

    def status(self, alias: str) -> Status: ...


def no_older_version(alias: str, current: str | None) -> str:
    """Why a rollback is refused: the same words on every backend."""
    where = f"is on {current}, and no complete version older than it is kept"
    return (
        f"alias {alias!r} {where if current else 'points at no version'}: nothing to roll back to"
    )


def rollback_target(
    alias: str, current: str | None, versions: dict[str, bool], to: str | None
) -> str:
    """Where a rollback of `alias` goes: `to`, or the newest complete version older than
    `current`. `versions` is the alias's, oldest first, each with whether it is
    complete. Refusals in the same words on every backend."""
    if to is None:
        older = [v for v, complete in versions.items() if complete and (not current or v < current)]
        if not older:
            raise BackendError(no_older_version(alias, current))
        return older[-1]
    if to not in versions:
        raise BackendError(unknown_version(alias, to, list(versions)))
    if not versions[to]:
        raise BackendError(
            f"version {to} of {alias!r} is incomplete (its load was interrupted or still "
            "runs): not switching to it; give a complete version ('arabic-search versions' "
            "lists them)"
        )
    if to == current:
        raise BackendError(f"alias {alias!r} is on {to} already: nothing to roll back")
    return to


def unknown_version(alias: str, version: str, versions: list[str]) -> str:
    """Why a version that is not one of the alias's is refused, with the valid ones."""
    valid = ", ".join(versions) if versions else "none"
    return f"alias {alias!r} has no version {version!r}: its versions are {valid}"


def discard_refusal(status: Status, version: str) -> str | None:
    """Why `version` may not be discarded, in the same words on every backend: it is not
    the alias's, the alias points at it, or a running reindex builds it; None if it may."""
    states = {v.name: v.state for v in status.versions}
    if version not in states:
        return unknown_version(status.alias, version, list(states))
    if version == status.current:
        return (
            f"{version} is the live version of {status.alias!r}: not discarded; roll back "
            "or reindex first ('arabic-search rollback --to VERSION')"
        )
    if states[version] == RUNNING:
        return (
            f"{version} is being built by a running reindex ({status.lock}): not discarded; "
            "wait for it to end, or stop it"
        )
    return None


def no_such_alias(alias: str, reindex: str = "arabic-search reindex PATH...") -> str:
    """Why status refuses an alias that has nothing: the same words on every backend."""
    return f"alias {alias!r} does not exist: no version of it was built; run '{reindex}' first"


def choose_backend(explicit: str | None) -> str:
    """--backend, else ARABIC_SEARCH_BACKEND, else elasticsearch when ES_URL is set,
    opensearch when OPENSEARCH_URL is, else embedded."""
    name = explicit or os.environ.get("ARABIC_SEARCH_BACKEND")
    if not name:
        if os.environ.get("ES_URL"):
            name = "elasticsearch"
        elif os.environ.get("OPENSEARCH_URL"):
            name = "opensearch"
        else:
            name = "embedded"
    if name not in BACKEND_NAMES:
        raise BackendError(f"unknown backend {name!r}: choose one of {', '.join(BACKEND_NAMES)}")
    return name
