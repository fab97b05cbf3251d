"""The cluster backend: versioned indices behind an alias, on Elasticsearch or OpenSearch.

    reindex: lock the alias -> create <alias>-<UTC time> from the generated mappings
    (refresh off, no replicas) -> bulk load -> settings restored, refresh -> count
    checked -> ONE _aliases call moves the alias (and removes a concrete index of that
    name) -> versions older than the last N are deleted -> unlock.

The engine (engines.py) makes the requests; everything here is shared by both.
Errors become BackendUnavailable (no cluster: exit 3) or BackendError with one
clear line; the url in messages never carries credentials.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from indexer.analysis.analyzers import Analyzer, default_analyzers
from indexer.backends import (
    Applied,
    BackendError,
    BackendUnavailable,
    Known,
    LoadResult,
    LockHolder,
    OnDurable,
    OnProgress,
    Status,
    Unsupported,
    Update,
    VersionInfo,
    no_progress,
    nothing_to_do,
    rollback_target,
    with_states,
)
from indexer.backends.cluster.bulk import (
    Action,
    BulkReport,
    chunk,
    dead_letter_path,
    expand,
    send,
    write_dead_letter,
)
from indexer.backends.cluster.engines import (
    ENGINES,
    Conflict,
    Engine,
    EngineError,
    Incompatible,
    NoHandler,
    NotFound,
    PlainHttp,
    Refused,
    TimedOut,
    TlsFailed,
    Unavailable,
    Unreachable,
    error_reason,
)
from indexer.backends.cluster.journal import ClusterJournal
from indexer.backends.cluster.query import (
    NEWEST_BODY,
    SEARCH_TYPE,
    newest_published,
    run_search,
)
from indexer.backends.cluster.settings import (
    DEFAULT_SHARDS,
    DEFAULT_TIMEOUT,
    ENV_PREFIX,
    SMALL_INDEX_SETTINGS,
    ClusterSettings,
)
from indexer.index.checkpoints import Checkpoint, Interrupted
from indexer.index.mappings import MAPPING_VERSION, index_body
from indexer.ingest.articles import Article
from indexer.search.query import RANKING, Ranking, SearchRequest, SearchResult

T = TypeVar("T")
# While loading: no refresh, no replicas (the settings' layout restores them afterwards).
LOAD_SETTINGS = {"refresh_interval": "-1", "number_of_replicas": 0, "auto_expand_replicas": False}
# One document per alias being reindexed; creating it is the lock (409 if held).
LOCK_INDEX = "arabic-search-locks"
TASK_POLL_SECONDS = 1.0
TASK_CANCEL_SECONDS = 60.0  # how long a cancelled _reindex may take to stop


# A version's name is its alias and the UTC time it was created (version_pattern).
VERSION_TIME = "%Y%m%dt%H%M%S%f"


def version_pattern(alias: str) -> re.Pattern[str]:
    """The names of an alias's versions: <alias>-<UTC time>, and nothing else (the
    versions of an alias named `<alias>-x` are not `<alias>`'s)."""
    return re.compile(rf"{re.escape(alias)}-\d{{8}}t\d{{12}}")


def _held_by_a_dead_process(holder: dict[str, Any]) -> bool:
    """Was the lock taken by a process of this machine that no longer runs?"""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return False
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


def _holder_of(lock: dict[str, Any]) -> LockHolder:
    """The holder a lock document names."""
    return LockHolder(lock.get("host"), lock.get("pid"), lock.get("since"))


class NotACluster(BackendUnavailable):
    """Something answers at the url, but not the engine (exit code 3)."""


def created_at(version: str) -> str:
    """When a version was created: its name ends with that UTC time (create_version)."""
    stamp = datetime.strptime(version.rsplit("-", 1)[1], VERSION_TIME).replace(tzinfo=UTC)
    return stamp.isoformat(timespec="seconds")


def alias_of(version: str) -> str:
    return version.rsplit("-", 1)[0]


class ClusterBackend:
    def __init__(
        self,
        engine: Engine,
        settings: ClusterSettings,
        dead_letters: Path = Path("dead-letters"),
        sleep: Callable[[float], None] = time.sleep,
        analyzers: dict[str, Analyzer] | None = None,
        ranking: Ranking = RANKING,
    ) -> None:
        """`analyzers` and `ranking` other than the defaults are for comparing analyses
        (the relevance evaluation's baselines): the versions it creates get their own
        analysis in the mappings, and searches are planned and weighted with them."""
        self.engine = engine
        self.name: str = engine.name
        self.settings = settings
        self.checkpoint_every = settings.checkpoint_every
        self.dead_letters = dead_letters
        self._sleep = sleep
        self._analyzers = analyzers or default_analyzers()
        self._ranking = ranking
        self._index_body = index_body(self._analyzers)
        self.journal = ClusterJournal(engine, self._call)
        self._asked: dict[str, dict[str, Any]] = {}  # version -> its layout asked (_meta)

    def _call(self, what: str, fn: Callable[[], T], keep: tuple[type[EngineError], ...] = ()) -> T:
        """Run requests; turn their failures into one-line errors (those of the kinds in
        `keep` are raised as they are, for the caller to handle)."""
        product, where, env = self.engine.product, self.settings.safe_url, ENV_PREFIX[self.name]
        try:
            return fn()
        except keep:
            raise
        except PlainHttp as err:
            plain = urllib.parse.urlunsplit(("http", *urllib.parse.urlsplit(where)[1:]))
            raise BackendUnavailable(
                f"{product} at {where} failed the TLS handshake ({err.reason}): the server "
                f"at that url does not speak TLS, it answers plain HTTP; use http:// in "
                f"{env}URL ({plain})"
            ) from None
        except TlsFailed as err:
            raise BackendUnavailable(
                f"TLS to {product} at {where} failed ({err.reason}); "
                f"set {env}CA_CERTS to the cluster's CA bundle"
            ) from None
        except TimedOut:
            # Before Unreachable, its base: the server may be there, only slow or stuck.
            timeout = f"{self.settings.request_timeout:g}"
            raise BackendUnavailable(
                f"{product} at {where} timed out after {timeout} s while {what}: no answer "
                f"in time; if the cluster is busy, give it longer with --timeout SECONDS "
                f"(now {timeout}, default {DEFAULT_TIMEOUT:g}); if it never answers, "
                f"check {env}URL"
            ) from None
        except Unreachable as err:
            raise BackendUnavailable(
                f"{product} at {where} is unreachable ({err.reason}) while {what}"
            ) from None
        except Incompatible:
            version = self.engine.server_version() or "of an unknown version"
            raise BackendError(
                f"{product} {version} at {where} refused the client's API version while "
                f"{what}: arabic-search supports {self.engine.supported}"
            ) from None
        except Refused as err:
            credentials = f"{env}API_KEY or " if self.name == "elasticsearch" else ""
            raise BackendError(
                f"{product} at {where} refused the credentials ({err.status}) while {what}: "
                f"check {credentials}{env}USERNAME/{env}PASSWORD and their privileges"
            ) from None
        except Unavailable as err:
            raise BackendUnavailable(
                f"{product} at {where} could not answer while {what}: part of the cluster "
                f"is unavailable ({err.reason}); check its health (arabic-search status) and "
                f"try again once its nodes are back"
            ) from None
        except EngineError as err:
            raise BackendError(f"{product} error while {what}: {err.reason}") from None

    # ------------------------------------------------------------------ the lock

    @contextlib.contextmanager
    def lock(self, alias: str) -> Iterator[None]:
        """One reindex of an alias at a time, across machines: a lock document that
        only one of them can create. A second reindex fails at once and says who
        holds the lock. A lock left by a process of this machine that is gone is
        taken over; any other is cleared with `arabic-search unlock`."""
        holder: dict[str, Any] = {
            "alias": alias,
            "token": uuid.uuid4().hex,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._call(f"locking {alias}", lambda: self._take_lock(alias, holder))
        release = functools.partial(self._release_lock, alias, holder["token"])
        try:
            yield
        except BaseException as failure:
            try:
                self._call(f"unlocking {alias}", release)
            except BackendError:  # keep the first error; say what is left
                failure.add_note(
                    f"the reindex lock on {alias!r} could not be cleared: run "
                    f"'arabic-search unlock --alias {alias}' when the cluster is back"
                )
            raise
        self._call(f"unlocking {alias}", release)

    def _take_lock(self, alias: str, holder: dict[str, Any]) -> None:
        with contextlib.suppress(Conflict):
            self.engine.create_index(
                LOCK_INDEX,
                SMALL_INDEX_SETTINGS,
                {"dynamic": False, "properties": {}},
            )
        for _ in range(2):  # a second time after taking over a dead process's lock
            try:
                self.engine.create_document(LOCK_INDEX, alias, holder)
                return
            except Conflict:
                pass
            except Unreachable:
                # Sent once and unanswered: it may have been created, by us.
                sent = self.engine.get_document(LOCK_INDEX, alias)
                if sent and sent.get("token") == holder["token"]:
                    return
                if not sent:
                    raise
            found = self.engine.get_document(LOCK_INDEX, alias) or {}
            if not _held_by_a_dead_process(found):
                break
            self.engine.delete_document(LOCK_INDEX, alias)
        raise BackendError(
            f"another reindex of {alias!r} is running (since {found.get('since')}, pid "
            f"{found.get('pid')} on {found.get('host')}): wait for it to end; if it crashed, "
            f"clear its lock with 'arabic-search unlock --alias {alias}'"
        )

    def _release_lock(self, alias: str, token: str) -> None:
        found = self.engine.get_document(LOCK_INDEX, alias)
        if found and found.get("token") == token:
            self.engine.delete_document(LOCK_INDEX, alias)

    def unlock(self, alias: str) -> str | None:
        """Clear the lock a crashed reindex left; returns who held it, or None."""

        def clear() -> str | None:
            found = self.engine.get_document(LOCK_INDEX, alias)
            if found is None:
                return None
            self.engine.delete_document(LOCK_INDEX, alias)
            return str(_holder_of(found))

        return self._call(f"unlocking {alias}", clear)

    def lock_holder(self, alias: str) -> LockHolder | None:
        """The lock document's holder; None when there is none, or when it was taken
        by a process of this machine that is gone (the next reindex takes it over). A
        lock left by a crash on another machine cannot be told from a live one."""
        found = self._call(
            f"reading the lock of {alias}", lambda: self.engine.get_document(LOCK_INDEX, alias)
        )
        if not found or _held_by_a_dead_process(found):
            return None
        return _holder_of(found)

    # ------------------------------------------------------------------ versions

    def create_version(self, alias: str) -> str:
        version = f"{alias}-{datetime.now(UTC).strftime(VERSION_TIME)}"
        settings = {**self._index_body["settings"]}
        # The shards and replicas asked for (the settings' layout), replicas off until loaded.
        settings["index"] = {**settings["index"], **self.settings.layout, **LOAD_SETTINGS}
        mappings = {**self._index_body["mappings"]}
        # What was asked, kept with the version: a --resume restores these replicas.
        self._asked[version] = {"replicas": self.settings.replicas}
        mappings["_meta"] = {**mappings["_meta"], "layout": self._asked[version], "complete": False}
        self._call(
            f"creating index {version}",
            lambda: self.engine.create_index(version, settings, mappings),
        )
        return version

    def load(
        self, version: str, articles: Iterable[Article], on_durable: OnDurable = nothing_to_do
    ) -> LoadResult:
        """Bulk load, one chunk in flight while the next is read and prepared: the
        engine indexes while Python parses. One sender thread sends the chunks in
        order, and writes each one's dead letters and checkpoint as soon as it is in."""
        s = self.settings
        done, dead = 0, []

        def send_chunk(batch: list[Action]) -> None:
            nonlocal done
            report = BulkReport()
            self._send(f"loading {version}", batch, report)
            self._write_dead_letters(version, report.dead)
            dead.extend(report.dead)
            done += len(batch)
            on_durable(done, len(dead))

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk") as sender:
            in_flight: Future[None] | None = None
            for batch in chunk(expand(version, articles), s.chunk_docs, s.chunk_bytes):
                if in_flight:
                    in_flight.result()  # the previous chunk's failure, if any, is raised here
                in_flight = sender.submit(send_chunk, batch)
            if in_flight:
                in_flight.result()
        self._restore_settings(version)
        self._put_meta(version, {"complete": True})
        return LoadResult(self._count(version), dead)

    def _send(self, what: str, batch: list[Action], report: BulkReport) -> None:
        """One chunk of bulk actions, retried as the settings say (bulk.send)."""
        s = self.settings
        self._call(
            what,
            lambda: send(
                self.engine,
                batch,
                report,
                s.max_retries,
                s.initial_backoff,
                s.max_backoff,
                self._sleep,
            ),
        )

    def _restore_settings(self, version: str) -> None:
        """Refresh and the replicas asked for back after a load, then a refresh: those
        the reindex that created the version asked for (a --resume keeps them), as the
        settings' layout gives them. The number of shards cannot change: left out."""
        asked = replace(self.settings, replicas=self._asked_layout(version)["replicas"])
        replicas = {k: v for k, v in asked.layout.items() if k != "number_of_shards"}
        restored = {"refresh_interval": None, **replicas}  # None: back to the default (1s)
        self._call(
            f"restoring settings of {version}",
            lambda: self.engine.put_settings(version, {"index": restored}),
        )
        self._call(f"refreshing {version}", lambda: self.engine.refresh(version))

    def _write_dead_letters(self, version: str, dead: list[tuple[Article, str]]) -> None:
        """Each bulk's refused documents, as soon as they are known (a crash keeps them)."""
        if not dead:
            return
        path = dead_letter_path(self.dead_letters, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as stream:
            for article, reason in dead:
                write_dead_letter(stream, version, article, reason)

    def _asked_layout(self, version: str) -> dict[str, Any]:
        """What the reindex that created `version` asked for ({"replicas": N or None}),
        from its _meta once a process; this run's settings for a version created before
        it was kept there."""
        if version not in self._asked:
            found = self._call(f"reading {version} mappings", lambda: self.engine.mappings(version))
            meta = found.get(version, {}).get("_meta", {})
            self._asked[version] = meta.get("layout") or {"replicas": self.settings.replicas}
        return self._asked[version]

    def _put_meta(self, version: str, load_state: dict[str, Any]) -> None:
        """The mapping's _meta, with the load's state: {"complete": ...} or a checkpoint,
        and the layout asked for (_meta is replaced as a whole)."""
        layout = {"layout": self._asked_layout(version)}
        meta = {**self._index_body["mappings"]["_meta"], **layout, **load_state}
        self._call(f"saving the state of {version}", lambda: self.engine.put_meta(version, meta))

    def save_checkpoint(self, version: str, checkpoint: Checkpoint) -> None:
        self._put_meta(version, {"complete": False, "checkpoint": checkpoint.to_json()})

    def _load_states(self, alias: str) -> dict[str, dict[str, Any]]:
        """Each version's _meta (a version from before load states counts as complete)."""
        found = self._call(f"reading {alias} versions", lambda: self.engine.mappings(f"{alias}-*"))
        pattern = version_pattern(alias)
        return {
            name: body.get("_meta", {}) for name, body in found.items() if pattern.fullmatch(name)
        }

    def interrupted(self, alias: str) -> Interrupted | None:
        for version, meta in sorted(self._load_states(alias).items(), reverse=True):
            # A load by a program of another mapping version cannot be continued.
            resumable = meta.get("mapping_version") == MAPPING_VERSION
            if resumable and not meta.get("complete", True) and "checkpoint" in meta:
                return Interrupted(version, Checkpoint.from_json(meta["checkpoint"]))
        return None

    def _layouts(self, alias: str) -> dict[str, dict[str, Any]]:
        """Each version's shards and replicas, as VersionInfo's fields (one request)."""
        found = self._call(
            f"reading {alias} versions' settings",
            lambda: self.engine.index_settings(f"{alias}-*"),
        )
        return {name: layout_of(body.get("index", {})) for name, body in found.items()}

    def _count(self, index: str) -> int:
        return self._call(f"counting {index}", lambda: self.engine.count(index))

    def _alias_targets(self, alias: str) -> list[str]:
        return self._call(f"reading alias {alias}", lambda: self.engine.alias_targets(alias))

    def _versions(self, alias: str) -> dict[str, bool]:
        """The alias's versions, oldest first: is each one completely loaded?"""
        states = self._load_states(alias)
        return {name: states[name].get("complete", True) for name in sorted(states)}

    def alias_actions(self, alias: str, version: str) -> list[dict[str, Any]]:
        """One atomic _aliases call: the alias leaves its old indices (or a concrete
        index of the alias's name goes) and points at `version`."""
        actions: list[dict[str, Any]] = [
            {"remove": {"index": old, "alias": alias}}
            for old in self._alias_targets(alias)
            if old != version
        ]
        if self._call(f"checking {alias}", lambda: self.engine.is_index(alias)):
            actions.append({"remove_index": {"index": alias}})
        actions.append({"add": {"index": version, "alias": alias}})
        return actions

    def _move_alias(self, alias: str, version: str) -> None:
        actions = self.alias_actions(alias, version)

        def move() -> None:
            try:
                self.engine.update_aliases(actions)
            except Unreachable:
                # Sent once and unanswered: it may have been applied. Look, don't resend.
                if self.engine.alias_targets(alias) != [version]:
                    raise

        self._call(f"moving alias {alias}", move)

    def switch(self, alias: str, version: str) -> None:
        self._move_alias(alias, version)
        self._prune(alias, keep=version)

    def _prune(self, alias: str, keep: str) -> None:
        """Keep the last N complete versions before `keep`; older incomplete ones are
        left-overs of loads nobody resumed, and go. While `keep` is empty, no complete
        version goes: it may be the last one with documents."""
        older = {v: complete for v, complete in self._versions(alias).items() if v < keep}
        complete = [v for v, done in older.items() if done]
        stale = [v for v, done in older.items() if not done]
        if self._count(keep) == 0:
            complete = []
        for version in stale + complete[: max(0, len(complete) - self.settings.keep_old_versions)]:
            self.discard(version)

    def discard(self, version: str) -> None:
        """Delete a version, never one its alias points at."""
        if version in self._alias_targets(alias_of(version)):
            raise BackendError(f"{version} is what {alias_of(version)!r} points at; not deleted")
        self._call(f"deleting {version}", lambda: self.engine.delete_index(version))

    def rollback(self, alias: str, to: str | None = None) -> str:
        targets: list[str | None] = [*self._alias_targets(alias)]
        [current] = targets or [None]
        target = rollback_target(alias, current, self._versions(alias), to)
        self._move_alias(alias, target)
        return target

    def reindex_from_index(
        self, alias: str, on_progress: OnProgress = no_progress
    ) -> tuple[str, int]:
        """A new version from the current one, re-analyzed on the server (_reindex).

        The _reindex runs as a server task, watched by polling (a long one outlives
        any request timeout), each poll's status.created/total told to `on_progress`;
        if it fails or is interrupted, the task is cancelled and waited for before its
        destination is deleted."""
        with self.lock(alias):
            targets: list[str | None] = [*self._alias_targets(alias)]
            [current] = targets or [None]
            if current is None:
                raise BackendError(f"alias {alias!r} points at no index to reindex from")
            version = self.create_version(alias)
            task_id = None
            try:
                task_id = self._start_reindex(current, version)
                what = f"reindexing {current} into {version}"
                response = self._wait_for(task_id, what, on_progress)
                if response.get("failures") or response.get("canceled"):
                    failure = (response.get("failures") or [response.get("canceled")])[0]
                    raise BackendError(f"_reindex of {current} into {version} failed: {failure}")
                self._restore_settings(version)
                # What the copy read (its snapshot of `current`): an add may put more
                # into `current` meanwhile, and is replayed after the switch.
                expected, count = response.get("total"), self._count(version)
                if count != expected:
                    raise BackendError(
                        f"{version} holds {count} documents, the copy of {current} read {expected}"
                    )
                self._put_meta(version, {"complete": True})
                self.switch(alias, version)
            except NoHandler as missing:  # no task was started: nothing was copied
                deleted = self._discard_unused(version)
                refusal = self._no_reindex_api(alias, current, version, deleted, missing)
                raise Unsupported(refusal) from None
            except BaseException as failure:
                if task_id is not None and not self._stop_task(task_id):
                    failure.add_note(
                        f"the _reindex task {task_id} did not stop in time; {version} is left "
                        "for the next reindex to delete"
                    )
                    raise
                self._discard_unused(version)
                raise
        return version, count

    def _start_reindex(self, current: str, version: str) -> str:
        """Start the _reindex task; NoHandler when the engine has no _reindex API."""
        s = self.settings
        return self._call(
            f"starting _reindex of {current} into {version}",
            lambda: self.engine.start_reindex(current, version, s.reindex_batch, s.reindex_rate),
            keep=(NoHandler,),
        )

    def _discard_unused(self, version: str) -> bool:
        """Delete a version that will not go live; False if that failed too (then the
        next reindex deletes it, as an incomplete version)."""
        try:
            self.discard(version)
        except BackendError:
            return False
        return True

    def _no_reindex_api(
        self, alias: str, current: str, version: str, deleted: bool, missing: NoHandler
    ) -> str:
        """Why --from-index is refused on an engine without its reindex module (the
        test distribution of Elasticsearch has none), and what to do instead."""
        left = (
            f"{version} was deleted"
            if deleted
            else f"{version} is left for the next reindex to delete"
        )
        return (
            f"the alias {alias!r} stays on {current} and {left}: {self.engine.product} at "
            f"{self.settings.safe_url} has no _reindex API (HTTP {missing.status}: its reindex "
            "module is not installed), which --from-index needs; reindex from the article "
            "files instead: arabic-search reindex PATH..."
        )

    def _wait_for(
        self, task_id: str, what: str, on_progress: OnProgress = no_progress
    ) -> dict[str, Any]:
        """Poll a server task until it completes; its response. A _reindex task's
        status (while it runs) and response (at the end) count what it wrote of its
        total, told to `on_progress`."""
        while True:
            task = self._call(what, lambda: self.engine.task(task_id))
            if task.get("completed"):
                if "error" in task:
                    raise BackendError(f"{what} failed: {task['error']}")
                response = dict(task.get("response", {}))
                on_progress(*_copied(response))
                return response
            on_progress(*_copied(task.get("task", {}).get("status", {})))
            self._sleep(TASK_POLL_SECONDS)

    def _stop_task(self, task_id: str) -> bool:
        """Cancel a task and wait until it has stopped writing; False if it did not."""
        try:
            with contextlib.suppress(NotFound):
                self.engine.cancel_task(task_id)
            deadline = time.monotonic() + TASK_CANCEL_SECONDS
            while time.monotonic() < deadline:
                if self.engine.task(task_id).get("completed"):
                    return True
                self._sleep(TASK_POLL_SECONDS)
        except EngineError:
            pass
        return False

    # ------------------------------------------------------------------- updates

    def current(self, alias: str) -> str | None:
        targets = self._alias_targets(alias)
        return targets[0] if targets else None

    def known(self, version: str, articles: Sequence[Article]) -> Known:
        ids = [a.id for a in articles]
        fingerprints = {a.fingerprint for a in articles}
        body = {
            "size": 2 * len(articles),  # each article may find its id and its text
            "_source": ["fingerprint"],
            "query": {
                "bool": {
                    "should": [
                        {"terms": {"_id": ids}},
                        {"terms": {"fingerprint": sorted(fingerprints)}},
                    ]
                }
            },
        }
        found = self._call(f"looking up in {version}", lambda: self.engine.search(version, body))
        hits = found["hits"]["hits"]
        held: dict[str, str] = {}
        for hit in hits:
            text = hit["_source"].get("fingerprint")
            if text in fingerprints:
                held.setdefault(text, hit["_id"])
        return Known(frozenset(h["_id"] for h in hits) & frozenset(ids), held)

    def apply(self, version: str, update: Update) -> Applied:
        missing = self._delete(version, update.deleted) if update.deleted else ()
        report = BulkReport()
        s = self.settings
        for batch in chunk(expand(version, update.added), s.chunk_docs, s.chunk_bytes):
            self._send(f"adding to {version}", batch, report)
        self._write_dead_letters(version, report.dead)
        self._call(f"refreshing {version}", lambda: self.engine.refresh(version))
        deleted = len(update.deleted) - len(missing)
        return Applied(report.indexed, deleted, missing, report.dead)

    def _delete(self, version: str, ids: Sequence[str]) -> tuple[str, ...]:
        """Delete the documents of `ids` from `version`; the ids it did not hold."""
        lines = b"".join(
            orjson.dumps({"delete": {"_index": version, "_id": doc_id}}) + b"\n" for doc_id in ids
        )
        items = self._call(f"deleting from {version}", lambda: self.engine.bulk(lines))
        failed = [(i, item) for i, item in zip(ids, items, strict=True) if item.status >= 300]
        missing = tuple(i for i, item in failed if item.status == 404)
        if len(missing) < len(failed):
            doc_id, item = next((i, item) for i, item in failed if item.status != 404)
            raise BackendError(
                f"deleting {doc_id} from {version} failed ({item.reason}); run the delete again"
            )
        return missing

    # -------------------------------------------------------------------- status

    def _health(self) -> dict[str, Any]:
        """Cluster health; a server that answers but is no cluster of this engine (a web
        server, another product) is told apart from an unreachable one."""
        env = f"{ENV_PREFIX[self.name]}URL"
        product, where = self.engine.product, self.settings.safe_url

        def read() -> dict[str, Any]:
            try:
                health = self.engine.health()
            except (Unreachable, TlsFailed, Refused):
                raise
            except EngineError as err:
                status = f"HTTP {err.status}" if err.status else err.reason
                raise NotACluster(
                    f"{where} is not an {product} cluster ({status} from /_cluster/health); "
                    f"check {env}"
                ) from None
            if "status" not in health:
                raise NotACluster(
                    f"{where} is not an {product} cluster (no status in /_cluster/health); "
                    f"check {env}"
                )
            return health

        return self._call("reading cluster health", read)

    def status(self, alias: str) -> Status:
        health = self._health()
        current = self.current(alias)
        versions = []
        layouts = self._layouts(alias)
        for name, meta in sorted(self._load_states(alias).items()):
            if meta.get("complete", True):
                info = VersionInfo(name, self._count(name), True, created_at(name))
                versions.append(replace(info, **layouts.get(name, {})))
                continue
            # Loaded with refresh off, an incomplete version counts 0 until refreshed:
            # what is in it for good is its checkpoint's count.
            checkpoint = Checkpoint.from_json(meta["checkpoint"]) if "checkpoint" in meta else None
            versions.append(
                VersionInfo(
                    name,
                    checkpoint.indexed if checkpoint else 0,
                    False,
                    created_at(name),
                    records=checkpoint.records if checkpoint else None,
                    checkpoint=checkpoint.where if checkpoint else None,
                    **layouts.get(name, {}),
                )
            )
        lock = self.lock_holder(alias)
        versions = with_states(versions, lock)
        older = [v.name for v in versions if v.complete and current and v.name < current]
        mapping_version = None
        if current:
            mappings = self._call(
                f"reading {current} mappings", lambda: self.engine.mappings(current)
            )
            meta = mappings[current].get("_meta", {})
            mapping_version = meta.get("mapping_version")
        return Status(
            backend=self.name,
            alias=alias,
            current=current,
            previous=older[-1] if older else None,
            documents=self._count(current) if current else 0,
            mapping_version=mapping_version,
            versions=versions,
            health=health["status"],
            lock=lock,
        )

    # -------------------------------------------------------------------- search

    def search(self, alias: str, request: SearchRequest) -> SearchResult:
        return run_search(request, self._sender(alias), self._analyzers, self._ranking)

    def newest_published(self, alias: str) -> datetime | None:
        return newest_published(self._sender(alias)(NEWEST_BODY))

    def _sender(self, alias: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def send(body: dict[str, Any]) -> dict[str, Any]:
            what = f"searching {alias}"
            answer = self._call(what, lambda: self.engine.search(alias, body, SEARCH_TYPE))
            self._whole(answer, what)
            return answer

        return send

    def _whole(self, answer: dict[str, Any], what: str) -> None:
        """Refuse an answer some shards had no part in: the engine answers with the
        shards it could reach, and its totals, facets and pages would be short without
        a word. A shard that failed is counted in `failed`; one with no copy on any
        node (its node stopped, no replica) is in none of the counts but `total`
        (OpenSearch 2.19: total 3, successful 2, failed 0). Exit 3."""
        shards = answer.get("_shards") or {}
        total, failed = int(shards.get("total") or 0), int(shards.get("failed") or 0)
        # A skipped shard (no document of it could match) took part; counted once more
        # if the engine counts it as successful too, it errs towards answering.
        answered = min(total, int(shards.get("successful") or 0) + int(shards.get("skipped") or 0))
        if answered >= total and not failed:
            return
        failures = shards.get("failures") or [{}]
        reason = error_reason({"error": failures[0].get("reason")}, "no copy on any node")
        raise BackendUnavailable(
            f"{self.engine.product} at {self.settings.safe_url} answered while {what} from "
            f"{answered} of {total} shards ({reason}): the answer would miss articles; "
            f"check the cluster's health (arabic-search status) and search again once "
            f"every shard has a copy"
        )


def layout_of(index: dict[str, Any]) -> dict[str, Any]:
    """A version's shards, replicas and auto_expand_replicas from its index settings,
    which the engines give as strings ("3", "1", "0-1" or "false")."""
    auto = str(index.get("auto_expand_replicas", "false"))
    return {
        "shards": int(index.get("number_of_shards", DEFAULT_SHARDS)),
        "replicas": int(index.get("number_of_replicas", 1)),  # the engines' default
        "auto_replicas": None if auto == "false" else auto,
    }


def _copied(status: dict[str, Any]) -> tuple[int, int | None]:
    """Documents a _reindex task wrote, of its total (None until it knows it)."""
    done = sum(int(status.get(key) or 0) for key in ("created", "updated"))
    return done, status.get("total")


def open_cluster(
    engine: str,
    settings: ClusterSettings,
    dead_letters: Path = Path("dead-letters"),
    analyzers: dict[str, Analyzer] | None = None,
    ranking: Ranking = RANKING,
) -> ClusterBackend:
    """The cluster backend on `engine` ("elasticsearch" or "opensearch")."""
    return ClusterBackend(
        ENGINES[engine](settings),
        settings,
        dead_letters,
        analyzers=analyzers,
        ranking=ranking,
    )
