"""The embedded backend: tantivy indexes on disk, no server.

Text is analyzed in Python with the same analyzers Elasticsearch runs (the terms are
indexed pre-analyzed, one whitespace-separated term a position), so both backends
match the same words. Its versions, the alias file and the lock are kept by
VersionStore (versions.py); its schema and queries are in query.py.
A search sees the alias's old version or the new one, never a half-built one; an
interrupted reindex leaves the alias where it was.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

import orjson
import tantivy

from indexer.analysis.analyzers import Analyzer, IndexTerms, default_analyzers
from indexer.backends import (
    KEEP_OLD_VERSIONS,
    Applied,
    BackendError,
    Known,
    LoadResult,
    LockHolder,
    OnDurable,
    OnProgress,
    Status,
    Unsupported,
    Update,
    no_progress,
    nothing_to_do,
)
from indexer.backends.embedded.journal import Journal, held
from indexer.backends.embedded.query import (
    QueryBuilder,
    build_schema,
    exact_field,
    grams_field,
    raw_field,
)
from indexer.backends.embedded.versions import VersionStore
from indexer.index.checkpoints import Checkpoint, Interrupted
from indexer.index.fields import (
    GRAMS_FIELD,
    KEYWORD_FIELDS,
    SEARCHED_FIELDS,
    SHOWN_FIELDS,
    copied_from,
)
from indexer.index.mappings import EMBEDDED_READABLE, EMBEDDED_WRITABLE, MAPPING_VERSION
from indexer.ingest.articles import Article
from indexer.search.facets import facet_aggregations, read_facets
from indexer.search.highlight import Terms, highlight
from indexer.search.query import (
    RANKING,
    Hit,
    QueryError,
    Ranking,
    Recency,
    SearchRequest,
    SearchResult,
    parse_published,
    plan_query,
)

RESCORE_WINDOW = 1_000  # recency re-ranks this many top hits first (more if needed)
TIE_WINDOW = 1_000  # hits past a page read to put a tie across its end in id order
# A hit as tantivy orders it: by its score, or by its date (nanoseconds; None: undated).
Ranked = tuple[Any, tantivy.DocAddress]
WRITER_HEAP = 256_000_000
# Documents between commits, each one a checkpoint. Each commit is a segment of
# the index, which tantivy does not merge below 8; every search looks each of its terms
# up in every segment: on the 31k ANT articles, one segment instead of six searches in
# two thirds of the time. A killed load of fewer articles starts again from the start.
CHECKPOINT_EVERY = 50_000


# What each searched field holds: `content` is the title and the body, as the
# Elasticsearch mapping's copy_to makes it; and the fields analyzed to fill them.
FIELD_SOURCES = {name: copied_from(name) for name in SEARCHED_FIELDS}
ANALYZED_FIELDS = tuple(dict.fromkeys(f for sources in FIELD_SOURCES.values() for f in sources))


class SourceTerms(NamedTuple):
    """A source field's index terms, each analyzer's joined by spaces (IndexTerms)."""

    text: str  # stemmed
    exact: str
    grams: str = ""  # the baselines have no grams analyzer


def _shown(article: Article) -> bytes:
    """What a hit shows, as written (UTF-8 JSON)."""
    return orjson.dumps({f: getattr(article, f) for f in SHOWN_FIELDS})


class EmbeddedBackend:
    name = "embedded"

    def __init__(
        self,
        home: str | Path,
        keep_old_versions: int = KEEP_OLD_VERSIONS,
        analyzers: dict[str, Analyzer] | None = None,
        checkpoint_every: int = CHECKPOINT_EVERY,
        ranking: Ranking = RANKING,
    ) -> None:
        """`analyzers` and `ranking` other than the defaults are for comparing analyses
        (the relevance evaluation's baselines, which have no `grams` analyzer and search
        one field)."""
        self.home = Path(home)
        if self.home.exists() and not self.home.is_dir():
            raise BackendError(
                f"--home {self.home} is a file, not a folder: give a folder for the index "
                "(it is made if missing)"
            )
        self.checkpoint_every = checkpoint_every
        # Each version's searcher, once searched, with the version.json it was opened
        # under: an update (add, delete) rewrites that file.
        self._open: dict[str, tuple[int, tantivy.Searcher]] = {}
        self.versions = VersionStore(self.home, keep_old_versions, on_discard=self._forget)
        self.journal = Journal(self.home)
        self.schema = build_schema()
        self._analyzers = analyzers or default_analyzers()
        # What is indexed: stemmed, exact, and (ours, not the baselines) trigrams.
        self._has_grams = "grams" in self._analyzers
        indexed = ("text", "exact", "grams") if self._has_grams else ("text", "exact")
        self._index_terms = IndexTerms(tuple(self._analyzers[name] for name in indexed))
        self._queries = QueryBuilder(self.schema, self._analyzers, ranking, self._has_grams)
        self._facet_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facets")
        self._alias_seen: dict[str, tuple[tuple[int, int] | None, str | None]] = {}

    def _forget(self, version: str) -> None:
        self._open.pop(version, None)  # a discarded version's searcher

    def load(
        self, version: str, articles: Iterable[Article], on_durable: OnDurable = nothing_to_do
    ) -> LoadResult:
        index = tantivy.Index(self.schema, path=str(self.versions.version_dir(version)))
        # A resumed load: what was committed after the last checkpoint comes again.
        replacing = index.searcher().num_docs > 0
        done = 0
        with _writing(index) as writer:
            for article in articles:
                if replacing:
                    writer.delete_documents_by_term("id", article.id)
                writer.add_document(self.document(article))
                done += 1
                if done % self.checkpoint_every == 0:
                    writer.commit()
                    on_durable(done, 0)
        index.reload()
        documents = index.searcher().num_docs
        self.versions.complete(version, documents)
        return LoadResult(documents)

    def document(self, article: Article) -> tantivy.Document:
        keyword = self._analyzers["keyword"]
        doc = tantivy.Document()
        doc.add_text("id", article.id)
        doc.add_text("fingerprint", article.fingerprint)
        # Each source field analyzed once for every indexed field; a searched field
        # gets one value per source, as copy_to gives Elasticsearch.
        terms = {
            f: SourceTerms(*self._index_terms(getattr(article, f) or "")) for f in ANALYZED_FIELDS
        }
        for field in SEARCHED_FIELDS:
            for source in FIELD_SOURCES[field]:
                doc.add_text(field, terms[source].text)
                doc.add_text(exact_field(field), terms[source].exact)
        if self._has_grams:
            for source in FIELD_SOURCES[GRAMS_FIELD]:
                doc.add_text(grams_field(GRAMS_FIELD), terms[source].grams)
        for field in KEYWORD_FIELDS:
            if value := getattr(article, field):
                doc.add_text(field, keyword.terms(value)[0])
                doc.add_text(raw_field(field), value)
        if published := parse_published(article.published_at):
            doc.add_date("published_at", published)
        doc.add_bytes("shown", _shown(article))
        doc.add_bytes("body_text", article.body.encode("utf-8"))
        return doc

    # The versions: the VersionStore's.

    def lock(self, alias: str) -> AbstractContextManager[None]:
        return self.versions.lock(alias)

    def create_version(self, alias: str) -> str:
        return self.versions.create_version(alias)

    def save_checkpoint(self, version: str, checkpoint: Checkpoint) -> None:
        self.versions.save_checkpoint(version, checkpoint)

    def interrupted(self, alias: str) -> Interrupted | None:
        return self.versions.interrupted(alias)

    def switch(self, alias: str, version: str) -> None:
        self.versions.switch(alias, version)

    def discard(self, version: str) -> None:
        self.versions.discard(version)

    def rollback(self, alias: str, to: str | None = None) -> str:
        """Back to the next older complete version (each rollback goes further back), or
        to version `to`, older or newer."""
        return self.versions.rollback(alias, to)

    def status(self, alias: str) -> Status:
        return self.versions.status(alias)

    def reindex_from_index(
        self, alias: str, on_progress: OnProgress = no_progress
    ) -> tuple[str, int]:
        raise Unsupported(
            "--from-index re-analyzes the stored documents on the server: Elasticsearch "
            "or OpenSearch only; on the embedded backend, reindex the files"
        )

    def unlock(self, alias: str) -> str | None:
        # The lock is an flock on <alias>.lock: it ends with the process that held it,
        # so one that is held belongs to a reindex that runs.
        holder = self.lock_holder(alias)
        if holder is not None:
            raise BackendError(
                f"the reindex lock on {alias!r} is held by {holder}, a reindex that runs: an "
                "embedded lock ends with its process; wait for it to end, or stop it"
            )
        return None

    def lock_holder(self, alias: str) -> LockHolder | None:
        return self.versions.lock_holder(alias)

    # ------------------------------------------------------------------- updates

    def current(self, alias: str) -> str | None:
        return self.versions.read_pointer(alias)["current"]

    def _updatable(self, version: str) -> tantivy.Index:
        """The version's index, when this program can update it (its schema is ours)."""
        built_with = self.versions.read_meta(version).get("mapping_version")
        if built_with not in EMBEDDED_WRITABLE:
            raise BackendError(
                f"{version} was built with mapping version {built_with}; add and delete "
                f"need version {MAPPING_VERSION}: run 'arabic-search reindex' first"
            )
        return tantivy.Index.open(str(self.versions.version_dir(version)))

    def _first(self, searcher: tantivy.Searcher, field: str, value: str) -> str | None:
        """The id of the first document whose `field` is `value`, if any."""
        query = tantivy.Query.term_query(self.schema, field, value)
        hits = searcher.search(query, 1).hits
        return self._id(searcher, hits[0][1]) if hits else None

    def known(self, version: str, articles: Sequence[Article]) -> Known:
        searcher = self._updatable(version).searcher()
        ids = frozenset(a.id for a in articles if self._first(searcher, "id", a.id))
        fingerprints = {}
        for article in articles:
            if holder := self._first(searcher, "fingerprint", article.fingerprint):
                fingerprints[article.fingerprint] = holder
        return Known(ids, fingerprints)

    def apply(self, version: str, update: Update) -> Applied:
        index = self._updatable(version)
        # One tantivy writer an index: adds, deletes and a reindex's replay take turns.
        with held(self.versions.version_dir(version) / "writer.lock", True, version):
            searcher = index.searcher()
            missing = tuple(i for i in update.deleted if not self._first(searcher, "id", i))
            with _writing(index) as writer:
                for doc_id in update.deleted:
                    writer.delete_documents_by_term("id", doc_id)
                for article in update.added:
                    writer.delete_documents_by_term("id", article.id)
                    writer.add_document(self.document(article))
            index.reload()
            self.versions.set_documents(version, index.searcher().num_docs)
        return Applied(len(update.added), len(update.deleted) - len(missing), missing)

    # -------------------------------------------------------------------- search

    def _searcher(self, alias: str) -> tantivy.Searcher:
        """The searcher of the alias's current version. It is kept until the version
        changes (an update rewrites its version.json); the alias file is re-read when it
        changes."""
        try:
            stat = self.versions.pointer(alias).stat()
            changed = (stat.st_mtime_ns, stat.st_ino)
        except FileNotFoundError:
            changed = None
        if self._alias_seen.get(alias, (None, None))[0] != changed or changed is None:
            self._alias_seen[alias] = (changed, self.versions.read_pointer(alias)["current"])
        version = self._alias_seen[alias][1]
        if version is None:
            raise BackendError(
                f"no index for alias {alias!r} under {self.home}: run 'arabic-search reindex' first"
            )
        meta = self.versions.version_dir(version) / "version.json"
        try:
            written = meta.stat().st_mtime_ns
        except FileNotFoundError:  # discarded meanwhile: read_meta says so below
            written = 0
        opened = self._open.get(version)
        if opened is None or opened[0] != written:
            built_with = self.versions.read_meta(version).get("mapping_version")
            if built_with not in EMBEDDED_READABLE:
                # Another version has other fields (2: content, content_grams).
                raise BackendError(
                    f"the index of {alias!r} was built with mapping version {built_with}, "
                    f"this program searches version {MAPPING_VERSION}: run 'arabic-search "
                    "reindex' first"
                )
            path = str(self.versions.version_dir(version))
            self._open[version] = (written, tantivy.Index.open(path).searcher())
        return self._open[version][1]

    def search(self, alias: str, request: SearchRequest) -> SearchResult:
        request.check()
        searcher = self._searcher(alias)
        plan = plan_query(request.query, self._analyzers)
        request = request.sorted_for(plan)
        if request.needs_origin:
            request = request.with_origin(self._newest(searcher))
        query = self._queries.build(plan, request, searcher)
        if query is None:
            return SearchResult(0, [], dropped=plan.dropped, nothing_searchable=True)
        offset = (
            _cursor_offset(request.cursor, request)
            if request.cursor
            else (request.page - 1) * request.size
        )
        # tantivy lets go of the GIL: the facets are counted on another core meanwhile.
        facets = (
            self._facet_thread.submit(self._facets, searcher, query) if request.facets else None
        )
        end = offset + request.size
        ranked: Sequence[tuple[float | None, tantivy.DocAddress]]  # no score by date
        if not request.size:  # the total and facets only (tantivy takes no limit of 0)
            found, ranked = searcher.search(query, 1, True), []
        elif request.sort == "date":
            found, by_date = self._in_order(searcher, query, offset, end, by_date=True)
            ranked = [(None, address) for _, address in by_date[offset:]]
        elif request.recency is not None and request.recency.origin is not None:
            found, rescored = self._by_recency(searcher, query, request.recency, offset, end)
            ranked = rescored[offset:end]
        else:
            found, ranked = self._in_order(searcher, query, offset, end)
            ranked = ranked[offset:]
        terms = Terms(frozenset(plan.stems), frozenset(plan.exact))
        hits = [self._hit(searcher, score, address, terms, request) for score, address in ranked]
        total = found.count or 0  # type: ignore[attr-defined]  # count: in tantivy, not its stub
        next_offset = offset + len(hits)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets.result() if facets else {},
            next_cursor=f"offset:{next_offset}:{request.fingerprint}"
            if hits and next_offset < total
            else None,
            dropped=plan.dropped,
            over_limit=plan.over_limit,
        )

    def newest_published(self, alias: str) -> datetime | None:
        return self._newest(self._searcher(alias))

    def _newest(self, searcher: tantivy.Searcher) -> datetime | None:
        """The newest published_at of the version, where recency decays from: the first
        article by date, as written (the cluster's max aggregation reads the same)."""
        everything = tantivy.Query.all_query()
        found = searcher.search(everything, 1, False, "published_at", 0, tantivy.Order.Desc)
        if not found.hits:
            return None
        [(_, address)] = found.hits
        return self._published(searcher, address)

    def _in_order(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        start: int,
        end: int,
        by_date: bool = False,
    ) -> tuple[tantivy.SearchResult, list[Ranked]]:
        """The search, and its first `end` hits in the cluster's order: by score, or by
        date (newest first, undated last), then by id. tantivy orders equal keys its
        own way (on short texts many hits tie), so they are put in id order. Hits tied
        with the last place may lie past it, so the window grows until the first hit
        after it differs (up to TIE_WINDOW past the end: a tie wider than that keeps
        tantivy's order, which is the same on every page)."""
        window = end + 1
        while True:
            if by_date:
                found = searcher.search(query, window, True, "published_at", 0, tantivy.Order.Desc)
            else:
                found = searcher.search(query, window, True)
            hits = found.hits
            settled = len(hits) <= end or hits[-1][0] != hits[end - 1][0]
            whole = settled or len(hits) >= found.count  # type: ignore[attr-defined]  # count: as above
            if whole or window > end + TIE_WINDOW:
                return found, self._ties_by_id(searcher, hits, start, last_whole=whole)[:end]
            window = min(window * 2, end + TIE_WINDOW + 1)

    def _ties_by_id(
        self,
        searcher: tantivy.Searcher,
        ranked: list[Ranked],
        start: int = 0,
        last_whole: bool = True,
    ) -> list[Ranked]:
        """The hits, in order, with each run of equal keys (scores or dates) in id
        order; ids are read only for the runs that reach past `start`, the others are
        not on the page. A tie of more than TIE_WINDOW hits, and the last run unless
        it is all there, keep tantivy's order: every page must order a tie the same
        way, and only a tie seen whole can be put in id order."""
        runs = [list(run) for _, run in itertools.groupby(ranked, key=lambda pair: pair[0])]
        ordered: list[Ranked] = []
        for number, run in enumerate(runs):
            cut = number == len(runs) - 1 and not last_whole
            if 1 < len(run) <= TIE_WINDOW and not cut and len(ordered) + len(run) > start:
                run.sort(key=lambda pair: self._id(searcher, pair[1]))
            ordered += run
        return ordered

    def _id(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> str:
        return str(_shown_of(searcher, address)["id"])

    def _by_recency(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        recency: Recency,
        start: int,
        end: int,
    ) -> tuple[tantivy.SearchResult, list[Ranked]]:
        """The search by relevance, and its hits by relevance x recency, the first `end`
        in their place.

        The engine decays every match; here the best `window` by relevance are
        re-ranked. Recency never adds to a score, so a hit past the window scores at
        most the window's last relevance: once the `end`th decayed score is at least
        that, nothing outside can move into the page, and the page is the engine's.
        Otherwise the window grows (rarely: recency keeps at least RECENCY_FLOOR of a
        score)."""
        window = RESCORE_WINDOW
        while True:
            found = searcher.search(query, max(window, end), True)
            decayed = [
                (score * recency.factor(self._published(searcher, address)), address)
                for score, address in found.hits
            ]
            decayed.sort(key=lambda pair: -pair[0])  # stable: equal scores by relevance
            rescored = self._ties_by_id(searcher, decayed, start)
            settled = len(rescored) >= end and rescored[end - 1][0] >= found.hits[-1][0]
            if len(found.hits) >= found.count or settled:  # type: ignore[attr-defined]  # count: as above
                return found, rescored
            window *= 4

    def _published(
        self, searcher: tantivy.Searcher, address: tantivy.DocAddress
    ) -> datetime | None:
        return parse_published(_shown_of(searcher, address)["published_at"])

    def _hit(
        self,
        searcher: tantivy.Searcher,
        score: float | None,
        address: tantivy.DocAddress,
        terms: Terms,
        request: SearchRequest,
    ) -> Hit:
        stored = searcher.doc(address)
        shown = orjson.loads(cast(bytes, stored.get_first("shown")))
        if request.highlight:
            body = cast(bytes, stored.get_first("body_text")).decode("utf-8")
            highlights = highlight(shown["title"], body, terms, self._analyzers)
        else:
            highlights = {}
        return Hit.from_shown(shown, score, highlights)

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> dict[str, dict[str, int]]:
        return read_facets(searcher.aggregate(query, facet_aggregations(raw_field)))


@contextlib.contextmanager
def _writing(index: tantivy.Index) -> Iterator[tantivy.IndexWriter]:
    """The index's one writer; what the block wrote is committed when it ends, and
    rolled back (to the last commit) if it fails."""
    writer = index.writer(WRITER_HEAP, 1)
    try:
        yield writer
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise


def _shown_of(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """What a hit shows (its stored JSON)."""
    return cast(dict[str, Any], orjson.loads(cast(bytes, searcher.doc(address).get_first("shown"))))


def _cursor_offset(cursor: str, request: SearchRequest) -> int:
    """The offset of an `offset:N:FINGERPRINT` cursor; QueryError for another search's."""
    parts = cursor.split(":")
    if len(parts) != 3 or parts[0] != "offset" or not parts[1].isdigit() or not parts[2]:
        raise QueryError(f"not a cursor from this backend: {cursor!r}")
    _, value, fingerprint = parts
    request.check_cursor(fingerprint)
    return int(value)
