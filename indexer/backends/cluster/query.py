"""SearchRequest -> the search body of Elasticsearch and OpenSearch, and the response
-> SearchResult.

Pure functions (no client), so every body is unit-tested. The query is a bool query
rendered from the same MatchPlan as the embedded backend's (query.match_plan): the
user's text is analyzed once, in Python, by the twins of the index's analyzers, and
sent as `term` queries (and `match_phrase` on the already analyzed terms, with the
whitespace analyzer, for phrases). No query parser runs on the server, so no input
can be read as an operator there, and both backends match the same documents.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from indexer.analysis.analyzers import Analyzer
from indexer.index.fields import GRAMS_FIELD, RAW_SUBFIELD, SHOWN_FIELDS, WORDS_SUBFIELD
from indexer.search.facets import facet_aggregations, read_facets
from indexer.search.highlight import CLOSE, OPEN
from indexer.search.query import (
    RANKING,
    RECENCY_FLOOR,
    AnalyzedClause,
    Clause,
    FieldQuery,
    Hit,
    MatchPlan,
    QueryError,
    QueryPlan,
    Ranking,
    Requirement,
    SearchRequest,
    SearchResult,
    Word,
    date_bounds,
    field_queries,
    match_plan,
    plan_query,
)

FRAGMENT_SIZE = 160
BODY_ONLY = Ranking({"body": 1.0})  # the field boosts of the body's highlight query
# Where recency decays from: the newest published_at of the alias's current version.
NEWEST_BODY = {"size": 0, "aggs": {"newest": {"max": {"field": "published_at"}}}}
# Where the user's text goes in the search template (mappings/search-request.json):
# a service replaces this JSON string, quotes and all, by the text as a JSON string.
QUERY_SLOT = "{{query}}"
# Every search asks for the term statistics of the whole index (a URL parameter, not
# part of the body): BM25's IDF and average field lengths are per shard, so without
# them a version of several shards scores otherwise than one of a single shard. On
# one shard the engine skips the extra round trip, and it cost nothing measurable
# (bench/dfs.py, docs/search.md): so always, with no shard count to look up and keep.
SEARCH_TYPE = "dfs_query_then_fetch"


def _terms(field: str, terms: Iterable[str], boost: float) -> list[dict[str, Any]]:
    """One term query per distinct term; a term asked n times is asked once with n
    times the boost (the same score as n clauses)."""
    return [
        {"term": {field: {"value": term, "boost": round(boost * n, 6)}}}
        for term, n in Counter(terms).items()
    ]


def _field_name(part: FieldQuery) -> str:
    return f"{part.field}.exact" if part.exact else part.field


def field_query(part: FieldQuery) -> list[dict[str, Any]]:
    name = _field_name(part)
    if part.phrase:
        # The terms are analyzed already: the whitespace analyzer keeps them as they are.
        phrase = {"query": " ".join(part.terms), "analyzer": "whitespace", "boost": part.boost}
        return [{"match_phrase": {name: phrase}}]
    return _terms(name, part.terms, part.boost)


def _any(queries: list[dict[str, Any]]) -> dict[str, Any]:
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"should": queries}} if queries else {"match_none": {}}


def _all(queries: list[dict[str, Any]]) -> dict[str, Any]:
    return queries[0] if len(queries) == 1 else {"bool": {"must": queries}}


def word_query(word: Word) -> dict[str, Any]:
    return _any([q for part in word for q in field_query(part)])


def requirement_query(requirement: Requirement) -> dict[str, Any]:
    """Any one alternative, each with every one of its words."""
    return _any([_all([word_query(word) for word in words]) for words in requirement])


def text_query(match: MatchPlan) -> dict[str, Any]:
    """What the words match: required groups `must`, optional parts `should`."""
    if match.everything:
        return {"match_all": {}}
    if match.nothing:
        return {"match_none": {}}
    boolean: dict[str, Any] = {}
    if match.required:
        boolean["must"] = [requirement_query(r) for r in match.required]
    if match.optional:
        boolean["should"] = [q for part in match.optional for q in field_query(part)]
    return {"bool": boolean}


def gram_clauses(grams: Iterable[str], weight: float) -> list[dict[str, Any]]:
    """One boosted `term` query on content.grams per trigram of the included words."""
    return _terms(f"{GRAMS_FIELD}.grams", grams, weight)


def held_clauses(stems: Iterable[str], weight: float) -> list[dict[str, Any]]:
    """For each stem a document holds, `weight` x its idf: a term query on content.words,
    which the engine scores by BM25 with k1 = 0 (the idf alone, mappings.py)."""
    return _terms(f"{GRAMS_FIELD}.{WORDS_SUBFIELD}", stems, weight)


def _filters(request: SearchRequest) -> list[dict[str, Any]]:
    # term and terms on keyword fields: the engine runs the field's normalizer on each
    # value. Several values: any one of them.
    filters: list[dict[str, Any]] = [
        {"term": {f: values[0]}} if len(values) == 1 else {"terms": {f: list(values)}}
        for f, values in request.filters.items()
    ]
    since, until = date_bounds(request)
    if since or until:
        bounds = {}
        if since:
            bounds["gte"] = since.isoformat()
        if until:
            bounds["lte"] = until.isoformat()
        filters.append({"range": {"published_at": bounds}})
    return filters


def query_body(
    request: SearchRequest, plan: QueryPlan | None = None, ranking: Ranking = RANKING
) -> dict[str, Any]:
    """The `query` part of the search body (`plan`: the request's query, planned)."""
    match = match_plan(
        plan or plan_query(request.query), request.operator, ranking, request.expansion
    )
    boolean: dict[str, Any] = {"must": [text_query(match)]}
    # They rank; they match nothing alone.
    ranks = held_clauses(match.held, ranking.coordination)
    if match.grams and ranking.grams_weight and not match.nothing:
        ranks += gram_clauses(match.grams, ranking.grams_weight)
    if ranks:
        boolean["should"] = ranks
    if match.excluded:
        boolean["must_not"] = [word_query(group) for group in match.excluded]
    if filters := _filters(request):
        boolean["filter"] = filters
    query: dict[str, Any] = {"bool": boolean}
    if (r := request.recency) and r.origin:
        # score x (FLOOR + (1 - FLOOR) x gauss): the weights summed, then multiplied.
        gauss = {
            "origin": r.origin.isoformat(),
            "scale": f"{r.scale_minutes}m",
            "offset": f"{r.offset_minutes}m",
            "decay": r.decay,
        }
        query = {
            "function_score": {
                "query": query,
                "functions": [
                    {"weight": RECENCY_FLOOR},
                    {"gauss": {"published_at": gauss}, "weight": 1 - RECENCY_FLOOR},
                ],
                "score_mode": "sum",
                "boost_mode": "multiply",
            }
        }
    return query


def _sort(request: SearchRequest) -> list[Any]:
    # `id` breaks ties, so search_after pages are stable.
    if request.sort == "date":
        return [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    return ["_score", {"id": "asc"}]


def encode_cursor(sort_values: list[Any], request: SearchRequest) -> str:
    """The search_after values of the last hit, with the request's fingerprint."""
    cursor = {"search": request.fingerprint, "after": sort_values}
    raw = json.dumps(cursor, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str, request: SearchRequest) -> list[Any]:
    """The search_after values of a cursor; QueryError for another search's cursor."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError):
        raise QueryError(f"not a cursor from this backend: {cursor!r}") from None
    after = values.get("after") if isinstance(values, dict) else None
    if not isinstance(after, list) or len(after) != 2 or not isinstance(values.get("search"), str):
        raise QueryError(f"not a cursor from this backend: {cursor!r}")
    request.check_cursor(values["search"])
    return after


def search_body(
    request: SearchRequest, plan: QueryPlan | None = None, ranking: Ranking = RANKING
) -> dict[str, Any]:
    """The whole body of POST /<alias>/_search for a request (`plan`: its query,
    planned; analyzed once, for the query and the highlights)."""
    request.check()
    plan = plan or plan_query(request.query)
    request = request.sorted_for(plan)
    body: dict[str, Any] = {
        "query": query_body(request, plan, ranking),
        "size": request.size,
        "sort": _sort(request),
        "track_total_hits": True,
        "_source": list(SHOWN_FIELDS),
    }
    if request.cursor:
        body["search_after"] = decode_cursor(request.cursor, request)
    else:
        body["from"] = (request.page - 1) * request.size
    if request.facets:
        body["aggs"] = facet_aggregations(lambda field: f"{field}.{RAW_SUBFIELD}")
    if request.highlight:
        body["highlight"] = {
            "type": "unified",
            "pre_tags": [OPEN],
            "post_tags": [CLOSE],
            "fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": FRAGMENT_SIZE, "number_of_fragments": 2},
            },
        }
        # The query searches `content` (title + body by copy_to), and a field is only
        # marked for queries on it (require_field_match): the same words, on the body.
        on_body = match_plan(plan, request.operator, BODY_ONLY)
        if not (on_body.everything or on_body.nothing):
            body["highlight"]["fields"]["body"]["highlight_query"] = text_query(on_body)
    return body


def _slot_matches(ranking: Ranking) -> list[dict[str, Any]]:
    """A `match` of the template's slot on each field a word is searched on (stemmed and
    exact), with the boosts of the term queries a search sends for each word."""
    slot = AnalyzedClause(Clause(QUERY_SLOT), (QUERY_SLOT,), (QUERY_SLOT,))
    return [_match(_field_name(part), part.boost) for part in field_queries([slot], ranking)]


def _match(field: str, boost: float) -> dict[str, Any]:
    return {"match": {field: {"query": QUERY_SLOT, "boost": boost}}}


def template_body() -> dict[str, Any]:
    """The search body of the index contract (mappings/search-request.json): the body
    of a search of plain words, with `match` queries that analyze the user's text on
    the server in place of the term queries of the text analyzed here. Each word's
    terms score as the search's do: the fields' search analyzers give the same terms,
    each at a position of its own (content.grams: arabic_grams_search), and
    content.words scores each stem it holds by its idf, as held_clauses' terms do."""
    body = search_body(SearchRequest(query=QUERY_SLOT))
    query: dict[str, Any] = {"must": [{"bool": {"should": _slot_matches(RANKING)}}]}
    # They rank; they match nothing alone.
    ranks = []
    if RANKING.coordination:
        ranks.append(_match(f"{GRAMS_FIELD}.{WORDS_SUBFIELD}", RANKING.coordination))
    if RANKING.grams_weight:
        ranks.append(_match(f"{GRAMS_FIELD}.grams", RANKING.grams_weight))
    if ranks:
        query["should"] = ranks
    body["query"] = {"bool": query}
    on_body = {"bool": {"should": _slot_matches(BODY_ONLY)}}
    body["highlight"]["fields"]["body"]["highlight_query"] = on_body
    return body


def fill_template(template: str, text: str) -> str:
    """The template's JSON with the user's text in its slot, as a JSON string."""
    return template.replace(json.dumps(QUERY_SLOT), json.dumps(text, ensure_ascii=False))


def newest_published(response: dict[str, Any]) -> datetime | None:
    """The max aggregation of NEWEST_BODY (epoch milliseconds) as a date."""
    value = response.get("aggregations", {}).get("newest", {}).get("value")
    return (
        None if value is None else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)
    )


def run_search(
    request: SearchRequest,
    send: Callable[[dict[str, Any]], dict[str, Any]],
    analyzers: dict[str, Analyzer] | None = None,
    ranking: Ranking = RANKING,
) -> SearchResult:
    """A search, through `send` (a body in, the engine's response out): first the
    newest article's date when recency decays from it, then the search itself. The
    query is analyzed by `analyzers` (the caller's, which remember words; new ones
    when None); `ranking` other than the default is for comparisons (eval)."""
    request.check()
    plan = plan_query(request.query, analyzers)
    if plan.nothing_searchable:  # as on the embedded backend: no request to make
        return SearchResult(0, [], dropped=plan.dropped, nothing_searchable=True)
    request = request.sorted_for(plan)
    if request.needs_origin:
        request = request.with_origin(newest_published(send(NEWEST_BODY)))
    return parse_response(send(search_body(request, plan, ranking)), request, plan)


def parse_response(
    response: dict[str, Any], request: SearchRequest, plan: QueryPlan | None = None
) -> SearchResult:
    """The engine's answer to a search as a SearchResult; `plan`, the request's query
    planned, says what of the query was left out."""
    hits = []
    raw_hits = response["hits"]["hits"]
    for raw in raw_hits:
        stored = {"id": raw.get("_id"), "title": "", **raw.get("_source", {})}
        hits.append(Hit.from_shown(stored, raw.get("_score"), raw.get("highlight", {})))
    total = response["hits"]["total"]["value"]
    facets = read_facets(response.get("aggregations", {}))
    seen = (request.page - 1) * request.size + len(raw_hits) if not request.cursor else None
    more = len(raw_hits) == request.size and (seen is None or seen < total)
    next_cursor = encode_cursor(raw_hits[-1]["sort"], request) if more and raw_hits else None
    return SearchResult(
        total=total,
        hits=hits,
        facets=facets,
        next_cursor=next_cursor,
        dropped=plan.dropped if plan else (),
        over_limit=plan.over_limit if plan else (),
    )
