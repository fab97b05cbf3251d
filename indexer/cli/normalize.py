"""arabic-search normalize: stdin to stdout, line by line, as the index normalizes."""

from __future__ import annotations

import argparse
import sys

from indexer.analysis.normalize import RULE_NAMES, RULE_REASONS, Normalizer
from indexer.cli.command import OK, USAGE, Command
from indexer.errors import EXIT_OK, EXIT_REJECTED


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--disable",
        action="append",
        default=[],
        choices=RULE_NAMES,
        metavar="RULE",
        help="switch a rule off; repeatable (default: every rule on; see --list-rules)",
    )
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")


def run(args: argparse.Namespace) -> int:
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


COMMAND = Command(
    "normalize",
    "normalize Arabic text, stdin to stdout, line by line",
    "Normalize Arabic text as the index does (hamza forms, diacritics, tatweel,\n"
    "letter variants, digits), line by line from stdin to stdout. A line that is\n"
    "not UTF-8 passes through unchanged and is reported on stderr.",
    (
        "echo 'أَحْمَد في القاهرة' | arabic-search normalize     # احمد في القاهره",
        "arabic-search normalize --disable fold_teh_marbuta < in.txt > out.txt",
        "arabic-search normalize --list-rules",
    ),
    (OK, (EXIT_REJECTED, "a line was not UTF-8 (passed through unchanged)"), USAGE),
    add_arguments,
    run,
)
