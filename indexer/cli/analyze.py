"""arabic-search analyze: the tokens an analyzer of the index makes of a text."""

from __future__ import annotations

import argparse
import sys

from indexer.analysis.analyzers import default_analyzers
from indexer.cli.command import OK, USAGE, Command
from indexer.cli.output import token_lines, tokens_json
from indexer.errors import EXIT_OK


def add_arguments(p: argparse.ArgumentParser) -> None:
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


def run(args: argparse.Namespace) -> int:
    analyzer = default_analyzers()[args.analyzer]
    if args.text != "-":
        tokens = analyzer.analyze(args.text)
        out = tokens_json(analyzer.name, tokens) if args.json else token_lines(tokens)
        sys.stdout.write(out)
        if not tokens:
            print(
                f"arabic-search analyze: no tokens: the {analyzer.name} analyzer drops every "
                "word of this text (stopwords, punctuation, or nothing left once normalized)",
                file=sys.stderr,
            )
        return EXIT_OK
    # One text per line in, one JSON object per line out.
    for line in sys.stdin:
        sys.stdout.write(tokens_json(analyzer.name, analyzer.analyze(line.rstrip("\r\n"))))
    return EXIT_OK


COMMAND = Command(
    "analyze",
    "show the tokens an analyzer makes of a text",
    "Show the tokens an analyzer of the index makes of a text: position, offsets\n"
    "and term, or JSON. With - it reads one text per stdin line and writes one JSON\n"
    "object per line. A text all of stopwords or punctuation gives no tokens; stderr\n"
    "says so.",
    (
        "arabic-search analyze 'الخارجية الروسية'",
        "arabic-search analyze --analyzer exact --json 'وزارة الخارجية'",
        "printf 'أحمد\\nالقاهرة\\n' | arabic-search analyze -",
    ),
    (OK, USAGE),
    add_arguments,
    run,
)
