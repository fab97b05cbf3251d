"""Updates: articles added to, or deleted from, the live version without a reindex.

    add FILE...   parse -> set aside what the live version holds already -> journal -> apply
    delete ID...  journal -> apply

Every update is first written to the alias's journal (Backend.journal), then
applied to the version the alias points at *after* that write. A reindex replays the
journal entries made since it began into its new version, once before it moves the
alias and once after (`replay`, called by indexer/index/reindex.py). So an update made
while a reindex runs is never lost when the alias moves:

- journaled before the second replay reads the journal: that replay applies it to
  the new version (the first one, if it was early enough);
- journaled after: the alias had moved already, so the update itself is applied to
  the new version.

A replay comes after the load, so an article that an update changed is the update's
version even when the reindex's files hold the old one. docs/operating.md says this
for operators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from indexer.backends import Applied, Backend, BackendError, Known, no_such_alias
from indexer.ingest.articles import Article, Origin
from indexer.ingest.parse import Duplicate, Outcome, ParseReport, parse_paths
from indexer.ingest.sources.files import ReadOptions, ReadPosition

# Articles a journal entry and one write hold at most, and their text: an entry is one
# document on a cluster, and its request must stay well under the 100 MB it accepts.
BATCH = 500
BATCH_CHARS = 5_000_000
DELETE_BATCH = 10_000  # ids a journal entry of a delete holds: they are small


@dataclass
class UpdateReport:
    """What an add or a delete did. For an add: read = added + duplicates + rejected."""

    alias: str
    version: str | None = None  # the live version the updates went to
    parse: ParseReport = field(default_factory=ParseReport)
    new: int = 0  # articles the version did not hold
    replaced: int = 0  # articles whose id it held: the new text replaces the old
    refused: list[tuple[Article, str]] = field(default_factory=list)  # by the engine
    deleted: int = 0
    missing: list[str] = field(default_factory=list)  # ids to delete it did not hold

    @property
    def added(self) -> int:
        return self.new + self.replaced

    @property
    def rejected(self) -> int:
        return self.parse.rejected + len(self.refused)

    def adds_up(self) -> bool:
        return self.parse.read == self.added + self.parse.duplicates + self.rejected

    def summary(self) -> str:
        if self.deleted or self.missing:
            return f"deleted {self.deleted} / not found {len(self.missing)}"
        return (
            f"read {self.parse.read} / added {self.added} ({self.new} new, {self.replaced} "
            f"replaced) / duplicates {self.parse.duplicates} / rejected {self.rejected}"
        )

    def to_json(self) -> dict[str, Any]:
        """What `add --json` and `delete --json` print."""
        return {
            "alias": self.alias,
            "version": self.version,
            "read": self.parse.read,
            "added": self.added,
            "new": self.new,
            "replaced": self.replaced,
            "duplicates": self.parse.duplicates,
            "rejected": self.rejected,
            "deleted": self.deleted,
            "not_found": self.missing,
        }

    def record(
        self, applied: Applied, known: Known | None = None, sent: Sequence[str] = ()
    ) -> None:
        self.refused += applied.refused
        refused = {article.id for article, _ in applied.refused}
        replaced = [i for i in sent if known and i in known.ids and i not in refused]
        self.replaced += len(replaced)
        self.new += applied.indexed - len(replaced)
        self.deleted += applied.deleted
        self.missing += applied.missing


def live_version(backend: Backend, alias: str) -> str:
    """The version updates go to: the alias's current one (exit 2 when it has none)."""
    version = backend.current(alias)
    if version is None:
        raise BackendError(no_such_alias(alias))
    return version


def add(
    backend: Backend,
    paths: list[str],
    alias: str,
    options: ReadOptions | None = None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    position: ReadPosition | None = None,
) -> UpdateReport:
    """Put the articles of `paths` into the alias's live version: new ones are added,
    one with the id of an indexed article replaces it. An article whose text the
    version holds already is a duplicate: of itself (unchanged), or of another id.
    `on_outcome` sees every record's fate, a batch at a time."""
    report = UpdateReport(alias, live_version(backend, alias))
    for outcomes in _batches(parse_paths(paths, options, position)):
        version = live_version(backend, alias)
        batch = [outcome for outcome in outcomes if isinstance(outcome, Article)]
        known = backend.known(version, batch) if batch else Known(frozenset(), {})
        kept = []
        for parsed in outcomes:
            outcome = _checked(parsed, known, version)
            report.parse.add(outcome)
            on_outcome(outcome)
            if isinstance(outcome, Article):
                kept.append(outcome)
        if kept:
            update = backend.journal.append(alias, kept, ())
            report.version = live_version(backend, alias)  # after the journal: see above
            report.record(backend.apply(report.version, update), known, [a.id for a in kept])
    return report


def delete(backend: Backend, alias: str, ids: Iterable[str]) -> UpdateReport:
    """Take the articles of `ids` out of the alias's live version."""
    unique = list(dict.fromkeys(ids))
    report = UpdateReport(alias, live_version(backend, alias))
    for start in range(0, len(unique), DELETE_BATCH):
        update = backend.journal.append(alias, (), unique[start : start + DELETE_BATCH])
        report.version = live_version(backend, alias)
        report.record(backend.apply(report.version, update))
    return report


@dataclass(frozen=True)
class Replayed:
    entries: int  # journal entries applied
    last: int  # the number of the last entry read (where a next replay starts)


def replay(backend: Backend, alias: str, version: str, after: int) -> Replayed:
    """Apply the alias's journal entries numbered after `after` to `version`, in order."""
    entries, last = 0, after
    for update in backend.journal.after(alias, after):
        backend.apply(version, update)
        entries, last = entries + 1, update.seq
    return Replayed(entries, last)


def _batches(outcomes: Iterable[Outcome]) -> Iterator[list[Outcome]]:
    """The outcomes in input order, cut after BATCH articles or BATCH_CHARS of text."""
    batch: list[Outcome] = []
    articles = chars = 0
    for outcome in outcomes:
        batch.append(outcome)
        if isinstance(outcome, Article):
            articles += 1
            chars += len(outcome.body) + len(outcome.title)
            if articles >= BATCH or chars >= BATCH_CHARS:
                yield batch
                batch, articles, chars = [], 0, 0
    if batch:
        yield batch


def _checked(outcome: Outcome, known: Known, version: str) -> Outcome:
    """An article, or a Duplicate when the version holds its text already."""
    if not isinstance(outcome, Article):
        return outcome
    holder = known.fingerprints.get(outcome.fingerprint)
    if holder is None:
        return outcome
    reason = (
        "indexed already, unchanged"
        if holder == outcome.id
        else f"same text as indexed article {holder}"
    )
    return Duplicate(outcome, Origin(version), reason)
