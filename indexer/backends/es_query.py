"""SearchRequest -> Elasticsearch search body, and the response -> SearchResult.

Pure functions (no client), so every body is unit-tested. The user's text goes to
Elasticsearch only inside a `simple_query_string` with a few flags (phrases, NOT,
OR, whitespace) after its special characters are escaped: never `query_string`,
never a script. The analyzers on the server do the Arabic analysis, except for the
query's trigrams: those are `term` queries on content.grams, cut here by the Python
twin of arabic_grams (a `match` would score the grams of one word, which share a
position, as one synonym term; the embedded backend scores each gram).
"""

from __future__ import annotations

import base64
import json
import re

from indexer.highlight import CLOSE, OPEN
from indexer.query import (
    EXACT_WEIGHT,
    FACET_FIELDS,
    FACET_SIZE,
    FIELD_BOOSTS,
    GRAMS_FIELD,
    GRAMS_WEIGHT,
    TEXT_FIELDS,
    Hit,
    QueryError,
    SearchRequest,
    SearchResult,
    date_bounds,
    plan_query,
    read_clauses,
)

# Only these operators of simple_query_string are on; the others' characters are
# plain text (and escaped anyway).
SIMPLE_QUERY_FLAGS = "PHRASE|NOT|OR|WHITESPACE"
_SPECIAL = re.compile(r'([+\-=&|><!(){}\[\]^"~*?:\\/])')
FRAGMENT_SIZE = 160
SOURCE_FIELDS = ["id", "title", "published_at", "category", "source", "author", "url"]


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def simple_query(query: str) -> str:
    """The user's syntax ("phrase", -word, OR) written in simple_query_string's."""
    parts = []
    for part in read_clauses(query):
        if part == "OR":
            parts.append("|")
            continue
        text = f'"{_escape(part.text)}"' if part.phrase else _escape(part.text)
        parts.append(("-" if part.excluded else "") + text)
    return " ".join(parts)


def text_fields() -> list[str]:
    """content^1, title^0.5 and their .exact subfields at half weight."""
    fields = [f"{f}^{FIELD_BOOSTS[f]:g}" for f in TEXT_FIELDS]
    fields += [f"{f}.exact^{FIELD_BOOSTS[f] * EXACT_WEIGHT:g}" for f in TEXT_FIELDS]
    return fields


def gram_clauses(query: str) -> list[dict]:
    """One boosted `term` query on content.grams per trigram of the included words."""
    return [
        {"term": {f"{GRAMS_FIELD}.grams": {"value": gram, "boost": GRAMS_WEIGHT}}}
        for gram in plan_query(query).grams
    ]


def _filters(request: SearchRequest) -> list[dict]:
    # term on keyword fields: Elasticsearch runs the field's normalizer on the value.
    filters: list[dict] = [{"term": {f: v}} for f, v in request.filters.items()]
    since, until = date_bounds(request)
    if since or until:
        bounds = {}
        if since:
            bounds["gte"] = since.isoformat()
        if until:
            bounds["lte"] = until.isoformat()
        filters.append({"range": {"published_at": bounds}})
    return filters


def words_query(request: SearchRequest, fields: list[str]) -> dict:
    """The user's words, in their syntax, on `fields`."""
    return {
        "simple_query_string": {
            "query": simple_query(request.query),
            "fields": fields,
            "default_operator": request.operator,
            "flags": SIMPLE_QUERY_FLAGS,
        }
    }


def query_body(request: SearchRequest) -> dict:
    """The `query` part of the search body."""
    text = words_query(request, text_fields()) if request.query.strip() else {"match_all": {}}
    boolean: dict = {"must": [text]}
    if grams := gram_clauses(request.query):
        boolean["should"] = grams  # they rank what `must` matched; they match nothing alone
    if filters := _filters(request):
        boolean["filter"] = filters
    query: dict = {"bool": boolean}
    if request.recency:
        r = request.recency
        origin = r.now.isoformat() if r.now else "now"
        query = {
            "function_score": {
                "query": query,
                "functions": [
                    {
                        "gauss": {
                            "published_at": {
                                "origin": origin,
                                # Whole minutes: date decay accepts no fractional units.
                                "scale": f"{max(1, round(r.scale_days * 1440))}m",
                                "offset": f"{round(r.offset_days * 1440)}m",
                                "decay": r.decay,
                            }
                        }
                    }
                ],
                "boost_mode": "multiply",
            }
        }
    return query


def _sort(request: SearchRequest) -> list:
    # `id` breaks ties, so search_after pages are stable.
    if request.sort == "date":
        return [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    return ["_score", {"id": "asc"}]


def encode_cursor(sort_values: list) -> str:
    raw = json.dumps(sort_values, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError):
        raise QueryError(f"not a cursor from this backend: {cursor!r}") from None
    if not isinstance(values, list) or len(values) != 2:
        raise QueryError(f"not a cursor from this backend: {cursor!r}")
    return values


def search_body(request: SearchRequest) -> dict:
    """The whole body of POST /<alias>/_search for a request."""
    request.check()
    body: dict = {
        "query": query_body(request),
        "size": request.size,
        "sort": _sort(request),
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
    }
    if request.cursor:
        body["search_after"] = decode_cursor(request.cursor)
    else:
        body["from"] = (request.page - 1) * request.size
    if request.facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in FACET_FIELDS}
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
        if request.query.strip():
            # The query searches `content` (title + body by copy_to), and a field is
            # only marked for queries on it (require_field_match): ask for the body.
            body_highlight = body["highlight"]["fields"]["body"]
            body_highlight["highlight_query"] = words_query(request, ["body"])
    return body


def parse_response(response: dict, request: SearchRequest) -> SearchResult:
    hits = []
    raw_hits = response["hits"]["hits"]
    for raw in raw_hits:
        source = raw.get("_source", {})
        hits.append(
            Hit(
                id=source.get("id", raw.get("_id")),
                score=raw.get("_score"),
                title=source.get("title", ""),
                published_at=source.get("published_at"),
                category=source.get("category"),
                source=source.get("source"),
                author=source.get("author"),
                url=source.get("url"),
                highlight=raw.get("highlight", {}),
            )
        )
    total = response["hits"]["total"]["value"]
    facets = {
        f: {b["key"]: b["doc_count"] for b in response.get("aggregations", {})[f]["buckets"]}
        for f in FACET_FIELDS
        if f in response.get("aggregations", {})
    }
    seen = (request.page - 1) * request.size + len(raw_hits) if not request.cursor else None
    more = len(raw_hits) == request.size and (seen is None or seen < total)
    next_cursor = encode_cursor(raw_hits[-1]["sort"]) if more and raw_hits else None
    return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)
