"""Reindex: parse files into a new index version, then switch the alias to it.

    create a version -> load every parsed article -> switch the alias (atomic)

Searches never see a half-loaded index: the alias moves only after a complete load,
and never to a version that would lose the data: one that holds nothing, or (without
`allow_shrink`) under half the documents of the live one. Such a version is deleted,
not kept: no command could switch to it, and a kept version counts among the
newest ones that pruning keeps, so it would push a good version out.
While loading, a checkpoint is saved with the version at the backend's interval
(`Backend.checkpoint_every` documents): how many input records are in the index, and
the file and record of the last one (indexer/index/checkpoints.py). If the load fails or
is interrupted, the version is kept with its checkpoint, and `reindex --resume`
continues it: the input is read again from the start (to rebuild the duplicate
memory and the counts) but only the records after the checkpoint are sent. Ids are
idempotent on both backends, so a record sent twice (after the checkpoint, before
the failure) is stored once.

The updates (`add`, `delete`) journaled since the reindex began are replayed into the
new version before the alias moves, and again after (indexer/index/updates.py).

A dry run (`dry_run`) reads as a reindex does and makes the same checks (the input of a
resumed load, an index that would be empty or shrink) without the lock, a version or a
move of the alias.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from indexer.backends import Backend, BackendError, OnProgress, Status, no_progress
from indexer.index.checkpoints import Checkpoint, CheckpointTracker
from indexer.index.updates import replay
from indexer.ingest.articles import Article, Origin
from indexer.ingest.parse import Duplicate, Outcome, ParseReport, parse_paths
from indexer.ingest.sources.fieldmap import unfound_overrides
from indexer.ingest.sources.files import ReadOptions, ReadPosition

# A new version with fewer documents than this share of the live one needs allow_shrink.
SHRINK_LIMIT = 0.5


class ReindexRefused(BackendError):
    """A complete load the alias was not moved to: it would empty or shrink the index."""


def _origin(outcome: Outcome) -> Origin:
    if isinstance(outcome, Duplicate):
        return outcome.article.origin
    return outcome.origin


@dataclass
class LoadReport:
    version: str
    parse: ParseReport = field(default_factory=ParseReport)
    indexed: int = 0
    refused: list[tuple[Article, str]] = field(default_factory=list)  # by the engine
    refused_before: int = 0  # by the engine, before the checkpoint a load resumed from
    resumed_from: Checkpoint | None = None
    replayed: int = 0  # update journal entries made during the load, applied to it
    dry_run: bool = False  # then `indexed` is what the version would hold
    unfound_fields: list[str] = field(default_factory=list)  # --field NAME=KEY no file had

    @property
    def rejected(self) -> int:
        return self.parse.rejected + self.refused_before + len(self.refused)

    def adds_up(self) -> bool:
        return self.parse.read == self.indexed + self.parse.duplicates + self.rejected

    def summary(self) -> str:
        indexed = "would index" if self.dry_run else "indexed"
        replayed = f" (+ {self.replayed} updates made meanwhile)" if self.replayed else ""
        counts = (
            f"read {self.parse.read} / {indexed} {self.indexed} / duplicates "
            f"{self.parse.duplicates} / rejected {self.rejected}{replayed}"
        )
        return f"dry run, nothing built: {counts}" if self.dry_run else counts

    def to_json(self, alias: str) -> dict[str, Any]:
        """What `reindex --json` prints: the version (None for a dry run that would
        make a new one), the counts, and where a resumed load started."""
        resumed = self.resumed_from
        return {
            "alias": alias,
            "version": self.version or None,
            "dry_run": self.dry_run,
            "from_index": False,
            "read": self.parse.read,
            "indexed": self.indexed,
            "duplicates": self.parse.duplicates,
            "rejected": self.rejected,
            "resumed_from": {"records": resumed.records, "where": resumed.where}
            if resumed
            else None,
        }


def reindex(
    backend: Backend,
    paths: list[str],
    alias: str,
    options: ReadOptions | None = None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    resume: bool = False,
    allow_shrink: bool = False,
    position: ReadPosition | None = None,
) -> LoadReport:
    """Build a new version of `alias` from `paths` and switch to it; with `resume`,
    continue the interrupted load of `alias` instead of starting a new one. A version
    that holds nothing, or under half the live one's documents unless `allow_shrink`,
    is deleted instead (ReindexRefused).

    `on_outcome` sees every parsed record (for progress and for reporting rejects
    and duplicates as they happen); `position` follows the bytes read."""
    options = options or ReadOptions()
    with backend.lock(alias):
        if resume:
            version, start = interrupted_load(backend, alias)
            start.check_input(paths, options)
        else:
            version = backend.create_version(alias)
            start = Checkpoint.start(paths, options, backend.journal.last(alias))
            backend.save_checkpoint(version, start)
        report = LoadReport(
            version, refused_before=start.refused, resumed_from=start if resume else None
        )
        tracker = CheckpointTracker(
            start,
            backend.checkpoint_every,
            lambda checkpoint: backend.save_checkpoint(version, checkpoint),
        )
        articles = _read(paths, options, position, report, tracker, on_outcome)
        return _load_and_switch(backend, alias, report, articles, tracker, allow_shrink)


def dry_run(
    backend: Backend,
    paths: list[str],
    alias: str,
    options: ReadOptions | None = None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    resume: bool = False,
    allow_shrink: bool = False,
    position: ReadPosition | None = None,
) -> LoadReport:
    """What reindex() with the same arguments would do, without doing it: the same
    reading, counts and checks, and ReindexRefused where it would be refused; no lock
    (a dry run changes nothing), no version, the alias untouched. The report's version
    is the one a resume would continue, else empty."""
    options = options or ReadOptions()
    live = backend.status(alias)  # first: an unreachable backend fails before the reading
    if resume:
        version, start = interrupted_load(backend, alias)
        start.check_input(paths, options)
    else:
        version, start = "", Checkpoint.start(paths, options)
    report = LoadReport(
        version,
        refused_before=start.refused,
        resumed_from=start if resume else None,
        dry_run=True,
    )
    tracker = CheckpointTracker(start, backend.checkpoint_every, lambda checkpoint: None)
    for _ in _read(paths, options, position, report, tracker, on_outcome):
        pass  # counted in the report; a dry run sends nothing
    report.indexed = report.parse.parsed - report.refused_before
    why = _why_refused(report, live, allow_shrink)
    if why is not None:
        reason, advice = why
        stays = f"would stay on {live.current}" if live.current else "would not be created"
        raise ReindexRefused(
            f"dry run: the alias {alias!r} {stays}: {reason} ({report.summary()}); {advice}"
        )
    return report


def interrupted_load(backend: Backend, alias: str) -> tuple[str, Checkpoint]:
    """The version and checkpoint of the alias's interrupted load, for --resume."""
    found = backend.interrupted(alias)
    if found is None:
        raise BackendError(
            f"--resume: no interrupted reindex of {alias!r} to continue; run it without --resume"
        )
    return found.version, found.checkpoint


def interrupted_version(backend: Backend, alias: str) -> str | None:
    """The version of the alias's interrupted reindex, if it has one and no reindex of
    the alias runs now (then its version is being built, not interrupted, and --resume
    would be refused by the lock). None also when the backend cannot tell: this is
    advice, and must not hide the error it goes with."""
    try:
        if backend.lock_holder(alias) is not None:
            return None
        found = backend.interrupted(alias)
    except BackendError:
        return None
    return found.version if found else None


RESUME = "arabic-search reindex --resume"


def resume_advice(version: str, command: str = RESUME) -> str:
    """`command`: the resume command with the options that reach the same alias
    (indexer/cli/options.py: resume_command)."""
    return f"the reindex into {version} was interrupted: run '{command}' to continue it"


def _read(
    paths: list[str],
    options: ReadOptions,
    position: ReadPosition | None,
    report: LoadReport,
    tracker: CheckpointTracker,
    on_outcome: Callable[[Outcome], None],
) -> Iterator[Article]:
    """The articles of `paths` to send (_articles_to_send); once read to the end, the
    report names each --field whose source no file had (the load must not go live on
    what other files gave)."""
    position = position or ReadPosition()  # it also gathers each file's keys
    outcomes = parse_paths(paths, options, position)
    yield from _articles_to_send(outcomes, report, tracker, on_outcome)
    report.unfound_fields = unfound_overrides(options.field_map.overrides, position.files)


def _articles_to_send(
    outcomes: Iterable[Outcome],
    report: LoadReport,
    tracker: CheckpointTracker,
    on_outcome: Callable[[Outcome], None],
) -> Iterator[Article]:
    """The articles after the tracker's start checkpoint, each told to the tracker;
    every outcome, those before it too, counted in the report and shown."""
    start = tracker.start
    for outcome in outcomes:
        report.parse.add(outcome)
        on_outcome(outcome)
        if report.parse.read <= start.records:  # in the index already
            if report.parse.read == start.records:
                start.check_position(_origin(outcome))
            continue
        if isinstance(outcome, Article):
            tracker.sent(report.parse.read, outcome.origin)
            yield outcome
    if report.parse.read < start.records:
        raise BackendError(
            f"--resume: the input now has {report.parse.read} records, fewer than the "
            f"{start.records} already loaded: it changed; run the reindex without --resume"
        )


def _load_and_switch(
    backend: Backend,
    alias: str,
    report: LoadReport,
    articles: Iterator[Article],
    tracker: CheckpointTracker,
    allow_shrink: bool,
) -> LoadReport:
    version = report.version
    loaded = False
    refusal = None
    try:
        result = backend.load(version, articles, tracker.durable)
        loaded = True
        report.indexed, report.refused = result.indexed, result.rejected
        expected = report.parse.parsed - report.refused_before - len(report.refused)
        if report.indexed != expected:
            raise BackendError(
                f"{version} holds {report.indexed} documents and refused "
                f"{report.refused_before + len(report.refused)}, but {report.parse.parsed} "
                "were parsed"
            )
        refusal = _refusal(report, backend.status(alias), allow_shrink)
        if refusal is None:
            before = replay(backend, alias, version, tracker.start.updates_from)
            backend.switch(alias, version)
    except BaseException as failure:
        _fail(backend, alias, version, failure, tracker.saved if not loaded else None)
        failure.add_note(f"stopped after {report.parse.summary()}")
        raise
    if refusal is not None:
        backend.discard(version)
        raise ReindexRefused(refusal)
    report.replayed = before.entries + _replay_after_switch(backend, alias, version, before.last)
    return report


def reindex_from_index(
    backend: Backend, alias: str, on_progress: OnProgress = no_progress
) -> tuple[str, int, int]:
    """Backend.reindex_from_index, with the updates journaled while it copied replayed
    into the new version once the alias is on it (each one is in the copy, or in the
    journal after `mark`, or goes to the new version itself). The version, its
    documents when copied, and the entries replayed."""
    mark = backend.journal.last(alias)
    version, count = backend.reindex_from_index(alias, on_progress)
    return version, count, _replay_after_switch(backend, alias, version, mark)


def _replay_after_switch(backend: Backend, alias: str, version: str, after: int) -> int:
    """The updates journaled between the first replay and the switch, applied to the
    version now live; then the journal forgets what the version holds (no other
    version can be resumed: the switch pruned the incomplete ones). Its entries."""
    try:
        after_switch = replay(backend, alias, version, after)
        backend.journal.trim(alias, after_switch.last)
    except BackendError as failure:
        failure.add_hint(
            f"the alias {alias!r} is on {version}, but the adds and deletes made during the "
            f"reindex after update {after} may be missing from it: run them again"
        )
        raise
    return after_switch.entries


def _refusal(report: LoadReport, live: Status, allow_shrink: bool) -> str | None:
    """Why the alias must not move to the loaded version, if it must not: one line
    with what stays, the reason and what to do."""
    why = _why_refused(report, live, allow_shrink)
    if why is None:
        return None
    reason, advice = why
    stays = f"stays on {live.current}" if live.current else "was not created"
    return (
        f"the alias {live.alias!r} {stays} and {report.version} was deleted: {reason} "
        f"({report.summary()}); {advice}"
    )


def _why_refused(report: LoadReport, live: Status, allow_shrink: bool) -> tuple[str, str] | None:
    """The reason a load must not go live, and what to do, if it must not."""
    indexed = "it would index" if report.dry_run else "it indexed"
    if report.unfound_fields:
        reason = f"--field {report.unfound_fields[0]}: no file read has that key"
        advice = (
            "give one of the keys the files have (their records were rejected, each naming them)"
        )
    elif report.indexed == 0:
        reason = f"{indexed} nothing"
        advice = "check the paths and the rejected records above, then run it again"
    elif not allow_shrink and report.indexed < live.documents * SHRINK_LIMIT:
        reason = (
            f"{indexed} {report.indexed} documents, under half of the {live.documents} "
            f"in {live.current}"
        )
        advice = (
            "check the input, or run it again with --allow-shrink if the index is meant to shrink"
        )
    else:
        return None
    return reason, advice


def _fail(
    backend: Backend,
    alias: str,
    version: str,
    failure: BaseException,
    checkpoint: Checkpoint | None,
) -> None:
    """Say what a failed reindex leaves: the alias where it was, and either the
    version kept for --resume (the load failed) or nothing (it failed after)."""
    if checkpoint is not None:
        advice = (
            f"the alias {alias!r} was not moved; {version} is kept with a checkpoint at "
            f"{checkpoint.where}: run the same reindex with --resume to continue it"
        )
    else:
        advice = f"the alias {alias!r} was not moved: run the same reindex again"
        try:
            backend.discard(version)
        except BackendError:
            # The cluster is gone too: say what is left behind, keep the first error.
            failure.add_note(f"{version} could not be deleted; delete it when it is back")
    if isinstance(failure, BackendError):  # the next step, on the message's line
        failure.add_hint(advice)
    else:  # Ctrl-C, or an error of the input: a line of its own
        failure.add_note(advice)
