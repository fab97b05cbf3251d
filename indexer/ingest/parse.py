"""From paths to articles: read, build, drop duplicates, count.

Every input record ends as exactly one of Article, Duplicate or Rejected, and the
ParseReport counts them so that read = parsed + duplicates + rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from indexer.ingest.articles import Article, Origin, RawRecord, Rejected, Written, build_article
from indexer.ingest.sources import read_records
from indexer.ingest.sources.files import ReadOptions, ReadPosition


@dataclass(slots=True)  # slotted, not frozen: as the records of indexer/ingest/articles.py
class Duplicate:
    article: Article | Written
    first: Origin  # where the kept copy came from
    reason: str


Outcome = Article | Duplicate | Rejected
WrittenOutcome = Written | Duplicate | Rejected  # what `parse` writes and counts
Kept = TypeVar("Kept", Article, Written)


@dataclass
class Deduplicator:
    """Remembers each article's id and fingerprint; the first copy wins.

    Memory grows by about 200 bytes per distinct article (two short strings and an
    origin), the only per-article state of a parse: 31k articles take ~6 MB.
    """

    # Ids taken from the input (--field id=KEY): one given to two different texts is a
    # clash in the collection, rejected, not merged as a duplicate (the text decides).
    given_ids: bool = False
    by_fingerprint: dict[str, Origin] = field(default_factory=dict)
    by_id: dict[str, Origin] = field(default_factory=dict)

    @classmethod
    def of(cls, options: ReadOptions) -> Deduplicator:
        return cls(given_ids=options.id_key is not None)

    def check(self, article: Kept) -> Kept | Duplicate | Rejected:
        if (first := self.by_fingerprint.get(article.fingerprint)) is not None:
            return Duplicate(article, first, "same text")
        if (first := self.by_id.get(article.id)) is not None:
            if self.given_ids:
                return Rejected(
                    article.origin,
                    f"id clash: {article.id!r} is also the id of {first}, another text; "
                    "ids given by --field id=KEY must be unique",
                )
            return Duplicate(article, first, "same id (same url, or same source, title and date)")
        self.by_fingerprint[article.fingerprint] = article.origin
        self.by_id[article.id] = article.origin
        return article


@dataclass
class ParseReport:
    read: int = 0
    parsed: int = 0
    duplicates: int = 0
    rejected: int = 0
    encodings: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome | WrittenOutcome) -> None:
        self.read += 1
        if isinstance(outcome, Duplicate):
            self.duplicates += 1
            self.encodings[outcome.article.origin.encoding] += 1
        elif isinstance(outcome, Rejected):
            self.rejected += 1
        else:  # an Article, or a Written one
            self.parsed += 1
            self.encodings[outcome.origin.encoding] += 1

    def adds_up(self) -> bool:
        return self.read == self.parsed + self.duplicates + self.rejected

    def summary(self) -> str:
        line = (
            f"read {self.read} / parsed {self.parsed} / duplicates {self.duplicates}"
            f" / rejected {self.rejected}"
        )
        legacy = {e: n for e, n in self.encodings.items() if e != "utf-8"}
        if legacy:
            line += " (decoded as " + ", ".join(f"{e}: {n}" for e, n in legacy.items()) + ")"
        return line


def parse_paths(
    paths: list[str], options: ReadOptions | None = None, position: ReadPosition | None = None
) -> Iterator[Outcome]:
    """Every record of every file under `paths`, as an Article, Duplicate or Rejected;
    `position` follows the bytes read."""
    options = options or ReadOptions()
    seen = Deduplicator.of(options)
    for record in read_records(paths, options, position):
        if isinstance(record, RawRecord):
            built = build_article(record, options.max_chars, options.date_order, options.id_key)
            yield built if isinstance(built, Rejected) else seen.check(built)
        else:
            yield record
