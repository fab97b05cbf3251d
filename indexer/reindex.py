"""Reindex: parse files into a new index version, then switch the alias to it.

    create a version -> load every parsed article -> switch the alias (atomic)

If anything fails or is interrupted before the switch, the new version is
discarded and the alias stays on the version it had: searches never see a
half-loaded index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from indexer.articles import Article
from indexer.backends import Backend, BackendError
from indexer.ingest import Outcome, ParseReport, parse_paths
from indexer.sources.files import ReadOptions


@dataclass
class LoadReport:
    version: str
    parse: ParseReport = field(default_factory=ParseReport)
    indexed: int = 0
    refused: list[tuple[Article, str]] = field(default_factory=list)  # by the engine

    @property
    def rejected(self) -> int:
        return self.parse.rejected + len(self.refused)

    def adds_up(self) -> bool:
        return self.parse.read == self.indexed + self.parse.duplicates + self.rejected

    def summary(self) -> str:
        return (
            f"read {self.parse.read} / indexed {self.indexed} / duplicates "
            f"{self.parse.duplicates} / rejected {self.rejected}"
        )


def reindex(
    backend: Backend,
    paths: list[str],
    alias: str,
    options: ReadOptions | None = None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> LoadReport:
    """Build a new version of `alias` from `paths` and switch to it.

    `on_outcome` sees every parsed record (for progress and for reporting rejects
    and duplicates as they happen)."""
    with backend.lock(alias):
        return _reindex_locked(backend, paths, alias, options, on_outcome)


def _reindex_locked(
    backend: Backend,
    paths: list[str],
    alias: str,
    options: ReadOptions | None,
    on_outcome: Callable[[Outcome], None],
) -> LoadReport:
    version = backend.create_version(alias)
    report = LoadReport(version)

    def articles() -> Iterator[Article]:
        for outcome in parse_paths(paths, options):
            report.parse.add(outcome)
            on_outcome(outcome)
            if isinstance(outcome, Article):
                yield outcome

    try:
        result = backend.load(version, articles())
        report.indexed, report.refused = result.indexed, result.rejected
        if report.indexed + len(report.refused) != report.parse.parsed:
            raise BackendError(
                f"the index holds {report.indexed} documents and refused "
                f"{len(report.refused)}, but {report.parse.parsed} were sent"
            )
        backend.switch(alias, version)
    except BaseException as failure:
        try:
            backend.discard(version)
        except BackendError:
            # The cluster is gone too: say what is left behind, keep the first error.
            failure.add_note(f"{version} could not be deleted; delete it when it is back")
        if isinstance(failure, BackendError):
            failure.args = (
                f"{failure}; the alias {alias!r} was not moved: run the same reindex again",
            )
        raise
    return report
