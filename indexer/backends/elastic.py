"""The Elasticsearch backend: versioned indices behind an alias.

    reindex: create <alias>-<UTC time> from the generated mappings (refresh off, no
    replicas) -> streaming bulk -> settings restored, refresh -> count checked ->
    ONE _aliases call moves the alias (and removes a concrete index of that name)
    -> versions older than the last N are deleted.

Errors become BackendUnavailable (no cluster: exit 3) or BackendError with one
clear line; the url in messages never carries credentials.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TlsError
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    Elasticsearch,
    NotFoundError,
)

from indexer.analysis.analyzers import default_analyzers
from indexer.articles import Article
from indexer.backends import (
    BackendError,
    BackendUnavailable,
    LoadResult,
    OnDurable,
    Status,
    VersionInfo,
    nothing_to_do,
)
from indexer.backends.es_bulk import (
    BulkReport,
    chunk,
    dead_letter_path,
    expand,
    send,
    write_dead_letter,
)
from indexer.backends.es_query import parse_response, search_body
from indexer.backends.es_settings import ElasticSettings
from indexer.mappings import MAPPING_VERSION, index_body
from indexer.query import SearchRequest, SearchResult

T = TypeVar("T")
# While loading: no refresh, no replicas (restored from the mappings afterwards).
LOAD_SETTINGS = {"refresh_interval": "-1", "number_of_replicas": 0, "auto_expand_replicas": False}
REINDEX_TIMEOUT = "1h"


class ElasticBackend:
    name = "elasticsearch"

    def __init__(
        self,
        settings: ElasticSettings,
        client: Elasticsearch | None = None,
        dead_letters: Path = Path("dead-letters"),
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client or Elasticsearch(**settings.client_options())
        self.dead_letters = dead_letters
        self._sleep = sleep
        self._index_body = index_body(default_analyzers())

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one request; turn transport failures into one-line errors."""
        where = self.settings.safe_url
        try:
            return fn()
        except TlsError as err:
            raise BackendUnavailable(
                f"TLS to Elasticsearch at {where} failed ({err.message}); "
                "set ES_CA_CERTS to the cluster's CA bundle"
            ) from None
        except (TransportConnectionError, ConnectionTimeout) as err:
            raise BackendUnavailable(
                f"Elasticsearch at {where} is unreachable ({type(err).__name__}) while {what}"
            ) from None
        except (AuthenticationException, AuthorizationException) as err:
            raise BackendError(
                f"Elasticsearch at {where} refused the credentials ({err.meta.status}) while "
                f"{what}: check ES_API_KEY or ES_USERNAME/ES_PASSWORD and their privileges"
            ) from None
        except ApiError as err:
            raise BackendError(f"Elasticsearch error while {what}: {err.message}") from None

    @contextlib.contextmanager
    def lock(self, alias: str) -> Iterator[None]:
        # Each reindex writes its own new index; the alias moves in one atomic call.
        yield

    # ------------------------------------------------------------------ versions

    def create_version(self, alias: str) -> str:
        version = f"{alias}-{datetime.now(UTC).strftime('%Y%m%dt%H%M%S%f')}"
        settings = {**self._index_body["settings"]}
        settings["index"] = {**settings["index"], **LOAD_SETTINGS}
        mappings = {**self._index_body["mappings"]}
        mappings["_meta"] = {**mappings["_meta"], "complete": False}
        self._call(
            f"creating index {version}",
            lambda: self.client.indices.create(index=version, settings=settings, mappings=mappings),
        )
        return version

    def load(
        self, version: str, articles: Iterable[Article], on_durable: OnDurable = nothing_to_do
    ) -> LoadResult:
        s = self.settings
        report = BulkReport()
        sleep = self._sleep
        done = 0
        for batch in chunk(expand(version, articles), s.chunk_docs, s.chunk_bytes):
            dead_before = len(report.dead)
            self._call(
                f"loading {version}",
                lambda batch=batch: send(
                    self.client,
                    batch,
                    report,
                    s.max_retries,
                    s.initial_backoff,
                    s.max_backoff,
                    **({"sleep": sleep} if sleep else {}),
                ),
            )
            self._write_dead_letters(version, report.dead[dead_before:])
            done += len(batch)
            on_durable(done, len(report.dead))
        restored = {k: self._index_body["settings"]["index"].get(k) for k in LOAD_SETTINGS}
        restored["refresh_interval"] = None  # back to the default (1s)
        restored.pop("number_of_replicas")  # auto_expand_replicas decides again
        self._call(
            f"restoring settings of {version}",
            lambda: self.client.indices.put_settings(index=version, settings={"index": restored}),
        )
        self._call(f"refreshing {version}", lambda: self.client.indices.refresh(index=version))
        self._put_meta(version, {"complete": True})
        return LoadResult(self._count(version), report.dead)

    def _write_dead_letters(self, version: str, dead: list[tuple[Article, str]]) -> None:
        """Each bulk's refused documents, as soon as they are known (a crash keeps them)."""
        if not dead:
            return
        path = dead_letter_path(self.dead_letters, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as stream:
            for article, reason in dead:
                write_dead_letter(stream, version, article, reason)

    def _put_meta(self, version: str, load_state: dict) -> None:
        """The mapping's _meta, with the load's state: {"complete": ...} or a checkpoint."""
        meta = {**self._index_body["mappings"]["_meta"], **load_state}
        self._call(
            f"saving the state of {version}",
            lambda: self.client.indices.put_mapping(index=version, meta=meta),
        )

    def save_checkpoint(self, version: str, checkpoint: dict) -> None:
        self._put_meta(version, {"complete": False, "checkpoint": checkpoint})

    def _load_states(self, alias: str) -> dict[str, dict]:
        """Each version's _meta (a version from before load states counts as complete)."""
        found = self._call(
            f"reading {alias} versions",
            lambda: self.client.indices.get_mapping(index=f"{alias}-*", allow_no_indices=True),
        )
        return {name: body["mappings"].get("_meta", {}) for name, body in found.items()}

    def interrupted(self, alias: str) -> tuple[str, dict] | None:
        for version, meta in sorted(self._load_states(alias).items(), reverse=True):
            # A load by a program of another mapping version cannot be continued.
            resumable = meta.get("mapping_version") == MAPPING_VERSION
            if resumable and not meta.get("complete", True) and "checkpoint" in meta:
                return version, meta["checkpoint"]
        return None

    def _count(self, index: str) -> int:
        return self._call(f"counting {index}", lambda: self.client.count(index=index))["count"]

    def _alias_targets(self, alias: str) -> list[str]:
        def targets() -> list[str]:
            try:
                return sorted(self.client.indices.get_alias(name=alias))
            except NotFoundError:
                return []

        return self._call(f"reading alias {alias}", targets)

    def _versions(self, alias: str) -> dict[str, bool]:
        """The alias's versions, oldest first: is each one completely loaded?"""
        states = self._load_states(alias)
        return {name: states[name].get("complete", True) for name in sorted(states)}

    def _is_concrete_index(self, name: str) -> bool:
        try:
            found = self.client.indices.get(index=name)
        except NotFoundError:
            return False
        return name in found  # an alias of that name resolves to other indices

    def alias_actions(self, alias: str, version: str) -> list[dict]:
        """One atomic _aliases call: the alias leaves its old indices (or a concrete
        index of the alias's name goes) and points at `version`."""
        actions: list[dict] = [
            {"remove": {"index": old, "alias": alias}}
            for old in self._alias_targets(alias)
            if old != version
        ]
        if self._call(f"checking {alias}", lambda: self._is_concrete_index(alias)):
            actions.append({"remove_index": {"index": alias}})
        actions.append({"add": {"index": version, "alias": alias}})
        return actions

    def switch(self, alias: str, version: str) -> None:
        actions = self.alias_actions(alias, version)
        self._call(
            f"moving alias {alias}", lambda: self.client.indices.update_aliases(actions=actions)
        )
        self._prune(alias, keep=version)

    def _prune(self, alias: str, keep: str) -> None:
        """Keep the last N complete versions before `keep`; older incomplete ones are
        left-overs of loads nobody resumed, and go."""
        older = {v: complete for v, complete in self._versions(alias).items() if v < keep}
        complete = [v for v, done in older.items() if done]
        stale = [v for v, done in older.items() if not done]
        for version in stale + complete[: max(0, len(complete) - self.settings.keep_old_versions)]:
            self.discard(version)

    def discard(self, version: str) -> None:
        self._call(
            f"deleting {version}",
            lambda: self.client.indices.delete(index=version, ignore_unavailable=True),
        )

    def rollback(self, alias: str) -> str:
        [current] = self._alias_targets(alias) or [None]
        older = [
            v
            for v, complete in self._versions(alias).items()
            if complete and (current is None or v < current)
        ]
        if not older:
            raise BackendError(f"alias {alias!r} has no previous version to roll back to")
        previous = older[-1]
        actions = self.alias_actions(alias, previous)
        self._call(
            f"moving alias {alias}", lambda: self.client.indices.update_aliases(actions=actions)
        )
        return previous

    def reindex_from_index(self, alias: str) -> tuple[str, int]:
        """A new version from the current one, re-analyzed on the server (_reindex)."""
        [current] = self._alias_targets(alias) or [None]
        if current is None:
            raise BackendError(f"alias {alias!r} points at no index to reindex from")
        version = self.create_version(alias)
        try:
            response = self._call(
                f"reindexing {current} into {version}",
                lambda: self.client.reindex(
                    source={"index": current},
                    dest={"index": version},
                    wait_for_completion=True,
                    timeout=REINDEX_TIMEOUT,
                ),
            )
            if response.get("failures"):
                raise BackendError(f"_reindex failed: {response['failures'][:1]}")
            restored = {"refresh_interval": None, "auto_expand_replicas": "0-1"}
            self._call(
                "restoring settings",
                lambda: self.client.indices.put_settings(
                    index=version, settings={"index": restored}
                ),
            )
            self._call("refreshing", lambda: self.client.indices.refresh(index=version))
            expected, count = self._count(current), self._count(version)
            if count != expected:
                raise BackendError(f"{version} holds {count} documents, {current} {expected}")
            self._put_meta(version, {"complete": True})
            self.switch(alias, version)
        except BaseException:
            self.discard(version)
            raise
        return version, count

    def status(self, alias: str) -> Status:
        health = self._call("reading cluster health", lambda: self.client.cluster.health())
        targets = self._alias_targets(alias)
        current = targets[0] if targets else None
        versions = []
        for name, complete in self._versions(alias).items():
            versions.append(VersionInfo(name, self._count(name), complete, ""))
        older = [v.name for v in versions if v.complete and current and v.name < current]
        mapping_version = None
        if current:
            mappings = self._call(
                f"reading {current} mappings",
                lambda: self.client.indices.get_mapping(index=current),
            )
            meta = mappings[current]["mappings"].get("_meta", {})
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
        )

    # -------------------------------------------------------------------- search

    def search(self, alias: str, request: SearchRequest) -> SearchResult:
        body = search_body(request)
        response = self._call(
            f"searching {alias}", lambda: self.client.search(index=alias, body=body)
        )
        return parse_response(dict(response), request)
