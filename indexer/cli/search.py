"""arabic-search search: ranked search with filters, facets and highlights."""

from __future__ import annotations

import argparse
import json
import sys

from indexer.backends import BackendError, BackendUnavailable
from indexer.backends.cluster.query import search_body
from indexer.cli.command import UNAVAILABLE, Command
from indexer.cli.options import add_backend_options, backend_options, command_for, open_backend
from indexer.cli.output import write_result
from indexer.errors import EXIT_OK, EXIT_USAGE
from indexer.index.fields import FACET_FIELDS
from indexer.index.reindex import RESUME, interrupted_version, resume_advice
from indexer.search.query import Recency, SearchRequest, plan_query


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "query",
        nargs="?",  # required all the same (parse_arguments): it may start with "-"
        metavar="QUERY",
        help='words; "a phrase": its words in order, in any inflection, the exact form ranked '
        "higher; -word or NOT word: leave out; a OR b: either; a AND b: both (AND, OR, NOT "
        "in capitals; lower case, or quoted, they are words); '' for every article",
    )
    for name in FACET_FIELDS:
        p.add_argument(
            f"--{name}",
            metavar="VALUE",
            action="append",
            help=f"only articles of this {name}, in any spelling; repeated: of any of them "
            "(default: all)",
        )
    # Read by the query module (date_bounds), so that Python callers get the same dates.
    p.add_argument(
        "--since",
        metavar="DATE",
        help="from: 2018 (from Jan 1), 2018-06, 2018-06-01, a date-time; UTC unless it has "
        "a zone (default: any)",
    )
    p.add_argument(
        "--until",
        metavar="DATE",
        help="through: 2018 (to Dec 31), 2018-06, 2018-06-01, a date-time; UTC unless it "
        "has a zone (default: any)",
    )
    p.add_argument(
        "--size",
        type=int,
        default=10,
        metavar="N",
        help="hits a page (0-100; 0: the total and facets only; default %(default)s)",
    )
    p.add_argument(
        "--page",
        type=int,
        default=1,
        metavar="N",
        help="page number (1 or more, page x size up to 10,000; default %(default)s)",
    )
    p.add_argument(
        "--cursor",
        help="the next_cursor of a previous result, to page past 10,000 (default: none)",
    )
    p.add_argument(
        "--sort",
        choices=["relevance", "date"],
        default="relevance",
        help="by score, or newest first (default %(default)s; a query with no word that "
        "scores, empty or of exclusions only, is always newest first)",
    )
    p.add_argument(
        "--operator",
        choices=["or", "and"],
        default="or",
        help="and: every word must match (each word of كوفيد-19 too); or: any word, ranked by "
        "how many match (default %(default)s)",
    )
    p.add_argument(
        "--recency",
        type=float,  # SearchRequest.check refuses 0 and below, with the reason
        metavar="DAYS",
        help="favour recent articles, counting from the newest article in the index (not "
        "today): its recency weight halves DAYS after the first day; an old article keeps half "
        "its score, so relevance still counts (more than 0; default: no decay)",
    )
    p.add_argument(
        "--no-highlight", action="store_true", help="no highlighted fragments (default: shown)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument(
        "--show-query",
        action="store_true",
        help="print the JSON body this search sends to Elasticsearch or OpenSearch (for curl "
        "or Kibana) and exit, without searching; any backend (--recency looks its origin up "
        "there)",
    )
    add_backend_options(p)


def search_request(args: argparse.Namespace) -> SearchRequest:
    return SearchRequest(
        query=args.query,
        category=tuple(args.category or ()),
        source=tuple(args.source or ()),
        author=tuple(args.author or ()),
        since=args.since,
        until=args.until,
        sort=args.sort,
        operator=args.operator,
        page=args.page,
        size=args.size,
        cursor=args.cursor,
        highlight=not args.no_highlight,
        # 0 and below too: SearchRequest.check refuses them, with the reason.
        recency=Recency(scale_days=args.recency) if args.recency is not None else None,
    )


def run(args: argparse.Namespace) -> int:
    request = search_request(args)
    request.check()  # a bad option (a date) is one line, before any backend is opened
    if args.show_query:
        return show_query(args, request)
    backend = open_backend(backend_options(args, home=args.home))
    try:
        result = backend.search(args.alias, request)
    except BackendError as err:
        # No index yet, or an old one: an interrupted reindex may be the way out.
        if not isinstance(err, BackendUnavailable) and (
            version := interrupted_version(backend, args.alias)
        ):
            err.add_hint(resume_advice(version, command_for(args, RESUME)))
        raise
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        # A cursor does not say how deep it is: its page is numbered from 1.
        first = 1 if args.cursor else (args.page - 1) * args.size + 1
        write_result(result, sys.stdout, first)
    return EXIT_OK


def show_query(args: argparse.Namespace, request: SearchRequest) -> int:
    """The body a search sends to a cluster, for curl and Kibana, without searching. Only
    recency needs an index, for its origin: looked up through the chosen backend, as a
    search does, only where the request is ranked by relevance."""
    request = request.sorted_for(plan_query(request.query))
    if request.needs_origin:
        backend = open_backend(backend_options(args, home=args.home))
        request = request.with_origin(backend.newest_published(args.alias))
    sys.stdout.write(json.dumps(search_body(request), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


COMMAND = Command(
    "search",
    "ranked search with filters, facets and highlights",
    "Search the alias: ranked (BM25), with filters on category, source, author and\n"
    "dates, facets in the spelling people write, highlights and paging. Words are\n"
    'normalized like the articles; "a phrase" must match in order, -word and NOT\n'
    "word leave out, a OR b takes either, a AND b needs both. Dates show as\n"
    "2021-11-23 (no time given) or 2021-11-23 22:30 (UTC); --json keeps them as\n"
    "stored (ISO 8601).",
    (
        "arabic-search search 'الخارجية الروسية'",
        "arabic-search search '\"الذكاء الاصطناعي\"' --sort date --since 2021-06",
        "arabic-search search 'كأس العالم' --category sport --page 2 --json",
        "arabic-search search 'الخارجية الروسية' --show-query    # the body a cluster gets",
    ),
    (
        (EXIT_OK, "ok, also when nothing is found"),
        (
            EXIT_USAGE,
            "usage error (size outside 0-100, page x size past 10,000 without "
            "--cursor) or configuration error; no index yet",
        ),
        UNAVAILABLE,
    ),
    add_arguments,
    run,
)
