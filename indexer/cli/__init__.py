"""arabic-search: the command line. Thin: each command calls the library functions."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import Any, TextIO

from indexer.analysis.analyzers import Analyzer, Token, build_analyzers, default_analyzers
from indexer.analysis.normalize import RULE_NAMES, RULE_REASONS, Normalizer
from indexer.backends import (
    BACKEND_NAMES,
    DEFAULT_ALIAS,
    DEFAULT_HOME,
    KEEP_OLD_VERSIONS,
    Backend,
    BackendError,
    BackendUnavailable,
    choose_backend,
)
from indexer.backends.cluster.query import search_body
from indexer.backends.cluster.settings import CHECKPOINT_EVERY as CLUSTER_CHECKPOINT_EVERY
from indexer.backends.embedded.backend import CHECKPOINT_EVERY as EMBEDDED_CHECKPOINT_EVERY
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.cli.help import COMMANDS, HOME_VARIABLE, MAIN_DESCRIPTION, MAIN_EPILOG
from indexer.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    ArabicSearchError,
)
from indexer.index import mappings
from indexer.index.fields import FACET_FIELDS
from indexer.index.reindex import (
    interrupted_load,
    interrupted_version,
    reindex,
    resume_advice,
)
from indexer.ingest.articles import DEFAULT_MAX_CHARS, Written
from indexer.ingest.parse import ParseReport
from indexer.ingest.progress import SHOWN_EACH, ReadLog
from indexer.ingest.sources import FORMATS
from indexer.ingest.sources.fieldmap import FieldMap, parse_field_options
from indexer.ingest.sources.files import ReadOptions, ReadPosition, input_bytes
from indexer.ingest.workers import (
    MIN_BYTES,
    WORKERS,
    default_workers,
    written_outcomes,
)
from indexer.search.evaluation import (
    EMBEDDED,
    EvaluationError,
    Target,
    fold_scores,
    metrics,
    profiles,
    ranked_runs,
    read_articles,
    read_judged,
)
from indexer.search.feedback import Feedback
from indexer.search.highlight import CLOSE, OPEN
from indexer.search.query import Recency, SearchRequest, SearchResult, parse_published


def _token_json(tok: Token) -> dict[str, Any]:
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


def _print_tokens(analyzer: Analyzer, text: str, as_json: bool, stream: TextIO) -> int:
    """Print the tokens of `text`; how many there were."""
    tokens = analyzer.analyze(text)
    if as_json:
        body = {"analyzer": analyzer.name, "tokens": [_token_json(t) for t in tokens]}
        stream.write(json.dumps(body, ensure_ascii=False) + "\n")
    else:
        for tok in tokens:
            stream.write(f"{tok.position}\t{tok.start}-{tok.end}\t{tok.token}\n")
    return len(tokens)


def cmd_analyze(args: argparse.Namespace) -> int:
    analyzer = default_analyzers()[args.analyzer]
    if args.text != "-":
        if not _print_tokens(analyzer, args.text, args.json, sys.stdout):
            print(
                f"arabic-search analyze: no tokens: the {analyzer.name} analyzer drops every "
                "word of this text (stopwords, punctuation, or nothing left once normalized)",
                file=sys.stderr,
            )
        return EXIT_OK
    # One text per line in, one JSON object per line out.
    for line in sys.stdin:
        _print_tokens(analyzer, line.rstrip("\r\n"), True, sys.stdout)
    return EXIT_OK


def cmd_mappings(args: argparse.Namespace) -> int:
    analyzers = build_analyzers(Normalizer())
    path: Path = args.path
    if args.check:
        if stale := mappings.stale(path, analyzers):
            for file in stale:
                print(f"{file} is stale: run 'arabic-search mappings --write'", file=sys.stderr)
            return EXIT_REJECTED
        print(f"{path} and {mappings.template_path(path)} are up to date")
        return EXIT_OK
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        for file, text in mappings.generated(path, analyzers).items():
            file.write_text(text, encoding="utf-8")
            print(f"wrote {file}")
        return EXIT_OK
    sys.stdout.write(mappings.render(analyzers))
    return EXIT_OK


def _read_log(args: argparse.Namespace, kept: str, size: int | None) -> ReadLog:
    return ReadLog(args.command, kept, size, ReadPosition(), args.verbose, args.report)


WRITE_EVERY = 256  # articles a write: one write each cost a tenth of the writing


def cmd_parse(args: argparse.Namespace) -> int:
    options = _read_options(args)
    report = ParseReport()
    out = sys.stdout.buffer
    size = input_bytes(args.paths)
    workers = default_workers(size) if args.workers is None else args.workers
    log = _read_log(args, "parsed", size)
    lines: list[bytes] = []
    try:
        for outcome in written_outcomes(args.paths, options, log.position, workers):
            report.add(outcome)
            log.seen(outcome)
            if isinstance(outcome, Written):
                lines.append(outcome.line)
                if len(lines) == WRITE_EVERY:
                    out.write(b"".join(lines))
                    lines.clear()
    finally:
        log.close()
    out.write(b"".join(lines))
    out.flush()
    log.finish(report.summary())
    return EXIT_REJECTED if report.rejected else EXIT_OK


DEFAULT_DEAD_LETTERS = Path("dead-letters")


def _default_home() -> str:
    return os.environ.get(HOME_VARIABLE) or DEFAULT_HOME


@dataclass(frozen=True)
class BackendOptions:
    """What opens a backend. Each command's parser has only the options that apply to
    it (_add_backend_options); the others keep these defaults."""

    backend: str | None  # None: choose_backend decides
    timeout: float | None  # None: ClusterSettings' own
    retries: int | None
    home: str = field(default_factory=_default_home)
    keep_versions: int = KEEP_OLD_VERSIONS
    checkpoint_every: int | None = None  # None: the backend's own interval
    dead_letters: Path = DEFAULT_DEAD_LETTERS


def _backend_options(args: argparse.Namespace, **specific: Any) -> BackendOptions:
    """The options every backend command has, and those this one adds (`specific`)."""
    return replace(BackendOptions(args.backend, args.timeout, args.retries), **specific)


def _backend(options: BackendOptions) -> Backend:
    engine = choose_backend(options.backend)
    if engine == "embedded":
        print(f"backend: embedded (home {options.home})", file=sys.stderr)
        return EmbeddedBackend(
            options.home,
            keep_old_versions=options.keep_versions,
            checkpoint_every=options.checkpoint_every or EMBEDDED_CHECKPOINT_EVERY,
        )
    # Imported here: the clients take a third of a second to import.
    from indexer.backends.cluster.backend import open_cluster
    from indexer.backends.cluster.settings import ClusterSettings

    settings = ClusterSettings.from_env(
        engine=engine,
        request_timeout=options.timeout,
        max_retries=options.retries,
        keep_old_versions=options.keep_versions,
        checkpoint_every=options.checkpoint_every,
    )
    print(f"backend: {engine} ({settings.safe_url})", file=sys.stderr)
    return open_cluster(engine, settings, dead_letters=options.dead_letters)


def cmd_reindex(args: argparse.Namespace) -> int:
    backend = _backend(
        _backend_options(
            args,
            home=args.home,
            keep_versions=args.keep_versions,
            checkpoint_every=args.checkpoint_every,
            dead_letters=args.dead_letters,
        )
    )
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
    log = _read_log(args, "indexed", input_bytes(paths))
    try:
        report = reindex(
            backend,
            paths,
            args.alias,
            options,
            on_outcome=log.seen,
            resume=args.resume,
            allow_shrink=args.allow_shrink,
            position=log.position,
        )
        log.refused(report.refused, backend.name)
    finally:
        log.close()
    print(f"alias {args.alias} -> {report.version}", file=sys.stderr)
    log.finish(report.summary())
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


def _shown_date(published_at: str | None) -> str | None:
    """One readable form of a stored ISO 8601 date: the date alone when the source gave
    no time, else the date and minutes in UTC, the clock that --since, --until and
    --sort date go by (a time stored without its zone is taken as UTC, as they take it)."""
    if not published_at or len(published_at) <= len("2021-11-23"):
        return published_at
    moment = parse_published(published_at)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else published_at


def _print_result(result: SearchResult, out: TextIO, first: int = 1) -> None:
    """The readable result; its hits numbered from `first` (page 2 of 10: from 11)."""
    if result.nothing_searchable:
        out.write("0 results: nothing searchable is left of the query")
        if result.dropped:
            out.write(f": {', '.join(result.dropped)} are stopwords or punctuation")
        out.write(" (a stopword counts only inside a quoted phrase)\n")
        return
    out.write(f"{result.total} result{'' if result.total == 1 else 's'}\n")
    for number, hit in enumerate(result.hits, start=first):
        shown = (_shown_date(hit.published_at), hit.category, hit.source)
        meta = " · ".join(v for v in shown if v)
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
    if args.show_query:
        return _show_query(args, request)
    backend = _backend(_backend_options(args, home=args.home))
    try:
        result = backend.search(args.alias, request)
    except BackendError as err:
        # No index yet, or an old one: an interrupted reindex may be the way out.
        if not isinstance(err, BackendUnavailable) and (
            version := interrupted_version(backend, args.alias)
        ):
            err.add_hint(resume_advice(version))
        raise
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        # A cursor does not say how deep it is: its page is numbered from 1.
        first = 1 if args.cursor else (args.page - 1) * args.size + 1
        _print_result(result, sys.stdout, first)
    return EXIT_OK


def _show_query(args: argparse.Namespace, request: SearchRequest) -> int:
    """The body a search sends to a cluster, for curl and Kibana, without searching. Only
    recency needs an index, for its origin: looked up through the chosen backend."""
    if request.needs_origin:
        backend = _backend(_backend_options(args, home=args.home))
        request = request.with_origin(backend.newest_published(args.alias))
    sys.stdout.write(json.dumps(search_body(request), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    backend = _backend(_backend_options(args, home=args.home))
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
    backend = _backend(_backend_options(args, home=args.home))
    before = backend.status(args.alias).current
    after = backend.rollback(args.alias)
    print(f"alias {args.alias}: {before or '(none)'} -> {after}")
    return EXIT_OK


def cmd_unlock(args: argparse.Namespace) -> int:
    holder = _backend(_backend_options(args)).unlock(args.alias)
    if holder is None:
        print(f"no reindex lock on {args.alias}")
    else:
        print(f"cleared the reindex lock on {args.alias} (held by {holder})")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    target = _eval_target(args.backend)
    for option, path, what in (
        ("--corpus", args.corpus, "corpus.jsonl"),
        ("--queries", args.queries, "queries.jsonl"),
        ("--qrels", args.qrels, "qrels .tsv"),
    ):
        if not path.is_file():
            raise EvaluationError(f"{option} {path}: no such file; give the BEIR {what} file")
    wanted = read_judged(args.queries, args.qrels)
    articles = read_articles(args.corpus, args.distractors)
    available = profiles()
    names = list(available) if args.compare else ["ours"]
    scores = {}
    for name in names:
        feedback = Feedback() if args.feedback and name == "ours" else None
        [ranked] = ranked_runs(available[name], articles, wanted.texts, target, (), feedback)
        scores[name] = metrics(ranked, wanted.judged).to_json()
        if args.folds:
            by_fold = fold_scores(ranked, wanted.judged, args.folds)
            scores[name]["folds"] = [s.to_json() for s in by_fold]
        if not args.json:
            for label, s in [(name, scores[name]), *_fold_rows(scores[name])]:
                print(
                    f"{label:10} queries {s['queries']:<4} MRR@10 {s['mrr@10']:.4f}  "
                    f"nDCG@10 {s['ndcg@10']:.4f}  Recall@100 {s['recall@100']:.4f}"
                )
    if args.json:
        print(json.dumps(scores if args.compare else scores["ours"]))
    elif args.compare:
        ours, stock = (_fold_rows_or_all(scores[n]) for n in ("ours", "arabic"))
        ratios = (
            o["mrr@10"] / s["mrr@10"] if s["mrr@10"] else math.inf
            for o, s in zip(ours, stock, strict=True)
        )
        print(f"ours / arabic MRR@10: {' '.join(f'{r:.3f}' for r in ratios)}")
    return EXIT_OK


def _fold_rows(scores: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"  fold {i}", s) for i, s in enumerate(scores.get("folds", []), start=1)]


def _fold_rows_or_all(scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Each fold's scores, or the whole set's when it was not split."""
    return scores.get("folds") or [scores]


def _eval_target(name: str | None) -> Target:
    engine = choose_backend(name)
    if engine == "embedded":
        print("backend: embedded (a temporary index)", file=sys.stderr)
        return EMBEDDED
    from indexer.backends.cluster.settings import ClusterSettings

    settings = ClusterSettings.from_env(engine=engine)
    print(f"backend: {engine} ({settings.safe_url}, a temporary index)", file=sys.stderr)
    return Target(engine, settings)


def _read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(
        format=args.format,
        field_map=FieldMap(parse_field_options(args.field)),
        max_chars=args.max_chars,
    )


def _at_least(low: float, kind: Callable[[str], float] = int) -> Callable[[str], float]:
    """An argparse type: a number of `kind`, `low` or more."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {low} or more, not {text}")
        return value

    return parse


def _add_read_options(p: argparse.ArgumentParser, paths: str = "+") -> None:
    p.add_argument("paths", nargs=paths, metavar="PATH", help="files, directories, or - for stdin")
    p.add_argument(
        "--format",
        default="auto",
        choices=FORMATS,
        help="the files' format (default %(default)s: by extension, else by content)",
    )
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=SOURCE_FIELD",
        help="take article field NAME from SOURCE_FIELD (a JSON key, CSV column or TREC tag); "
        "repeatable (default: the built-in aliases, such as text for body)",
    )
    p.add_argument(
        "--max-chars",
        type=_at_least(1),
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help="reject records with more text than N characters (1 or more; default %(default)s)",
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="write every record's fate to PATH, one JSON line each: parsed (reindex: "
        "indexed), duplicate or rejected, with its origin and reason (default: none)",
    )
    p.add_argument(
        "--verbose",
        action="store_true",
        help=f"show every duplicate, rejection and warning (default: the first {SHOWN_EACH} "
        "of each)",
    )


def _add_backend_options(
    p: argparse.ArgumentParser, home: bool = True, keep_versions: bool = False
) -> None:
    """The options that choose and reach a backend; `home` and `keep_versions` only
    where they apply (what is left out gets its default)."""
    p.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        help="default: $ARABIC_SEARCH_BACKEND, else elasticsearch when $ES_URL is set, "
        "opensearch when $OPENSEARCH_URL is, else embedded",
    )
    p.add_argument("--alias", default=DEFAULT_ALIAS, help="the index alias (default %(default)s)")
    if home:
        p.add_argument(
            "--home",
            default=_default_home(),
            metavar="DIR",
            help=f"embedded only: the folder of the index (default ${HOME_VARIABLE}, else "
            f"{DEFAULT_HOME})",
        )
    p.add_argument(
        "--timeout",
        type=_at_least(0.001, float),
        metavar="SECONDS",
        help="cluster only: how long one request may take (more than 0; default 30)",
    )
    p.add_argument(
        "--retries",
        type=_at_least(0),
        metavar="N",
        help="cluster only: retries of a request or bulk chunk that failed for a passing "
        "reason (0 or more; default 5)",
    )
    if keep_versions:
        p.add_argument(
            "--keep-versions",
            type=_at_least(1),
            default=KEEP_OLD_VERSIONS,
            metavar="N",
            help="old versions of the alias kept after a reindex (1 or more; default %(default)s)",
        )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    run: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    about = COMMANDS[name]
    p = commands.add_parser(
        name,
        help=about.summary,
        description=about.description,
        epilog=about.epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(run=run)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arabic-search",
        description=MAIN_DESCRIPTION,
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _command(commands, "normalize", cmd_normalize)
    p.add_argument(
        "--disable",
        action="append",
        default=[],
        choices=RULE_NAMES,
        metavar="RULE",
        help="switch a rule off; repeatable (default: every rule on; see --list-rules)",
    )
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")

    p = _command(commands, "analyze", cmd_analyze)
    p.add_argument("text", metavar="TEXT|-", help="the text, or - for one text per stdin line")
    p.add_argument(
        "--analyzer",
        default="text",
        choices=list(default_analyzers()),
        help="text: stemmed, stopwords out; exact: normalized words; exact_search: and "
        "stopwords out; grams: trigrams; grams_search: the same, each at a position of its "
        "own; keyword: a whole value (default %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of lines")

    p = _command(commands, "parse", cmd_parse)
    _add_read_options(p)
    p.add_argument(
        "--workers",
        type=_at_least(0),
        metavar="N",
        help=f"processes that parse JSON Lines beside this one (0 or more; default "
        f"{WORKERS} for an input of {MIN_BYTES >> 20} MiB or more on more than one core, else 0; "
        "Windows, which cannot fork them, parses in one process)",
    )

    p = _command(commands, "reindex", cmd_reindex)
    _add_read_options(p, paths="*")
    _add_backend_options(p, keep_versions=True)
    p.add_argument(
        "--from-index",
        action="store_true",
        help="cluster only: rebuild from the current index on the server, re-analyzed "
        "(after an analyzer change), instead of from files",
    )
    p.add_argument(
        "--checkpoint-every",
        type=_at_least(1),
        metavar="N",
        help=f"documents between checkpoints (1 or more; default {CLUSTER_CHECKPOINT_EVERY:,}; "
        f"embedded: {EMBEDDED_CHECKPOINT_EVERY:,}, each one a commit and an index segment)",
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
        type=Path,
        default=DEFAULT_DEAD_LETTERS,
        metavar="DIR",
        help="cluster only: where documents the engine refuses are written (default %(default)s)",
    )

    p = _command(commands, "search", cmd_search)
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
            help=f"only articles of this {name}, in any spelling (default: all)",
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
        "--size", type=int, default=10, metavar="N", help="hits a page (1-100; default %(default)s)"
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
    _add_backend_options(p)

    p = _command(commands, "status", cmd_status)
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    _add_backend_options(p)

    p = _command(commands, "rollback", cmd_rollback)
    _add_backend_options(p)

    p = _command(commands, "unlock", cmd_unlock)
    _add_backend_options(p, home=False)

    p = _command(commands, "eval", cmd_eval)
    p.add_argument("--corpus", type=Path, required=True, help="the BEIR corpus.jsonl")
    p.add_argument("--queries", type=Path, required=True, help="the BEIR queries.jsonl")
    p.add_argument("--qrels", type=Path, required=True, help="BEIR qrels .tsv (with a header)")
    p.add_argument(
        "--distractors",
        action="append",
        default=[],
        metavar="PATH",
        help="more articles for the index, never relevant (any format parse reads); "
        "repeatable (default: none)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="also run the baselines: no Arabic processing, stock Elasticsearch arabic",
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument(
        "--folds",
        type=_at_least(2),
        metavar="K",
        help="also score each of K folds of the queries (a seeded split, the same every "
        "run), 2 or more (default: no folds)",
    )
    p.add_argument(
        "--feedback",
        action="store_true",
        help="ours with pseudo-relevance feedback: the query again with 20 terms of its "
        "first 10 hits, after those 10 (an experiment; the baselines stay as they are)",
    )
    p.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        help="where the temporary index is built: embedded, or a cluster from ES_URL or "
        "OPENSEARCH_URL (default: as for the other commands)",
    )

    p = _command(commands, "mappings", cmd_mappings)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="write the file from the code")
    group.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    p.add_argument(
        "--path",
        type=Path,
        default=mappings.DEFAULT_PATH,
        help="the mappings file for --write and --check; search-request.json goes beside it "
        "(default %(default)s)",
    )
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
    run: Callable[[argparse.Namespace], int] = args.run  # set by _command
    try:
        return run(args)
    except ArabicSearchError as err:
        # The message and its hint on one line, then a line a note (what was left behind).
        for line in [str(err), *getattr(err, "__notes__", [])]:
            print(f"arabic-search {args.command}: {line}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as err:
        for line in ["interrupted", *getattr(err, "__notes__", [])]:
            print(f"arabic-search {args.command}: {line}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `arabic-search ... | head` is fine
        sys.stderr.close()
        return EXIT_OK
