"""The embedded backend's versions on disk: the version folders, the alias file, the
lock, checkpoints, switching, pruning and rollback. No tantivy here: a version's
index is the backend's (indexer/backends/embedded/backend.py).

    <home>/versions/<alias>-<UTC timestamp>/   one tantivy index per reindex, + version.json
    <home>/<alias>.json                        {"current": ..., "previous": ...}
    <home>/<alias>.lock                        held while a reindex of that alias runs

The alias file and version.json are replaced with os.replace, so a reader sees the
old file or the new one, never a half-written one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from indexer.backends import (
    KEEP_OLD_VERSIONS,
    BackendError,
    LockHolder,
    Status,
    VersionInfo,
    rollback_target,
    with_states,
)
from indexer.index.checkpoints import Checkpoint, Interrupted
from indexer.index.mappings import EMBEDDED_WRITABLE, MAPPING_VERSION


def _nothing(version: str) -> None:
    """The default on_discard."""


class VersionStore:
    def __init__(
        self,
        home: Path,
        keep_old_versions: int = KEEP_OLD_VERSIONS,
        on_discard: Callable[[str], None] = _nothing,
    ) -> None:
        """`on_discard(version)` is called before a version is deleted (the backend
        lets go of its searcher)."""
        self.home = home
        self.keep_old_versions = keep_old_versions
        self._on_discard = on_discard

    def version_dir(self, version: str) -> Path:
        return self.home / "versions" / version

    def pointer(self, alias: str) -> Path:
        return self.home / f"{alias}.json"

    def read_pointer(self, alias: str) -> dict[str, str | None]:
        try:
            pointer = json.loads(self.pointer(alias).read_text(encoding="utf-8"))
            return cast(dict[str, str | None], pointer)
        except FileNotFoundError:
            return {"current": None, "previous": None}

    def _write_json(self, path: Path, data: dict[str, Any]) -> None:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)  # atomic: readers see the old file or the new one

    @contextlib.contextmanager
    def lock(self, alias: str) -> Iterator[None]:
        """One reindex of an alias at a time (a second one fails at once). The lock is
        an flock: it ends with the process that holds it, crashed or not. The file
        says who holds it, for the second one's message."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            # "a+", not "w": opening it must not wipe the holder's name.
            handle = open(self.home / f"{alias}.lock", "a+", encoding="utf-8")  # noqa: SIM115
        except OSError as err:
            raise BackendError(
                f"--home {self.home}: cannot write there ({err.strerror}); give a folder you "
                "can write to"
            ) from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = _holder(handle.read())
                who = f" (since {holder.since}, pid {holder.pid})" if holder else ""
                raise BackendError(
                    f"another reindex of {alias!r} is running{who}: wait for it to end; its "
                    "lock ends with its process, so there is nothing to unlock"
                ) from None
            handle.truncate(0)
            since = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(json.dumps({"since": since, "pid": os.getpid()}))
            handle.flush()
            yield

    def lock_holder(self, alias: str) -> LockHolder | None:
        """Who holds the alias's lock: asked of the flock itself (a shared lock taken and
        let go at once fails while a reindex holds it), so a crashed holder is no holder.
        The file says who it is."""
        try:
            handle = open(self.home / f"{alias}.lock", encoding="utf-8")  # noqa: SIM115
        except OSError:  # no reindex of the alias ever ran here
            return None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                # Unnamed for the moment between taking the lock and writing the file.
                return _holder(handle.read()) or LockHolder(socket.gethostname(), None, None)
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None

    def create_version(self, alias: str) -> str:
        # Under the lock no other reindex runs: incomplete versions are left-overs of
        # an interrupted one that is not being resumed, and go.
        for old in self.versions(alias):
            if not self.read_meta(old).get("complete"):
                self.discard(old)
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
        version = f"{alias}-{stamp}"
        path = self.version_dir(version)
        path.mkdir(parents=True)
        self._write_json(path / "version.json", self._version_meta(alias, 0, complete=False))
        return version

    def _version_meta(self, alias: str, documents: int, complete: bool) -> dict[str, Any]:
        return {
            "alias": alias,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": documents,
            "complete": complete,
            "mapping_version": MAPPING_VERSION,
        }

    def complete(self, version: str, documents: int) -> None:
        """The load of `version` ended: it holds `documents`, and no checkpoint."""
        meta = self.read_meta(version)
        meta.pop("checkpoint", None)
        meta.update(documents=documents, complete=True)
        self._write_json(self.version_dir(version) / "version.json", meta)

    def set_documents(self, version: str, documents: int) -> None:
        """An update (add, delete) changed what `version` holds."""
        meta = self.read_meta(version)
        meta["documents"] = documents
        self._write_json(self.version_dir(version) / "version.json", meta)

    def save_checkpoint(self, version: str, checkpoint: Checkpoint) -> None:
        meta = self.read_meta(version)
        meta.update(checkpoint=checkpoint.to_json(), documents=checkpoint.indexed)
        self._write_json(self.version_dir(version) / "version.json", meta)

    def interrupted(self, alias: str) -> Interrupted | None:
        for version in reversed(self.versions(alias)):
            meta = self.read_meta(version)
            # A load by a program of another mapping version cannot be continued.
            resumable = meta.get("mapping_version") in EMBEDDED_WRITABLE
            if resumable and not meta.get("complete") and "checkpoint" in meta:
                return Interrupted(version, Checkpoint.from_json(meta["checkpoint"]))
        return None

    def switch(self, alias: str, version: str) -> None:
        meta = self.read_meta(version)
        if not meta.get("complete"):
            raise BackendError(f"version {version} is not complete; not switching to it")
        pointer = self.read_pointer(alias)
        previous = pointer["current"] if pointer["current"] != version else pointer["previous"]
        self._write_json(self.pointer(alias), {"current": version, "previous": previous})
        self._prune(alias, keep={version, previous})

    def read_meta(self, version: str) -> dict[str, Any]:
        path = self.version_dir(version)
        try:
            return cast(dict[str, Any], json.loads((path / "version.json").read_text("utf-8")))
        except FileNotFoundError:
            if path.is_dir():  # killed right after creating it
                return {"documents": 0, "complete": False, "created_at": ""}
            raise BackendError(f"no index version {version!r} under {self.home}") from None

    def versions(self, alias: str) -> list[str]:
        root = self.home / "versions"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.name.startswith(f"{alias}-"))

    def _prune(self, alias: str, keep: set[str | None]) -> None:
        """Keep the current and previous versions, the newest older ones, and the newest
        version that holds documents: an empty version switched to (by an older program,
        or by hand) must not take the last data with it."""
        versions = self.versions(alias)
        keep = keep | {self._last_with_documents(versions)}
        complete = [v for v in versions if v not in keep]
        for version in complete[: max(0, len(complete) - (self.keep_old_versions - 1))]:
            self.discard(version)

    def _last_with_documents(self, versions: list[str]) -> str | None:
        for version in reversed(versions):
            meta = self.read_meta(version)
            if meta.get("complete") and meta["documents"]:
                return version
        return None

    def discard(self, version: str) -> None:
        self._on_discard(version)
        shutil.rmtree(self.version_dir(version), ignore_errors=True)

    def _older_complete(self, alias: str, than: str | None) -> str | None:
        """The newest complete version older than `than` (any, when None): where a
        rollback goes, as on a cluster."""
        older = [v for v in self.versions(alias) if than is None or v < than]
        return next((v for v in reversed(older) if self.read_meta(v).get("complete")), None)

    def rollback(self, alias: str, to: str | None = None) -> str:
        """Back to the next older complete version (each rollback goes further back), or
        to version `to`, older or newer."""
        current = self.read_pointer(alias)["current"]
        versions = {v: bool(self.read_meta(v).get("complete")) for v in self.versions(alias)}
        target = rollback_target(alias, current, versions, to)
        self._write_json(
            self.pointer(alias),
            {"current": target, "previous": self._older_complete(alias, target)},
        )
        return target

    def status(self, alias: str) -> Status:
        pointer = self.read_pointer(alias)
        versions = []
        for name in self.versions(alias):
            meta = self.read_meta(name)
            checkpoint = None
            if not meta["complete"] and "checkpoint" in meta:
                checkpoint = Checkpoint.from_json(meta["checkpoint"])
            versions.append(
                VersionInfo(
                    name,
                    meta["documents"],
                    meta["complete"],
                    meta["created_at"],
                    records=checkpoint.records if checkpoint else None,
                    checkpoint=checkpoint.where if checkpoint else None,
                )
            )
        lock = self.lock_holder(alias)
        versions = with_states(versions, lock)
        current = next((v for v in versions if v.name == pointer["current"]), None)
        built_with = self.read_meta(current.name).get("mapping_version") if current else None
        return Status(
            backend="embedded",
            alias=alias,
            current=pointer["current"],
            previous=self._older_complete(alias, pointer["current"]) if current else None,
            documents=current.documents if current else 0,
            mapping_version=built_with,
            versions=versions,
            health="green" if current else "no index yet",
            lock=lock,
        )


def _holder(written: str) -> LockHolder | None:
    """The holder an embedded lock file names (its since and pid, as the lock writes
    them); None while it names none yet. The lock is this machine's."""
    try:
        named = json.loads(written)
    except ValueError:
        return None
    if not isinstance(named, dict):
        return None
    return LockHolder(socket.gethostname(), named.get("pid"), named.get("since"))
