"""arabic-search: the command line. Thin: each command calls the library functions."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from indexer import mappings
from indexer.analysis.analyzers import Analyzer, Token, build_analyzers, default_analyzers
from indexer.analysis.normalize import RULE_NAMES, RULE_REASONS, Normalizer
from indexer.articles import DEFAULT_MAX_CHARS, Article, Rejected
from indexer.backends import (
    BACKEND_NAMES,
    DEFAULT_ALIAS,
    DEFAULT_HOME,
    Backend,
    BackendError,
    BackendUnavailable,
    choose_backend,
)
from indexer.backends.embedded import COMMIT_EVERY, EmbeddedBackend
from indexer.evaluation import EvaluationError, evaluate, profiles
from indexer.highlight import CLOSE, OPEN
from indexer.ingest import Duplicate, Outcome, ParseReport, parse_paths
from indexer.query import QueryError, Recency, SearchRequest, SearchResult
from indexer.reindex import (
    CHECKPOINT_EVERY,
    interrupted_load,
    interrupted_version,
    reindex,
    resume_advice,
)
from indexer.sources import FORMATS
from indexer.sources.fieldmap import FieldMap, FieldMapError, parse_field_options
from indexer.sources.files import ReadOptions

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it


def _token_json(tok: Token) -> dict:
    return {"token": tok.token, "start": tok.start, "end": tok.end, "position": tok.position}


def cmd_normalize(args: argparse.Namespace) -> int:
    if args.list_rules:
        for name, why in RULE_REASONS.items():
            print(f"{name:28} {why}")
        return EXIT_OK
    normalizer = Normalizer(disabled=args.disable)
    bad_lines = 0
    out = sys.stdout.buffer
    # Line by line, bytes in and out, so nothing is held in memory and a line that
    # is not UTF-8 passes through unchanged (and is reported) instead of being lost.
    for number, line in enumerate(sys.stdin.buffer, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as err:
            bad_lines += 1
            print(
                f"stdin line {number}: not UTF-8 ({err.reason} at byte {err.start}); "
                "passed through unchanged",
                file=sys.stderr,
            )
            out.write(line)
            continue
        out.write(normalizer.normalize(text).encode("utf-8"))
    out.flush()
    return EXIT_REJECTED if bad_lines else EXIT_OK


def _print_tokens(analyzer: Analyzer, text: str, as_json: bool, stream: TextIO) -> None:
    tokens = analyzer.analyze(text)
    if as_json:
        body = {"analyzer": analyzer.name, "tokens": [_token_json(t) for t in tokens]}
        stream.write(json.dumps(body, ensure_ascii=False) + "\n")
        return
    for tok in tokens:
        stream.write(f"{tok.position}\t{tok.start}-{tok.end}\t{tok.token}\n")


def cmd_analyze(args: argparse.Namespace) -> int:
    analyzer = default_analyzers()[args.analyzer]
    if args.text != "-":
        _print_tokens(analyzer, args.text, args.json, sys.stdout)
        return EXIT_OK
    # One text per line in, one JSON object per line out.
    for line in sys.stdin:
        _print_tokens(analyzer, line.rstrip("\r\n"), True, sys.stdout)
    return EXIT_OK


def cmd_mappings(args: argparse.Namespace) -> int:
    analyzers = build_analyzers(Normalizer())
    path: Path = args.path
    if args.check:
        if mappings.is_current(path, analyzers):
            print(f"{path} is up to date")
            return EXIT_OK
        print(f"{path} is stale: run 'arabic-search mappings --write'", file=sys.stderr)
        return EXIT_REJECTED
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(mappings.render(analyzers), encoding="utf-8")
        print(f"wrote {path}")
        return EXIT_OK
    sys.stdout.write(mappings.render(analyzers))
    return EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    options = _read_options(args)
    report = ParseReport()
    out = sys.stdout
    progress = tqdm(unit=" records", desc="parse", disable=None, file=sys.stderr)
    for outcome in parse_paths(args.paths, options):
        report.add(outcome)
        progress.update()
        if isinstance(outcome, Article):
            out.write(json.dumps(outcome.to_json(), ensure_ascii=False) + "\n")
        _report_problem(outcome, lambda line: progress.write(line, file=sys.stderr))
    progress.close()
    out.flush()
    print(report.summary(), file=sys.stderr)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _backend(args: argparse.Namespace) -> Backend:
    if choose_backend(args.backend) == "embedded":
        print(f"backend: embedded (home {args.home})", file=sys.stderr)
        return EmbeddedBackend(
            args.home,
            keep_old_versions=args.keep_versions,
            commit_every=getattr(args, "checkpoint_every", None) or COMMIT_EVERY,
        )
    # Imported here: the clients take a third of a second to import.
    from indexer.backends.cluster import open_cluster
    from indexer.backends.cluster_settings import ClusterSettings

    engine = choose_backend(args.backend)
    settings = ClusterSettings.from_env(
        engine=engine,
        request_timeout=args.timeout,
        max_retries=args.retries,
        keep_old_versions=args.keep_versions,
    )
    print(f"backend: {engine} ({settings.safe_url})", file=sys.stderr)
    return open_cluster(
        engine, settings, dead_letters=Path(getattr(args, "dead_letters", "dead-letters"))
    )


def _report_problem(outcome: Outcome, write: Callable[[str], None]) -> None:
    if isinstance(outcome, Rejected):
        write(f"{outcome.origin}: rejected: {outcome.reason}")
        return
    # A duplicate's warnings too: what a reader noticed must not go unseen.
    article = outcome.article if isinstance(outcome, Duplicate) else outcome
    for warning in article.warnings:
        write(f"{article.origin}: warning: {warning}")
    if isinstance(outcome, Duplicate):
        write(f"{article.origin}: duplicate of {outcome.first} ({outcome.reason})")


def cmd_reindex(args: argparse.Namespace) -> int:
    backend = _backend(args)
    if args.from_index:
        version, count = backend.reindex_from_index(args.alias)
        print(f"alias {args.alias} -> {version} ({count} documents)", file=sys.stderr)
        return EXIT_OK
    paths, options = args.paths, _read_options(args)
    if args.resume and not paths:  # the interrupted load's own paths and options
        version, checkpoint = interrupted_load(backend, args.alias)
        paths, options = checkpoint.paths, checkpoint.read_options()
        print(f"resuming {version} after {checkpoint.where}", file=sys.stderr)
    if not paths:
        raise BackendError("give the files to index, or --from-index, or --resume")
    progress = tqdm(unit=" records", desc="reindex", disable=None, file=sys.stderr)

    problems = Counter()

    def seen(outcome: Outcome) -> None:
        progress.update()
        if not isinstance(outcome, Article):
            problems[type(outcome).__name__.lower()] += 1
            progress.set_postfix(problems, refresh=False)
        _report_problem(outcome, lambda line: progress.write(line, file=sys.stderr))

    try:
        report = reindex(
            backend,
            paths,
            args.alias,
            options,
            on_outcome=seen,
            resume=args.resume,
            checkpoint_every=args.checkpoint_every or CHECKPOINT_EVERY,
            allow_shrink=args.allow_shrink,
        )
    finally:
        progress.close()
    for article, reason in report.refused:
        print(f"{article.origin}: rejected by {backend.name}: {reason}", file=sys.stderr)
    print(f"alias {args.alias} -> {report.version}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _search_request(args: argparse.Namespace) -> SearchRequest:
    return SearchRequest(
        query=args.query,
        category=args.category,
        source=args.source,
        author=args.author,
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


def _print_result(result: SearchResult, out: TextIO) -> None:
    if result.nothing_searchable:
        out.write("0 results: nothing searchable is left of the query")
        if result.dropped:
            out.write(f": {', '.join(result.dropped)} are stopwords or punctuation")
        out.write(" (a stopword counts only inside a quoted phrase)\n")
        return
    out.write(f"{result.total} results\n")
    for number, hit in enumerate(result.hits, start=1):
        meta = " · ".join(v for v in (hit.published_at, hit.category, hit.source) if v)
        score = f"  [{hit.score:.2f}]" if hit.score is not None else ""
        out.write(f"\n{number}. {hit.title}{score}\n   {meta}\n")
        for fragment in hit.highlight.get("body", []):
            line = " ".join(fragment.replace(OPEN, "**").replace(CLOSE, "**").split())
            out.write(f"   {line}\n")
    for name, counts in result.facets.items():
        if counts:
            out.write(f"\n{name}: " + ", ".join(f"{k} ({n})" for k, n in counts.items()) + "\n")
    if result.next_cursor:
        out.write(f"\nmore: --cursor {result.next_cursor}\n")


def cmd_search(args: argparse.Namespace) -> int:
    request = _search_request(args)
    request.check()  # a bad option (a date) is one line, before any backend is opened
    backend = _backend(args)
    try:
        result = backend.search(args.alias, request)
    except BackendError as err:
        # No index yet, or an old one: an interrupted reindex may be the way out.
        if not isinstance(err, BackendUnavailable) and (
            version := interrupted_version(backend, args.alias)
        ):
            err.args = (f"{err}; {resume_advice(version)}",)
        raise
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        _print_result(result, sys.stdout)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    backend = _backend(args)
    status = backend.status(args.alias)
    interrupted = interrupted_version(backend, args.alias)
    if args.json:
        print(json.dumps({**status.to_json(), "interrupted": interrupted}, ensure_ascii=False))
        return EXIT_OK
    print(f"alias {status.alias} -> {status.current or '(none)'}  ({status.health})")
    print(f"documents {status.documents}, mapping version {status.mapping_version}")
    for v in status.versions:
        mark = "*" if v.name == status.current else " "
        state = "complete" if v.complete else "INCOMPLETE"
        print(f" {mark} {v.name}  {v.documents} documents  {state}  {v.created_at}")
    if interrupted:
        print(resume_advice(interrupted))
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    backend = _backend(args)
    before = backend.status(args.alias).current
    after = backend.rollback(args.alias)
    print(f"alias {args.alias}: {before or '(none)'} -> {after}")
    return EXIT_OK


def cmd_unlock(args: argparse.Namespace) -> int:
    holder = _backend(args).unlock(args.alias)
    if holder is None:
        print(f"no reindex lock on {args.alias}")
    else:
        print(f"cleared the reindex lock on {args.alias} (held by {holder})")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    if choose_backend(args.backend) != "embedded":
        raise BackendError("eval runs on the embedded backend (use --backend embedded)")
    print("backend: embedded (a temporary index)", file=sys.stderr)
    for option, path, what in (
        ("--corpus", args.corpus, "corpus.jsonl"),
        ("--queries", args.queries, "queries.jsonl"),
        ("--qrels", args.qrels, "qrels .tsv"),
    ):
        if not path.is_file():
            raise EvaluationError(f"{option} {path}: no such file; give the BEIR {what} file")
    available = profiles()
    names = list(available) if args.compare else ["ours"]
    scores = {}
    for name in names:
        scores[name] = evaluate(
            args.corpus, args.queries, args.qrels, available[name], args.distractors
        ).to_json()
        if not args.json:
            s = scores[name]
            print(
                f"{name:10} queries {s['queries']}  MRR@10 {s['mrr@10']:.4f}  "
                f"nDCG@10 {s['ndcg@10']:.4f}  Recall@100 {s['recall@100']:.4f}"
            )
    if args.json:
        print(json.dumps(scores if args.compare else scores["ours"]))
    return EXIT_OK


def _read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(
        format=args.format,
        field_map=FieldMap(parse_field_options(args.field)),
        max_chars=args.max_chars,
    )


def _add_read_options(p: argparse.ArgumentParser, paths: str = "+") -> None:
    p.add_argument("paths", nargs=paths, metavar="PATH", help="files, directories, or - for stdin")
    p.add_argument("--format", default="auto", choices=FORMATS)
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=SOURCE_FIELD",
        help="take article field NAME from SOURCE_FIELD (JSON key, CSV column, TREC tag)",
    )
    p.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help="reject records with more text than this (default %(default)s)",
    )


def _add_backend_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        help="default: $ARABIC_SEARCH_BACKEND, else elasticsearch when $ES_URL is set, "
        "opensearch when $OPENSEARCH_URL is, else embedded",
    )
    p.add_argument("--alias", default=DEFAULT_ALIAS, help="index alias (default %(default)s)")
    p.add_argument("--home", default=DEFAULT_HOME, help="embedded index home (default %(default)s)")
    p.add_argument("--timeout", type=float, help="cluster request timeout, seconds (30)")
    p.add_argument("--retries", type=int, help="cluster retries per request/chunk (5)")
    p.add_argument(
        "--keep-versions",
        type=int,
        default=2,
        metavar="N",
        help="old index versions kept after a reindex (default %(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arabic-search", description="Arabic news search: normalize, analyze, index, search."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("normalize", help="normalize Arabic text from stdin to stdout")
    p.add_argument(
        "--disable",
        action="append",
        default=[],
        choices=RULE_NAMES,
        metavar="RULE",
        help="switch a rule off (repeatable); see --list-rules",
    )
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.set_defaults(run=cmd_normalize)

    p = commands.add_parser("analyze", help="show the tokens an analyzer makes of a text")
    p.add_argument("text", metavar="TEXT|-", help="the text, or - for one text per stdin line")
    p.add_argument("--analyzer", default="text", choices=list(default_analyzers()))
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_analyze)

    p = commands.add_parser("parse", help="read article files and print them as JSON Lines")
    _add_read_options(p)
    p.set_defaults(run=cmd_parse)

    p = commands.add_parser("reindex", help="index article files into a new version, switch")
    _add_read_options(p, paths="*")
    _add_backend_options(p)
    p.add_argument(
        "--from-index",
        action="store_true",
        help="rebuild from the current index on the server (after an analyzer change)",
    )
    p.add_argument(
        "--checkpoint-every",
        type=int,
        metavar="N",
        help=f"documents between checkpoints (default {CHECKPOINT_EVERY:,}; embedded: "
        f"{COMMIT_EVERY:,}, each one a commit and an index segment)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the alias's interrupted reindex from its checkpoint "
        "(PATHs and read options: the interrupted one's, unless given)",
    )
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="switch the alias even when the new version holds under half the documents "
        "of the live one (a version that holds nothing is never switched to)",
    )
    p.add_argument(
        "--dead-letters",
        default="dead-letters",
        metavar="DIR",
        help="where documents the cluster refuses are written (default %(default)s)",
    )
    p.set_defaults(run=cmd_reindex)

    p = commands.add_parser("search", help="ranked search with filters, facets, highlights")
    p.add_argument(
        "query",
        nargs="?",  # required all the same (parse_arguments): it may start with "-"
        metavar="QUERY",
        help='words; "a phrase": its words in order, in any inflection, the exact form ranked '
        "higher; -word or NOT word: leave out; a OR b: either; a AND b: both (AND, OR, NOT "
        "in capitals; lower case, or quoted, they are words)",
    )
    p.add_argument("--category")
    p.add_argument("--source")
    p.add_argument("--author")
    # Read by the query module (date_bounds), so that Python callers get the same dates.
    p.add_argument("--since", help="from: 2018 (from Jan 1), 2018-06, 2018-06-01, a date-time")
    p.add_argument("--until", help="through: 2018 (to Dec 31), 2018-06, 2018-06-01, a date-time")
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--cursor", help="next_cursor of a previous result (paging past 10,000)")
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument(
        "--operator",
        choices=["or", "and"],
        default="or",
        help="and: every word must match (each word of كوفيد-19 too); or: any word, ranked by "
        "how many match",
    )
    p.add_argument(
        "--recency",
        type=float,
        metavar="DAYS",
        help="favour recent articles, counting from the newest article in the index (not "
        "today): its recency weight halves DAYS after the first day; an old article keeps half "
        "its score, so relevance still counts",
    )
    p.add_argument("--no-highlight", action="store_true")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _add_backend_options(p)
    p.set_defaults(run=cmd_search)

    p = commands.add_parser("eval", help="MRR@10, nDCG@10, Recall@100 on BEIR files")
    p.add_argument("--corpus", type=Path, required=True, help="BEIR corpus.jsonl")
    p.add_argument("--queries", type=Path, required=True, help="BEIR queries.jsonl")
    p.add_argument("--qrels", type=Path, required=True, help="BEIR qrels .tsv (with header)")
    p.add_argument(
        "--distractors",
        action="append",
        default=[],
        metavar="PATH",
        help="more articles for the index, never relevant (any format parse reads)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="also run the baselines: no Arabic processing, stock Elasticsearch arabic",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--backend", choices=BACKEND_NAMES)
    p.set_defaults(run=cmd_eval)

    for name, run, help_text in (
        ("status", cmd_status, "the alias, its versions and document counts"),
        ("rollback", cmd_rollback, "point the alias at the next older complete version"),
        ("unlock", cmd_unlock, "clear the reindex lock a crashed reindex left (cluster)"),
    ):
        p = commands.add_parser(name, help=help_text)
        if name == "status":
            p.add_argument("--json", action="store_true")
        _add_backend_options(p)
        p.set_defaults(run=run)

    p = commands.add_parser("mappings", help="print, write or check mappings/articles.json")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="write the file from the code")
    group.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    p.add_argument("--path", type=Path, default=mappings.DEFAULT_PATH, help="%(default)s")
    p.set_defaults(run=cmd_mappings)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line. A search QUERY may start with "-" (`search -بوتين`), which
    argparse takes for an unknown option: such arguments are the query's."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    words = [a for a in unknown if a.startswith("-") and not a.startswith("--")]
    if args.command == "search" and words == unknown:
        parts = words if args.query is None else [args.query, *words]
        if not parts:
            parser.error("search needs a QUERY ('' lists every article)")
        args.query = " ".join(parts)
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    # The clients log every failed request; what matters reaches the user as one line.
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        return args.run(args)
    except (FieldMapError, QueryError, EvaluationError) as err:
        print(f"arabic-search {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BackendError as err:
        for line in [str(err), *getattr(err, "__notes__", [])]:
            print(f"arabic-search {args.command}: {line}", file=sys.stderr)
        return EXIT_UNAVAILABLE if isinstance(err, BackendUnavailable) else EXIT_USAGE
    except KeyboardInterrupt as err:
        for line in ["interrupted", *getattr(err, "__notes__", [])]:
            print(f"arabic-search {args.command}: {line}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `arabic-search ... | head` is fine
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
