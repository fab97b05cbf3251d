"""arabic-search: the command line. Thin: each command calls the library functions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from indexer import mappings
from indexer.analysis.analyzers import Analyzer, Token, build_analyzers, default_analyzers
from indexer.analysis.normalize import RULE_NAMES, RULE_REASONS, Normalizer
from indexer.articles import DEFAULT_MAX_CHARS, Article
from indexer.ingest import Duplicate, ParseReport, parse_paths
from indexer.sources import FORMATS
from indexer.sources.fieldmap import FieldMap, FieldMapError, parse_field_options
from indexer.sources.files import ReadOptions

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


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
    try:
        field_map = FieldMap(parse_field_options(args.field))
    except FieldMapError as err:
        print(f"arabic-search parse: {err}", file=sys.stderr)
        return EXIT_USAGE
    options = ReadOptions(format=args.format, field_map=field_map, max_chars=args.max_chars)
    report = ParseReport()
    out = sys.stdout
    progress = tqdm(unit=" records", desc="parse", disable=None, file=sys.stderr)
    for outcome in parse_paths(args.paths, options):
        report.add(outcome)
        progress.update()
        if isinstance(outcome, Article):
            out.write(json.dumps(outcome.to_json(), ensure_ascii=False) + "\n")
            for warning in outcome.warnings:
                progress.write(f"{outcome.origin}: warning: {warning}", file=sys.stderr)
        elif isinstance(outcome, Duplicate):
            progress.write(
                f"{outcome.article.origin}: duplicate of {outcome.first} ({outcome.reason})",
                file=sys.stderr,
            )
        else:
            progress.write(f"{outcome.origin}: rejected: {outcome.reason}", file=sys.stderr)
    progress.close()
    out.flush()
    print(report.summary(), file=sys.stderr)
    return EXIT_REJECTED if report.rejected else EXIT_OK


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
    p.add_argument("--analyzer", default="text", choices=["text", "exact", "keyword"])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_analyze)

    p = commands.add_parser("parse", help="read article files and print them as JSON Lines")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for stdin")
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
    p.set_defaults(run=cmd_parse)

    p = commands.add_parser("mappings", help="print, write or check mappings/articles.json")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="write the file from the code")
    group.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    p.add_argument("--path", type=Path, default=mappings.DEFAULT_PATH, help="%(default)s")
    p.set_defaults(run=cmd_mappings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `arabic-search ... | head` is fine
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
