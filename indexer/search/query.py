"""The query module: what a search asks (SearchRequest), what it gets (SearchResult),
and the user's query text read into a backend-neutral plan (QueryPlan).

User syntax, deliberately small: a "quoted phrase" matches its words in order, next to
each other, in any inflection (the exact form ranks higher); -word, -"phrase" and NOT
exclude; OR between two parts makes either one enough, AND makes both required.
Everything else is literal text: brackets, stars, colons and the like are just
characters, and the analyzers drop what is not a word. No input can make a query that
fails to parse.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from typing import Any, Literal, NamedTuple

from indexer.analysis.analyzers import Analyzer, default_analyzers
from indexer.errors import ArabicSearchError
from indexer.index.fields import FACET_FIELDS, FIELD_BOOSTS, SHOWN_FIELDS
from indexer.ingest.dates import FILTER_EXAMPLES, date_range

MAX_WINDOW = 10_000  # page * size beyond this needs a cursor, as in Elasticsearch
MAX_SIZE = 100
FACET_SIZE = 10
MAX_QUERY_CHARS = 10_000

# Ranking, the same on both backends. The searched fields and their boosts are columns
# of the field table (FIELD_BOOSTS, indexer/index/fields.py). `content` is the title and
# the body as one text (Elasticsearch fills it by copy_to), scored as one field; a word
# in the title counts 1.5 times again. The unstemmed (exact) subfields add a quarter as
# much for words written exactly as asked. The character trigrams of the query's words
# (content.grams, stopwords out) add a partial match, as should-clauses that rank but do
# not decide what matches. What was measured for each: docs/relevance.md.
EXACT_WEIGHT = 0.25
GRAMS_WEIGHT = 1.2
# Rarity-weighted coordination: each word of the query a document holds adds this
# times the word's idf in the index, whatever its frequency or the text's length
# (content.words on a cluster, BM25 with k1 = 0; the same from the embedded index's
# counts). It lifts the short passage that holds a question's rare words.
COORDINATION = 1.0
MAX_QUERY_GRAMS = 256  # trigram clauses at most (a bool query has a clause limit)


@dataclass(frozen=True)
class Ranking:
    """How a MatchPlan's parts are weighted: the searched fields with their boosts, the
    share of the exact subfields, the weight of each trigram, and the coordination
    weight. Both backends take one; RANKING is the product's, others are for
    comparisons (eval's baselines, bench/devsets.py's variants)."""

    field_boosts: Mapping[str, float] = field(default_factory=lambda: dict(FIELD_BOOSTS))
    exact_weight: float = EXACT_WEIGHT
    grams_weight: float = GRAMS_WEIGHT
    coordination: float = COORDINATION


RANKING = Ranking()
# Words at most: each is a clause on four fields (content, title, stemmed and exact);
# with the trigrams, a query stays under the engines' 1,024 clauses (OpenSearch's
# indices.query.bool.max_clause_count, Elasticsearch's smallest). Later words are
# left out, on both backends alike.
MAX_QUERY_WORDS = 150
# Recency blends with relevance: score x (FLOOR + (1 - FLOOR) x decay). An old article
# keeps half its score, so relevance still ranks among old ones (a bare decay gave
# every hit of a years-old corpus 0), and the newest can pass one up to twice its
# relevance. The floor also bounds the embedded backend's re-ranking (_by_recency).
RECENCY_FLOOR = 0.5
MAX_RECENCY_DAYS = 36_500

# A date filter: a date (the whole day), a datetime (that instant), or a string that
# indexer.ingest.dates.date_range reads ("2018", "2018-06", "٢٠١٨-٠٦-٠١", "2018-06-01T09:30Z").
DateFilter = date | datetime | str
Sort = Literal["relevance", "date"]
# A keyword filter: one value, or several of which any one is enough (--category a
# --category b). Empty values are no filter.
FilterValues = str | tuple[str, ...]
Operator = Literal["and", "or"]


class QueryError(ArabicSearchError, ValueError):
    """A request that cannot be run as given (the message says why)."""


@dataclass(frozen=True)
class Recency:
    """A gauss decay on published_at from `origin`, blended with relevance: full score
    within `offset_days` of it, the decay half-way `scale_days` later, and never under
    RECENCY_FLOOR of the score.

    The origin is the newest published_at in the index, not now: a corpus that stopped
    years ago would decay to nothing. Each backend looks it up (with_origin) unless
    it is given."""

    scale_days: float = 30.0
    offset_days: float = 1.0
    decay: float = 0.5
    origin: datetime | None = None  # None: not known (yet), or no dated article

    # Whole minutes, as the engines take them (date decay accepts no fractions):
    # both backends decay by the same numbers.
    @property
    def scale_minutes(self) -> int:
        return max(1, round(self.scale_days * 1440))

    @property
    def offset_minutes(self) -> int:
        return round(self.offset_days * 1440)

    def factor(self, published_at: datetime | None) -> float:
        if published_at is None or self.origin is None:
            return 1.0  # as Elasticsearch's decay functions do for a missing date
        age = abs((self.origin - published_at).total_seconds()) / 60
        distance = max(0.0, age - self.offset_minutes)
        decay = math.exp(math.log(self.decay) * (distance / self.scale_minutes) ** 2)
        return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * decay


class WeightedTerm(NamedTuple):
    """A stemmed term of `content` added to a query with its own weight."""

    term: str
    weight: float


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    category: FilterValues | None = None
    source: FilterValues | None = None
    author: FilterValues | None = None
    since: DateFilter | None = None  # from the first instant of what it names
    until: DateFilter | None = None  # through the last: "2018" is through 2018-12-31
    sort: Sort = "relevance"
    operator: Operator = "or"
    page: int = 1
    size: int = 10  # 0: no hits, the total and facets only
    cursor: str | None = None  # from SearchResult.next_cursor, for paging past 10,000
    facets: bool = True
    highlight: bool = True
    recency: Recency | None = None
    # Terms added as optional clauses, each with its weight: pseudo-relevance feedback
    # (indexer.search.feedback, eval --feedback), not typed by a user.
    expansion: tuple[WeightedTerm, ...] = ()

    def check(self) -> None:
        if not 0 <= self.size <= MAX_SIZE:
            raise QueryError(f"size must be between 0 (facets and total only) and {MAX_SIZE}")
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if self.cursor is not None and self.page != 1:
            raise QueryError(
                "a cursor pages on from where its search stopped: give --cursor or --page, not both"
            )
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
        if self.recency and not 0 < self.recency.scale_days <= MAX_RECENCY_DAYS:
            raise QueryError(
                f"--recency must be a number of days over 0 and at most {MAX_RECENCY_DAYS:,}, "
                f"not {self.recency.scale_days:g}: how long after the newest article the "
                "recency weight halves"
            )

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        """The keyword filters, each field's values (any one of them is enough)."""
        return {f: v for f in FACET_FIELDS if (v := filter_values(getattr(self, f)))}

    def sorted_for(self, plan: QueryPlan) -> SearchRequest:
        """The request as its hits are ordered, on every backend. With no word that
        scores (plan.everything: nothing typed, or exclusions only) every hit scores
        alike, so they are sorted as --sort date sorts: newest first, undated last, then
        by id, with no score (and no recency, which only weighs scores)."""
        return replace(self, sort="date") if plan.everything else self

    @property
    def fingerprint(self) -> str:
        """A short mark of what decides the matches and their order: the query text,
        operator, filters, dates, sort, recency and expansion (not the page, size,
        facets or highlights). Each backend writes it into its cursors and refuses a
        cursor with another (check_cursor)."""
        since, until = date_bounds(self)
        recency = self.recency
        decided = [
            self.query,
            self.operator,
            sorted(self.filters.items()),
            [None if d is None else d.isoformat() for d in (since, until)],
            self.sort,
            recency and [recency.scale_minutes, recency.offset_minutes, recency.decay],
            [list(term) for term in self.expansion],
        ]
        raw = json.dumps(decided, ensure_ascii=False).encode("utf-8")
        return hashlib.blake2b(raw, digest_size=6).hexdigest()

    def check_cursor(self, fingerprint: str) -> None:
        """QueryError unless `fingerprint`, read from this request's cursor, is its own."""
        if fingerprint != self.fingerprint:
            raise QueryError(
                "this cursor belongs to another search: give it with the query, filters, "
                "dates, sort and recency of the search that returned it, or leave --cursor out"
            )

    @property
    def needs_origin(self) -> bool:
        """Is there a recency decay whose origin the backend must look up?"""
        recency = self.recency
        return self.sort == "relevance" and recency is not None and recency.origin is None

    def with_origin(self, newest: datetime | None) -> SearchRequest:
        """The request decaying from `newest` (None: no dated article, no decay)."""
        assert self.recency is not None
        return replace(self, recency=replace(self.recency, origin=newest))


def filter_values(value: FilterValues | None) -> tuple[str, ...]:
    """A filter's values, distinct, in the order given, empty ones left out."""
    values = (value,) if isinstance(value, str) else value or ()
    return tuple(dict.fromkeys(v for v in values if v))


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

    @classmethod
    def from_shown(
        cls, stored: dict[str, Any], score: float | None, highlight: dict[str, list[str]]
    ) -> Hit:
        """A hit from its stored shown fields (SHOWN_FIELDS)."""
        shown: dict[str, Any] = {f: stored.get(f) for f in SHOWN_FIELDS}
        return cls(score=score, highlight=highlight, **shown)

    def to_json(self) -> dict[str, Any]:
        # In the order of the attributes: the shown fields, the score after the id.
        body = {name: getattr(self, name) for name in HIT_JSON}
        body["score"] = None if self.score is None else round(self.score, 4)
        return body


HIT_JSON = tuple(f.name for f in fields(Hit))


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    next_cursor: str | None = None
    # The parts of the query left out, as typed: stopwords or punctuation only.
    dropped: tuple[str, ...] = ()
    nothing_searchable: bool = False  # every part was left out: no search was made
    # The parts after the first MAX_QUERY_WORDS words, as typed: not searched.
    over_limit: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body = {
            "total": self.total,
            "hits": [h.to_json() for h in self.hits],
            "facets": self.facets,
            "dropped": [*self.dropped, *self.over_limit],
            "over_limit": list(self.over_limit),
            "nothing_searchable": self.nothing_searchable,
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

    @property
    def as_typed(self) -> str:
        text = f'"{self.text}"' if self.phrase else self.text
        return f"-{text}" if self.excluded else text


@dataclass(frozen=True)
class AnalyzedClause:
    clause: Clause
    stems: tuple[str, ...]  # `text` analyzer terms (stemmed, stopwords out)
    exact: tuple[str, ...]  # `exact` terms (normalized words; stopwords out unless a phrase)
    grams: tuple[str, ...] = ()  # `grams` analyzer terms (trigrams of the words)
    # Words run together (كوفيد-19) in a part that is not a phrase: each on its own,
    # for an AND to require every one of them. Empty: the clause is one word or phrase.
    words: tuple[AnalyzedClause, ...] = ()

    @property
    def each_word(self) -> tuple[AnalyzedClause, ...]:
        """What must all match for the clause to be required: each of its words."""
        return self.words or (self,)


@dataclass(frozen=True)
class Group:
    """One clause, or several joined by OR: any one of them is enough."""

    clauses: tuple[AnalyzedClause, ...]
    anded: bool = False  # joined to a neighbour by AND: required, whatever the operator

    @property
    def required(self) -> bool:
        """Required with either operator: joined by AND, or a quoted phrase alone."""
        return self.anded or (len(self.clauses) == 1 and self.clauses[0].clause.phrase)


@dataclass(frozen=True)
class QueryPlan:
    """Groups of alternatives, exclusions, and what was left out."""

    groups: tuple[Group, ...]
    excluded: tuple[AnalyzedClause, ...]
    empty_query: bool  # nothing typed: match everything (filters and facets still apply)
    dropped: tuple[str, ...] = ()  # parts with no word to match, as typed
    over_limit: tuple[str, ...] = ()  # parts after MAX_QUERY_WORDS words, as typed

    @property
    def included(self) -> list[AnalyzedClause]:
        return [c for group in self.groups for c in group.clauses]

    @property
    def everything(self) -> bool:
        """No word that scores: nothing typed, or exclusions only. Every document
        matches (filters still apply), each with the same score."""
        return not self.groups and (self.empty_query or bool(self.excluded))

    @property
    def nothing_searchable(self) -> bool:
        """Text was typed, but every part of it was left out (MatchPlan.nothing)."""
        return not (self.groups or self.excluded or self.empty_query)

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
Joiner = Literal["OR", "AND"]
JOINERS = ("OR", "AND")  # in capitals, between two parts; NOT before one excludes it


def read_clauses(query: str) -> list[Clause | Joiner]:
    parts: list[Clause | Joiner] = []
    negate = False  # after NOT
    for minus, quoted, word in _PART.findall(query):
        if word in JOINERS:
            parts.append(word)
            continue
        if word == "NOT":
            negate = True
            continue
        if word:
            excluded = word.startswith("-") and len(word) > 1
            clause = Clause(word[1:] if excluded else word, excluded=excluded)
        else:
            clause = Clause(quoted, phrase=True, excluded=bool(minus))
        parts.append(replace(clause, excluded=True) if negate else clause)
        negate = False
    return parts  # a NOT with nothing after it excludes nothing


def _analyze(clause: Clause, words: list[str], analyzers: dict[str, Analyzer]) -> AnalyzedClause:
    """A clause's terms for every searched field, from its words (after the char filter)."""
    # A phrase keeps its stopwords: they are in the indexed exact text, in order.
    exact = analyzers["exact" if clause.phrase else "exact_search"]
    grams = analyzers.get("grams")  # the baselines have no trigrams
    return AnalyzedClause(
        clause,
        tuple(analyzers["text"].filter_words(words)),
        tuple(exact.filter_words(words)),
        tuple(grams.filter_words(words)) if grams else (),
    )


def plan_query(query: str, analyzers: dict[str, Analyzer] | None = None) -> QueryPlan:
    """The query text as groups of analyzed clauses. Never raises on any string.

    OR binds closer than AND: `a OR b AND c` is (a OR b) AND c."""
    analyzers = analyzers or default_analyzers()
    groups: list[Group] = []
    excluded: list[AnalyzedClause] = []
    dropped: list[str] = []
    join_next = and_next = False
    words_left = MAX_QUERY_WORDS
    over_limit: list[str] = []
    parts = read_clauses(query)
    for at, part in enumerate(parts):
        if part == "OR":
            join_next = bool(groups)
            continue
        if part == "AND":
            if groups:
                groups[-1] = replace(groups[-1], anded=True)
            and_next = True
            continue
        # One tokenization for all the analyzers: they share the char filter.
        words = analyzers["text"].words(part.text)
        analyzed = _analyze(part, words, analyzers)
        if not analyzed.exact:
            dropped.append(part.as_typed)  # punctuation or stopwords only: nothing to match
            continue
        words_left -= len(analyzed.exact)
        if words_left < 0:  # this part and every one after it
            over_limit = [p.as_typed for p in parts[at:] if isinstance(p, Clause)]
            break
        if not part.phrase and len(analyzed.exact) > 1:
            each = (_analyze(Clause(word), [word], analyzers) for word in words)
            analyzed = replace(analyzed, words=tuple(w for w in each if w.exact))
        if part.excluded:
            excluded.append(analyzed)
        elif join_next:
            groups[-1] = replace(groups[-1], clauses=(*groups[-1].clauses, analyzed))
        else:
            groups.append(Group((analyzed,), anded=and_next))
        join_next = and_next = False
    return QueryPlan(
        tuple(groups), tuple(excluded), not query.strip(), tuple(dropped), tuple(over_limit)
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


# A word (or a phrase) on every searched field: it matches through any one of them.
Word = tuple[FieldQuery, ...]
# A required group: it matches through any one alternative (the clauses joined by OR),
# and an alternative matches when every one of its words does.
Requirement = tuple[tuple[Word, ...], ...]


@dataclass(frozen=True)
class MatchPlan:
    """What a search matches and how it scores, for every backend to render the same
    way, as an Elasticsearch bool query reads: every `required` group must match (any
    one alternative, with all its words), `optional` parts add to the score (and
    decide the match when nothing is required), no `excluded` group may match, `grams`
    only rank."""

    required: tuple[Requirement, ...]
    optional: tuple[FieldQuery, ...]
    excluded: tuple[tuple[FieldQuery, ...], ...]
    grams: tuple[str, ...]
    everything: bool  # no words to match: all documents (filters still apply)
    # The stems of the query's words, required or not (not the excluded ones), one per
    # word and stem, repeats kept: each adds Ranking.coordination x its idf to a
    # document that holds it, whatever the operator (as the index contract's template).
    held: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        """Nothing searchable was left (punctuation or stopwords only)."""
        return not (self.required or self.optional or self.everything)


def field_queries(
    clauses: Iterable[AnalyzedClause], ranking: Ranking = RANKING
) -> tuple[FieldQuery, ...]:
    """The parts matching any of `clauses` on every searched field, stemmed and exact,
    weighted by field: one flat list (a bool query scores the sum of its clauses,
    nested or not), the words of all clauses together on each field. A quoted phrase
    of two words or more is a phrase on both subfields."""
    parts: list[FieldQuery] = []
    words: dict[tuple[str, bool, float], list[str]] = {}
    for clause in clauses:
        for name, boost in ranking.field_boosts.items():
            exact_boost = boost * ranking.exact_weight
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
    ranking: Ranking = RANKING,
    expansion: Iterable[WeightedTerm] = (),
) -> MatchPlan:
    """The query plan as a bool query: with operator "and" every group is required,
    and every word of each of its clauses; with "or" any one word is enough. A group
    joined by AND, or a quoted phrase standing alone, is always required. The
    `expansion` terms are optional parts on `content`, each with its weight."""
    required: list[Requirement] = []
    optional: list[AnalyzedClause] = []
    for group in plan.groups:
        if operator == "and" or group.required:
            required.append(
                tuple(
                    tuple(field_queries([w], ranking) for w in c.each_word) for c in group.clauses
                )
            )
        else:
            optional += group.clauses  # any one is enough: one flat union of them all
    return MatchPlan(
        required=tuple(required),
        optional=field_queries(optional, ranking)
        + tuple(FieldQuery("content", False, (t.term,), t.weight) for t in expansion),
        excluded=tuple(field_queries([c], ranking) for c in plan.excluded),
        grams=tuple(plan.grams),
        everything=plan.everything,
        held=tuple(plan.stems) if ranking.coordination else (),
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
