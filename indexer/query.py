"""The query module: what a search asks (SearchRequest), what it gets (SearchResult),
and the user's query text read into a backend-neutral plan (QueryPlan).

User syntax, deliberately small: "quoted phrases" must match as written, -word and
-"phrase" exclude, OR between two parts makes either one enough. Everything else is
literal text: brackets, stars, colons and the like are just characters, and the
analyzers drop what is not a word. No input can make a query that fails to parse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

from indexer.analysis.analyzers import Analyzer, default_analyzers
from indexer.dates import FILTER_EXAMPLES, date_range

MAX_WINDOW = 10_000  # page * size beyond this needs a cursor, as in Elasticsearch
MAX_SIZE = 100
FACET_FIELDS = ("category", "source", "author")
FACET_SIZE = 10
FILTER_FIELDS = ("category", "source", "author")
MAX_QUERY_CHARS = 10_000

# Ranking, the same on both backends. `content` is the title and the body as one text
# (Elasticsearch fills it by copy_to), scored as one field like the reference figures
# of ../shared/README.md; a word in the title counts half as much again. The
# unstemmed (exact) subfields add half as much for words written exactly as asked.
# Summing separate title, lead and body scores counted the first paragraph twice
# (lead = body for one-paragraph texts) and ranked worst with many documents.
# The character trigrams of the query's words (content.grams, stopwords out) add a
# partial match, as should-clauses that rank but do not decide what matches.
TEXT_FIELDS = ("content", "title")
FIELD_BOOSTS = {"content": 1.0, "title": 0.5}
EXACT_WEIGHT = 0.5
GRAMS_FIELD = "content"
GRAMS_WEIGHT = 1.2
MAX_QUERY_GRAMS = 256  # trigram clauses at most (a bool query has a clause limit)
# Words at most: each is a clause on four fields (content, title, stemmed and exact);
# with the trigrams, a query stays under the engines' 1,024 clauses (OpenSearch's
# indices.query.bool.max_clause_count, Elasticsearch's smallest). Later words are
# left out, on both backends alike.
MAX_QUERY_WORDS = 150

# A date filter: a date (the whole day), a datetime (that instant), or a string that
# indexer.dates.date_range reads ("2018", "2018-06", "٢٠١٨-٠٦-٠١", "2018-06-01T09:30Z").
DateFilter = date | datetime | str
Sort = Literal["relevance", "date"]
Operator = Literal["and", "or"]


class QueryError(ValueError):
    """A request that cannot be run as given (the message says why)."""


@dataclass(frozen=True)
class Recency:
    """Gauss decay on published_at: full score within `offset_days` of now, half at
    `offset_days + scale_days`."""

    scale_days: float = 30.0
    offset_days: float = 1.0
    decay: float = 0.5
    now: datetime | None = None  # fixed for tests; None: the time of the search

    def factor(self, published_at: datetime | None, now: datetime) -> float:
        if published_at is None:
            return 1.0  # as Elasticsearch's decay functions do for a missing date
        age = abs((now - published_at).total_seconds()) / 86_400
        distance = max(0.0, age - self.offset_days)
        sigma_squared = -(self.scale_days**2) / (2 * math.log(self.decay))
        return math.exp(-(distance**2) / (2 * sigma_squared))


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    category: str | None = None
    source: str | None = None
    author: str | None = None
    since: DateFilter | None = None  # from the first instant of what it names
    until: DateFilter | None = None  # through the last: "2018" is through 2018-12-31
    sort: Sort = "relevance"
    operator: Operator = "or"
    page: int = 1
    size: int = 10
    cursor: str | None = None  # from SearchResult.next_cursor, for paging past 10,000
    facets: bool = True
    highlight: bool = True
    recency: Recency | None = None

    def check(self) -> None:
        if not 1 <= self.size <= MAX_SIZE:
            raise QueryError(f"size must be between 1 and {MAX_SIZE}")
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if self.cursor is None and self.page * self.size > MAX_WINDOW:
            raise QueryError(
                f"page * size may not pass {MAX_WINDOW:,}: page on with the cursor of the "
                "previous result (next_cursor) instead"
            )
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"query longer than {MAX_QUERY_CHARS:,} characters")
        since, until = date_bounds(self)
        if since and until and since > until:
            raise QueryError(
                f"since {self.since} is after until {self.until}, so nothing can match; swap them"
            )

    @property
    def filters(self) -> dict[str, str]:
        return {f: v for f in FILTER_FIELDS if (v := getattr(self, f))}


@dataclass(frozen=True)
class Hit:
    id: str
    score: float | None  # None when sorted by date
    title: str
    published_at: str | None
    category: str | None
    source: str | None
    author: str | None = None
    url: str | None = None
    highlight: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "score": None if self.score is None else round(self.score, 4),
            "title": self.title,
            "published_at": self.published_at,
            "category": self.category,
            "source": self.source,
            "author": self.author,
            "url": self.url,
            "highlight": self.highlight,
        }


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    next_cursor: str | None = None

    def to_json(self) -> dict:
        body = {
            "total": self.total,
            "hits": [h.to_json() for h in self.hits],
            "facets": self.facets,
        }
        if self.next_cursor:
            body["next_cursor"] = self.next_cursor
        return body


# ---------------------------------------------------------------- the user's syntax


@dataclass(frozen=True)
class Clause:
    """One part of the query: words, or a quoted phrase; maybe excluded."""

    text: str
    phrase: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class AnalyzedClause:
    clause: Clause
    stems: tuple[str, ...]  # `text` analyzer terms (stemmed, stopwords out)
    exact: tuple[str, ...]  # `exact` terms (normalized words; stopwords out unless a phrase)
    grams: tuple[str, ...] = ()  # `grams` analyzer terms (trigrams of the words)


@dataclass(frozen=True)
class QueryPlan:
    """Groups of alternatives: every group is one clause, or several joined by OR."""

    groups: tuple[tuple[AnalyzedClause, ...], ...]
    excluded: tuple[AnalyzedClause, ...]
    empty_query: bool  # nothing typed: match everything (filters and facets still apply)

    @property
    def included(self) -> list[AnalyzedClause]:
        return [c for group in self.groups for c in group]

    @property
    def stems(self) -> list[str]:
        return [t for c in self.included for t in c.stems]

    @property
    def exact(self) -> list[str]:
        return [t for c in self.included for t in c.exact]

    @property
    def grams(self) -> list[str]:
        """The trigrams of the included clauses, in order, the first MAX_QUERY_GRAMS."""
        return [t for c in self.included for t in c.grams][:MAX_QUERY_GRAMS]


# A quoted phrase (an unclosed quote runs to the end), or a run of non-space text.
_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def read_clauses(query: str) -> list[Clause | Literal["OR"]]:
    parts: list[Clause | Literal["OR"]] = []
    for minus, quoted, word in _PART.findall(query):
        if word == "OR":
            parts.append("OR")
        elif word:
            excluded = word.startswith("-") and len(word) > 1
            parts.append(Clause(word[1:] if excluded else word, excluded=excluded))
        else:
            parts.append(Clause(quoted, phrase=True, excluded=bool(minus)))
    return parts


def plan_query(query: str, analyzers: dict[str, Analyzer] | None = None) -> QueryPlan:
    """The query text as groups of analyzed clauses. Never raises on any string."""
    analyzers = analyzers or default_analyzers()
    text, exact, exact_search = analyzers["text"], analyzers["exact"], analyzers["exact_search"]
    grams = analyzers.get("grams")  # the baselines have no trigrams
    groups: list[list[AnalyzedClause]] = []
    excluded: list[AnalyzedClause] = []
    join_next = False
    words_left = MAX_QUERY_WORDS
    for part in read_clauses(query):
        if part == "OR":
            join_next = bool(groups)
            continue
        # One tokenization for both analyzers: they share the char filter.
        words = text.words(part.text)
        # A phrase keeps its stopwords: they are in the indexed exact text, in order.
        exact_words = (exact if part.phrase else exact_search).filter_words(words)
        analyzed = AnalyzedClause(
            part,
            tuple(text.filter_words(words)),
            tuple(exact_words),
            tuple(grams.filter_words(words)) if grams else (),
        )
        if not analyzed.exact:
            continue  # punctuation or stopwords only: nothing to match
        words_left -= len(analyzed.exact)
        if words_left < 0:
            break
        if part.excluded:
            excluded.append(analyzed)
        elif join_next:
            groups[-1].append(analyzed)
        else:
            groups.append([analyzed])
        join_next = False
    return QueryPlan(
        tuple(tuple(g) for g in groups), tuple(excluded), empty_query=not query.strip()
    )


# ------------------------------------------------------- the plan as a bool query


@dataclass(frozen=True)
class FieldQuery:
    """Analyzed terms on one searched field: any of them (each term once, its boost
    times its count), or all of them in order (a phrase)."""

    field: str  # a searched field, "content" or "title"
    exact: bool  # its unstemmed subfield
    terms: tuple[str, ...]
    boost: float
    phrase: bool = False


@dataclass(frozen=True)
class MatchPlan:
    """What a search matches and how it scores, for every backend to render the same
    way, as an Elasticsearch bool query reads: every `required` group must match (any
    one of its parts), `optional` parts add to the score (and decide the match when
    nothing is required), no `excluded` group may match, `grams` only rank."""

    required: tuple[tuple[FieldQuery, ...], ...]
    optional: tuple[FieldQuery, ...]
    excluded: tuple[tuple[FieldQuery, ...], ...]
    grams: tuple[str, ...]
    everything: bool  # no words to match: all documents (filters still apply)

    @property
    def nothing(self) -> bool:
        """Nothing searchable was left (punctuation or stopwords only)."""
        return not (self.required or self.optional or self.everything)


def field_queries(
    clauses: Iterable[AnalyzedClause],
    field_boosts: dict[str, float] = FIELD_BOOSTS,
    exact_weight: float = EXACT_WEIGHT,
) -> tuple[FieldQuery, ...]:
    """The parts matching any of `clauses` on every searched field, stemmed and exact,
    weighted by field: one flat list (a bool query scores the sum of its clauses,
    nested or not), the words of all clauses together on each field. A quoted phrase
    of two words or more is a phrase on both subfields."""
    parts: list[FieldQuery] = []
    words: dict[tuple[str, bool, float], list[str]] = {}
    for clause in clauses:
        for name, boost in field_boosts.items():
            exact_boost = boost * exact_weight
            if clause.clause.phrase and len(clause.exact) > 1:
                if len(clause.stems) > 1:
                    parts.append(FieldQuery(name, False, clause.stems, boost, phrase=True))
                if exact_boost:
                    parts.append(FieldQuery(name, True, clause.exact, exact_boost, phrase=True))
            else:
                words.setdefault((name, False, boost), []).extend(clause.stems)
                if exact_boost:
                    words.setdefault((name, True, exact_boost), []).extend(clause.exact)
    parts += [FieldQuery(f, e, tuple(t), b) for (f, e, b), t in words.items() if t]
    return tuple(parts)


def match_plan(
    plan: QueryPlan,
    operator: Operator,
    field_boosts: dict[str, float] = FIELD_BOOSTS,
    exact_weight: float = EXACT_WEIGHT,
) -> MatchPlan:
    """The query plan as a bool query: with operator "and" every group is required,
    with "or" any one is enough; a quoted phrase standing alone is always required."""
    required, optional = [], []
    for group in plan.groups:
        if operator == "and" or (len(group) == 1 and group[0].clause.phrase):
            required.append(field_queries(group, field_boosts, exact_weight))
        else:
            optional += group  # any one is enough: one flat union of them all
    return MatchPlan(
        required=tuple(required),
        optional=field_queries(optional, field_boosts, exact_weight),
        excluded=tuple(field_queries([c], field_boosts, exact_weight) for c in plan.excluded),
        grams=tuple(plan.grams),
        everything=not plan.groups and (plan.empty_query or bool(plan.excluded)),
    )


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def parse_published(value: str | None) -> datetime | None:
    """An article's published_at (ISO date or date-time) as an aware datetime."""
    if not value:
        return None
    try:
        return _as_datetime(datetime.fromisoformat(value))
    except ValueError:
        return None


def date_bounds(request: SearchRequest) -> tuple[datetime | None, datetime | None]:
    """The request's since/until as an inclusive range of instants: since from the
    first instant of what it names, until through the last. Every backend filters on
    these, so "2018" means the same everywhere. QueryError for a value that is no date."""
    since = None if request.since is None else _date_range("since", request.since)[0]
    until = None if request.until is None else _date_range("until", request.until)[1]
    return since, until


def _date_range(name: str, value: DateFilter) -> tuple[datetime, datetime]:
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return _as_datetime(value), _as_datetime(value)
    try:
        return date_range(value if isinstance(value, str) else value.isoformat())
    except ValueError as err:
        raise QueryError(f"{name} {value!r}: {err}; write it as {FILTER_EXAMPLES}") from None
