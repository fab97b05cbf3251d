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
from indexer.backends import Backend
from indexer.ingest import Outcome, ParseReport, parse_paths
from indexer.sources.files import ReadOptions


@dataclass
class LoadReport:
    version: str
    parse: ParseReport = field(default_factory=ParseReport)
    indexed: int = 0

    def adds_up(self) -> bool:
        p = self.parse
        return p.read == self.indexed + p.duplicates + p.rejected

    def summary(self) -> str:
        p = self.parse
        return (
            f"read {p.read} / indexed {self.indexed} / duplicates {p.duplicates}"
            f" / rejected {p.rejected}"
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
        report.indexed = backend.load(version, articles())
        if report.indexed != report.parse.parsed:
            raise RuntimeError(
                f"the index holds {report.indexed} documents, {report.parse.parsed} were sent"
            )
        backend.switch(alias, version)
    except BaseException:
        backend.discard(version)
        raise
    return report
