"""The embedded backend: tantivy indexes on disk, no server.

    <home>/versions/<alias>-<UTC timestamp>/   one tantivy index per reindex, + version.json
    <home>/<alias>.json                        {"current": ..., "previous": ...}
    <home>/<alias>.lock                        held while a reindex of that alias runs

Text is analyzed in Python with the same analyzers Elasticsearch runs (the terms are
indexed pre-analyzed, one whitespace-separated term a position), so both backends
match the same words. The alias file is replaced with os.replace, so a search sees
the old version or the new one, never a half-built one; an interrupted reindex
leaves the alias where it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson
import tantivy

from indexer.analysis.analyzers import Analyzer, IndexTerms, default_analyzers
from indexer.articles import Article
from indexer.backends import (
    BackendError,
    LoadResult,
    OnDurable,
    Status,
    Unsupported,
    VersionInfo,
    no_older_version,
    nothing_to_do,
)
from indexer.facets import facet_aggregations, read_facets
from indexer.fields import RAW_SUBFIELD
from indexer.highlight import Terms, highlight
from indexer.mappings import MAPPING_VERSION
from indexer.query import (
    GRAMS_FIELD,
    RANKING,
    TEXT_FIELDS,
    FieldQuery,
    Hit,
    QueryError,
    QueryPlan,
    Ranking,
    Recency,
    Requirement,
    SearchRequest,
    SearchResult,
    Word,
    date_bounds,
    match_plan,
    parse_published,
    plan_query,
)

KEYWORD_FIELDS = ("category", "source", "author")
RESCORE_WINDOW = 1_000  # recency re-ranks this many top hits first (more if needed)
TIE_WINDOW = 1_000  # hits past a page read to put a tie across its end in id order
Scored = tuple[float, tantivy.DocAddress]  # a hit as tantivy ranks it
KEEP_OLD_VERSIONS = 2
WRITER_HEAP = 256_000_000
# tantivy's dates are nanoseconds in an int64: it holds no date outside these, and
# refuses a range bound outside them, so such a bound ("--until 9999") is moved to them.
DATE_LIMITS = (datetime(1677, 9, 22, tzinfo=UTC), datetime(2262, 4, 11, tzinfo=UTC))
# Documents between commits. Each commit is a point to resume from, and a segment of
# the index, which tantivy does not merge below 8; every search looks each of its terms
# up in every segment: on the 31k ANT articles, one segment instead of six searches in
# two thirds of the time. A killed load of fewer articles starts again from the start.
COMMIT_EVERY = 50_000


def _exact(field: str) -> str:
    return f"{field}_exact"


def _grams(field: str) -> str:
    return f"{field}_grams"


def _raw(field: str) -> str:
    return f"{field}_{RAW_SUBFIELD}"


# What each searched field holds: `content` is the title and the body, as the
# Elasticsearch mapping's copy_to makes it.
FIELD_SOURCES = {"content": ("title", "body"), "title": ("title",)}


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for field in TEXT_FIELDS:
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="position")
        builder.add_text_field(_exact(field), tokenizer_name="whitespace", index_option="position")
    # Term queries only: frequencies, no positions.
    builder.add_text_field(_grams(GRAMS_FIELD), tokenizer_name="whitespace", index_option="freq")
    for field in KEYWORD_FIELDS:
        builder.add_text_field(field, fast=True, tokenizer_name="raw", index_option="basic")
        # As written, for the facets' labels only (never searched).
        builder.add_text_field(_raw(field), fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_date_field("published_at", indexed=True, fast=True)
    # Stored, not indexed: what a hit shows (small JSON), and the body for highlights
    # (kept apart so that showing a hit does not decode its whole text).
    builder.add_bytes_field("shown", stored=True)
    builder.add_bytes_field("body_text", stored=True)
    return builder.build()


SHOWN_FIELDS = ("id", "title", "published_at", "category", "source", "author", "url")


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
        commit_every: int = COMMIT_EVERY,
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
        self.keep_old_versions = keep_old_versions
        self.commit_every = commit_every
        self.schema = build_schema()
        self._analyzers = analyzers or default_analyzers()
        self._ranking = ranking
        # What is indexed: stemmed, exact, and (ours, not the baselines) trigrams.
        self._has_grams = "grams" in self._analyzers
        self._grams_weight = ranking.grams_weight if self._has_grams else 0.0
        indexed = ("text", "exact", "grams") if self._has_grams else ("text", "exact")
        self._index_terms = IndexTerms(tuple(self._analyzers[name] for name in indexed))
        self._open: dict[str, tantivy.Searcher] = {}
        self._facet_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facets")
        self._alias_seen: dict[str, tuple[tuple[int, int] | None, str | None]] = {}

    # ------------------------------------------------------------------ versions

    def _version_dir(self, version: str) -> Path:
        return self.home / "versions" / version

    def _pointer(self, alias: str) -> Path:
        return self.home / f"{alias}.json"

    def _read_pointer(self, alias: str) -> dict[str, str | None]:
        try:
            pointer = json.loads(self._pointer(alias).read_text(encoding="utf-8"))
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
                holder = handle.read().strip()
                raise BackendError(
                    f"another reindex of {alias!r} is running{f' ({holder})' if holder else ''}: "
                    "wait for it to end; its lock ends with its process, so there is nothing "
                    "to unlock"
                ) from None
            handle.truncate(0)
            since = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(f"since {since}, pid {os.getpid()}")
            handle.flush()
            yield

    def create_version(self, alias: str) -> str:
        # Under the lock no other reindex runs: incomplete versions are left-overs of
        # an interrupted one that is not being resumed, and go.
        for old in self._versions(alias):
            if not self._read_meta(old).get("complete"):
                self.discard(old)
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
        version = f"{alias}-{stamp}"
        path = self._version_dir(version)
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

    def load(
        self, version: str, articles: Iterable[Article], on_durable: OnDurable = nothing_to_do
    ) -> LoadResult:
        index = tantivy.Index(self.schema, path=str(self._version_dir(version)))
        # A resumed load: what was committed after the last checkpoint comes again.
        replacing = index.searcher().num_docs > 0
        writer = index.writer(WRITER_HEAP, 1)
        done = 0
        try:
            for article in articles:
                if replacing:
                    writer.delete_documents_by_term("id", article.id)
                writer.add_document(self.document(article))
                done += 1
                if done % self.commit_every == 0:
                    writer.commit()
                    on_durable(done, 0)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        index.reload()
        documents = index.searcher().num_docs
        meta = self._read_meta(version)
        meta.pop("checkpoint", None)
        meta.update(documents=documents, complete=True)
        self._write_json(self._version_dir(version) / "version.json", meta)
        return LoadResult(documents)

    def save_checkpoint(self, version: str, checkpoint: dict[str, Any]) -> None:
        meta = self._read_meta(version)
        meta.update(checkpoint=checkpoint, documents=checkpoint["indexed"])
        self._write_json(self._version_dir(version) / "version.json", meta)

    def interrupted(self, alias: str) -> tuple[str, dict[str, Any]] | None:
        for version in reversed(self._versions(alias)):
            meta = self._read_meta(version)
            # A load by a program of another mapping version cannot be continued.
            resumable = meta.get("mapping_version") == MAPPING_VERSION
            if resumable and not meta.get("complete") and "checkpoint" in meta:
                return version, meta["checkpoint"]
        return None

    def document(self, article: Article) -> tantivy.Document:
        keyword = self._analyzers["keyword"]
        doc = tantivy.Document()
        doc.add_text("id", article.id)
        # Each source field analyzed once for every indexed field; a searched field
        # gets one value per source, as copy_to gives Elasticsearch.
        terms = {f: self._index_terms(getattr(article, f) or "") for f in ("title", "body")}
        for field in TEXT_FIELDS:
            for source in FIELD_SOURCES[field]:
                doc.add_text(field, terms[source][0])
                doc.add_text(_exact(field), terms[source][1])
        if self._has_grams:
            for source in FIELD_SOURCES[GRAMS_FIELD]:
                doc.add_text(_grams(GRAMS_FIELD), terms[source][2])
        for field in KEYWORD_FIELDS:
            if value := getattr(article, field):
                doc.add_text(field, keyword.terms(value)[0])
                doc.add_text(_raw(field), value)
        if published := parse_published(article.published_at):
            doc.add_date("published_at", published)
        doc.add_bytes("shown", _shown(article))
        doc.add_bytes("body_text", article.body.encode("utf-8"))
        return doc

    def switch(self, alias: str, version: str) -> None:
        meta = self._read_meta(version)
        if not meta.get("complete"):
            raise BackendError(f"version {version} is not complete; not switching to it")
        pointer = self._read_pointer(alias)
        previous = pointer["current"] if pointer["current"] != version else pointer["previous"]
        self._write_json(self._pointer(alias), {"current": version, "previous": previous})
        self._prune(alias, keep={version, previous})

    def _read_meta(self, version: str) -> dict[str, Any]:
        path = self._version_dir(version)
        try:
            return cast(dict[str, Any], json.loads((path / "version.json").read_text("utf-8")))
        except FileNotFoundError:
            if path.is_dir():  # killed right after creating it
                return {"documents": 0, "complete": False, "created_at": ""}
            raise BackendError(f"no index version {version!r} under {self.home}") from None

    def _versions(self, alias: str) -> list[str]:
        root = self.home / "versions"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.name.startswith(f"{alias}-"))

    def _prune(self, alias: str, keep: set[str | None]) -> None:
        """Keep the current and previous versions, the newest older ones, and the newest
        version that holds documents: an empty version switched to (by an older program,
        or by hand) must not take the last data with it."""
        versions = self._versions(alias)
        keep = keep | {self._last_with_documents(versions)}
        complete = [v for v in versions if v not in keep]
        for version in complete[: max(0, len(complete) - (self.keep_old_versions - 1))]:
            self.discard(version)

    def _last_with_documents(self, versions: list[str]) -> str | None:
        for version in reversed(versions):
            meta = self._read_meta(version)
            if meta.get("complete") and meta["documents"]:
                return version
        return None

    def discard(self, version: str) -> None:
        self._open.pop(version, None)
        shutil.rmtree(self._version_dir(version), ignore_errors=True)

    def _older_complete(self, alias: str, than: str | None) -> str | None:
        """The newest complete version older than `than` (any, when None): where a
        rollback goes, as on a cluster."""
        older = [v for v in self._versions(alias) if than is None or v < than]
        return next((v for v in reversed(older) if self._read_meta(v).get("complete")), None)

    def rollback(self, alias: str) -> str:
        """Back to the next older complete version: each rollback goes further back."""
        current = self._read_pointer(alias)["current"]
        target = self._older_complete(alias, current)
        if target is None:
            raise BackendError(no_older_version(alias, current))
        self._write_json(
            self._pointer(alias),
            {"current": target, "previous": self._older_complete(alias, target)},
        )
        return target

    def reindex_from_index(self, alias: str) -> tuple[str, int]:
        raise Unsupported(
            "--from-index re-analyzes the stored documents on the server: Elasticsearch "
            "or OpenSearch only; on the embedded backend, reindex the files"
        )

    def unlock(self, alias: str) -> str | None:
        # The lock is an flock on <alias>.lock: it ends with the process that held it.
        return None

    def status(self, alias: str) -> Status:
        pointer = self._read_pointer(alias)
        versions = []
        for name in self._versions(alias):
            meta = self._read_meta(name)
            versions.append(
                VersionInfo(name, meta["documents"], meta["complete"], meta["created_at"])
            )
        current = next((v for v in versions if v.name == pointer["current"]), None)
        return Status(
            backend=self.name,
            alias=alias,
            current=pointer["current"],
            previous=self._older_complete(alias, pointer["current"]) if current else None,
            documents=current.documents if current else 0,
            mapping_version=MAPPING_VERSION if current else None,
            versions=versions,
            health="green" if current else "no index yet",
        )

    # -------------------------------------------------------------------- search

    def _searcher(self, alias: str) -> tantivy.Searcher:
        """The searcher of the alias's current version. A version never changes once
        switched to, so its searcher is kept; the alias file is re-read when it changes."""
        try:
            stat = self._pointer(alias).stat()
            changed = (stat.st_mtime_ns, stat.st_ino)
        except FileNotFoundError:
            changed = None
        if self._alias_seen.get(alias, (None, None))[0] != changed or changed is None:
            self._alias_seen[alias] = (changed, self._read_pointer(alias)["current"])
        version = self._alias_seen[alias][1]
        if version is None:
            raise BackendError(
                f"no index for alias {alias!r} under {self.home}: run 'arabic-search reindex' first"
            )
        if version not in self._open:
            built_with = self._read_meta(version).get("mapping_version")
            if built_with != MAPPING_VERSION:
                # Another version has other fields (2: content, content_grams).
                raise BackendError(
                    f"the index of {alias!r} was built with mapping version {built_with}, "
                    f"this program searches version {MAPPING_VERSION}: run 'arabic-search "
                    "reindex' first"
                )
            self._open[version] = tantivy.Index.open(str(self._version_dir(version))).searcher()
        return self._open[version]

    def search(self, alias: str, request: SearchRequest) -> SearchResult:
        request.check()
        searcher = self._searcher(alias)
        if request.needs_origin:
            request = request.with_origin(self._newest(searcher))
        plan = plan_query(request.query, self._analyzers)
        query = self.build_query(plan, request)
        if query is None:
            return SearchResult(0, [], dropped=plan.dropped, nothing_searchable=True)
        offset = (
            _cursor_offset(request.cursor) if request.cursor else (request.page - 1) * request.size
        )
        # tantivy lets go of the GIL: the facets are counted on another core meanwhile.
        facets = (
            self._facet_thread.submit(self._facets, searcher, query) if request.facets else None
        )
        ranked: Sequence[tuple[float | None, tantivy.DocAddress]]  # no score by date
        if request.sort == "date":
            found = searcher.search(
                query, request.size, True, "published_at", offset, tantivy.Order.Desc
            )
            ranked = [(None, address) for _, address in found.hits]
        elif request.recency is not None and request.recency.origin is not None:
            end = offset + request.size
            found, rescored = self._by_recency(searcher, query, request.recency, end)
            ranked = rescored[offset:end]
        elif plan.groups:
            found, ranked = self._by_relevance(searcher, query, offset + request.size)
            ranked = ranked[offset:]
        else:  # every hit scores alike (match all, or exclusions only): tantivy's order
            found = searcher.search(query, request.size, True, None, offset)
            ranked = found.hits
        terms = Terms(frozenset(plan.stems), frozenset(plan.exact))
        hits = [self._hit(searcher, score, address, terms, request) for score, address in ranked]
        total = found.count or 0  # type: ignore[attr-defined]  # count: in tantivy, not its stub
        next_offset = offset + len(hits)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets.result() if facets else {},
            next_cursor=f"offset:{next_offset}" if next_offset < total else None,
            dropped=plan.dropped,
        )

    def _newest(self, searcher: tantivy.Searcher) -> datetime | None:
        """The newest published_at of the version, where recency decays from: the first
        article by date, as written (the cluster's max aggregation reads the same)."""
        everything = tantivy.Query.all_query()
        found = searcher.search(everything, 1, False, "published_at", 0, tantivy.Order.Desc)
        if not found.hits:
            return None
        [(_, address)] = found.hits
        return self._published(searcher, address)

    def _by_relevance(
        self, searcher: tantivy.Searcher, query: tantivy.Query, end: int
    ) -> tuple[tantivy.SearchResult, list[Scored]]:
        """The search, and its first `end` hits by score, equal scores in id order as
        the cluster sorts them (_score, then id): on short texts many hits tie, and
        tantivy's order among them is not the engine's. Hits tied with the last place
        may lie past it, so the window grows until the first hit after it scores less
        (up to TIE_WINDOW past the end: a tie wider than that keeps tantivy's order,
        which is the same on every page)."""
        window = end + 1
        while True:
            found = searcher.search(query, window, True)
            hits = found.hits
            settled = len(hits) <= end or hits[-1][0] < hits[end - 1][0]
            whole = settled or len(hits) >= found.count  # type: ignore[attr-defined]  # count: as above
            if whole or window > end + TIE_WINDOW:
                return found, self._ties_by_id(searcher, hits, last_whole=whole)[:end]
            window = min(window * 2, end + TIE_WINDOW + 1)

    def _ties_by_id(
        self, searcher: tantivy.Searcher, ranked: list[Scored], last_whole: bool = True
    ) -> list[Scored]:
        """(score, address) pairs by score, equal scores by id (read only for those).
        A tie of more than TIE_WINDOW hits, and the last score's hits unless all of
        them are there, keep tantivy's order: every page must order a tie the same
        way, and only a tie seen whole can be put in id order."""
        times = Counter(score for score, _ in ranked)
        open_score = None if last_whole or not ranked else ranked[-1][0]

        def key(pair: Scored) -> tuple[float, str]:
            score, address = pair
            if not 1 < times[score] <= TIE_WINDOW or score == open_score:
                return -score, ""
            shown = orjson.loads(cast(bytes, searcher.doc(address).get_first("shown")))
            return -score, str(shown["id"])

        return sorted(ranked, key=key)

    def _by_recency(
        self, searcher: tantivy.Searcher, query: tantivy.Query, recency: Recency, end: int
    ) -> tuple[tantivy.SearchResult, list[Scored]]:
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
            rescored = self._ties_by_id(
                searcher,
                [
                    (score * recency.factor(self._published(searcher, address)), address)
                    for score, address in found.hits
                ],
            )
            settled = len(rescored) >= end and rescored[end - 1][0] >= found.hits[-1][0]
            if len(found.hits) >= found.count or settled:  # type: ignore[attr-defined]  # count: as above
                return found, rescored
            window *= 4

    def _published(
        self, searcher: tantivy.Searcher, address: tantivy.DocAddress
    ) -> datetime | None:
        shown = orjson.loads(cast(bytes, searcher.doc(address).get_first("shown")))
        return parse_published(shown["published_at"])

    def _hit(
        self,
        searcher: tantivy.Searcher,
        score: float | None,
        address: tantivy.DocAddress,
        terms: Terms,
        request: SearchRequest,
    ) -> Hit:
        stored = searcher.doc(address)
        # Every document stores both bytes fields (see load); tantivy types them Any | None.
        shown = orjson.loads(cast(bytes, stored.get_first("shown")))
        if request.highlight:
            body = cast(bytes, stored.get_first("body_text")).decode("utf-8")
            highlights = highlight(shown["title"], body, terms)
        else:
            highlights = {}
        return Hit(
            id=shown["id"],
            score=score,
            title=shown["title"],
            published_at=shown["published_at"],
            category=shown["category"],
            source=shown["source"],
            author=shown["author"],
            url=shown["url"],
            highlight=highlights,
        )

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> dict[str, dict[str, int]]:
        return read_facets(searcher.aggregate(query, facet_aggregations(_raw)))

    # ------------------------------------------------------------- query building

    def _terms_query(self, field: str, terms: Iterable[str], boost: float) -> list[tantivy.Query]:
        """One term query per distinct term: a term asked n times is asked once with n
        times the boost, the same score for fewer posting lists read."""
        return [
            tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, field, t), boost * n)
            for t, n in Counter(terms).items()
        ]

    def _phrase_query(
        self, field: str, terms: tuple[str, ...], slop: int, boost: float
    ) -> tantivy.Query:
        query = tantivy.Query.phrase_query(self.schema, field, list(terms), slop)
        return tantivy.Query.boost_query(query, boost)

    def _field_query(self, part: FieldQuery) -> list[tantivy.Query]:
        field = _exact(part.field) if part.exact else part.field
        if part.phrase:
            return [self._phrase_query(field, part.terms, 0, part.boost)]
        return self._terms_query(field, part.terms, part.boost)

    def _any(self, parts: Word) -> tantivy.Query:
        return _should([q for part in parts for q in self._field_query(part)])

    def _requirement(self, requirement: Requirement) -> tantivy.Query:
        """Any one alternative, each with every one of its words."""
        return _should([_must([self._any(word) for word in words]) for words in requirement])

    def build_query(self, plan: QueryPlan, request: SearchRequest) -> tantivy.Query | None:
        """The tantivy query of a plan and the request's filters (None: matches
        nothing), rendered from the same MatchPlan as the cluster's bool query."""
        occur = tantivy.Occur
        match = match_plan(plan, request.operator, self._ranking, request.expansion)
        if match.nothing:
            return None
        if match.everything:
            text_query = tantivy.Query.all_query()
        else:
            text_parts = [(occur.Must, self._requirement(r)) for r in match.required]
            text_parts += [(occur.Should, q) for p in match.optional for q in self._field_query(p)]
            text_query = tantivy.Query.boolean_query(text_parts)
        clauses = [(occur.Must, text_query)]
        if self._grams_weight and match.grams:
            # Ranks what the text query matched; matches nothing by itself.
            field = _grams(GRAMS_FIELD)
            grams = self._terms_query(field, match.grams, self._grams_weight)
            clauses.append((occur.Should, _should(grams)))
        clauses += [(occur.MustNot, self._any(group)) for group in match.excluded]
        clauses += [(occur.Must, f) for f in self._filters(request)]
        return tantivy.Query.boolean_query(clauses)

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        keyword = self._analyzers["keyword"]
        filters = []
        for field, value in request.filters.items():
            [term] = keyword.terms(value) or [""]
            filters.append(tantivy.Query.term_query(self.schema, field, term))
        first, last = DATE_LIMITS
        since, until = (b and min(max(b, first), last) for b in date_bounds(request))
        if since or until:
            filters.append(
                tantivy.Query.range_query(
                    self.schema, "published_at", tantivy.FieldType.Date, since, until
                )
            )
        # Filters decide what matches; they add nothing to the score.
        return [tantivy.Query.const_score_query(f, 0.0) for f in filters]


def _should(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _must(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _cursor_offset(cursor: str) -> int:
    kind, _, value = cursor.partition(":")
    if kind != "offset" or not value.isdigit():
        raise QueryError(f"not a cursor from this backend: {cursor!r}")
    return int(value)
