"""arabic-search normalize: stdin to stdout, line by line, as the index normalizes."""

from __future__ import annotations

import argparse
import json
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
    p.add_argument(
        "--json",
        action="store_true",
        help='a JSON object a line of input ({"line", "normalized"}); with --list-rules, '
        "one object of the rules",
    )


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        if args.json:
            print(json.dumps({"rules": RULE_REASONS}, ensure_ascii=False))
            return EXIT_OK
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
                + ("normalized: null" if args.json else "passed through unchanged"),
                file=sys.stderr,
            )
            # As text, passed through; as JSON, which holds text only, null.
            out.write(_json_line(number, None) if args.json else line)
            continue
        normalized = normalizer.normalize(text)
        out.write(
            _json_line(number, normalized.rstrip("\r\n")) if args.json else normalized.encode()
        )
    out.flush()
    return EXIT_REJECTED if bad_lines else EXIT_OK


def _json_line(number: int, normalized: str | None) -> bytes:
    """One line of input as JSON Lines: its number and its normalized text (None: not
    UTF-8)."""
    body = {"line": number, "normalized": normalized}
    return json.dumps(body, ensure_ascii=False).encode() + b"\n"


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
        "arabic-search normalize --json < in.txt > normalized.jsonl",
    ),
    (OK, (EXIT_REJECTED, "a line was not UTF-8 (passed through unchanged)"), USAGE),
    add_arguments,
    run,
)
