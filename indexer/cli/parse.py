"""arabic-search parse: read article files and print them as JSON Lines."""

from __future__ import annotations

import argparse
import sys

from indexer.cli.command import INTERRUPTED, OK, USAGE, Command
from indexer.cli.options import (
    add_read_options,
    at_least,
    check_fields_found,
    read_log,
    read_options,
)
from indexer.errors import EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE
from indexer.ingest.articles import Written
from indexer.ingest.parse import ParseReport
from indexer.ingest.sources.files import check_paths, input_bytes
from indexer.ingest.workers import MIN_BYTES, WORKERS, default_workers, written_outcomes

WRITE_EVERY = 256  # articles a write: one write each cost a tenth of the writing


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_read_options(p)
    p.add_argument(
        "--workers",
        type=at_least(0),
        metavar="N",
        help=f"processes that parse JSON Lines beside this one (0 or more; default "
        f"{WORKERS} for an input of {MIN_BYTES >> 20} MiB or more on more than one core, else 0; "
        "Windows, which cannot fork them, parses in one process)",
    )


def run(args: argparse.Namespace) -> int:
    options = read_options(args)
    check_paths(args.paths)
    report = ParseReport()
    out = sys.stdout.buffer
    size = input_bytes(args.paths)
    workers = default_workers(size) if args.workers is None else args.workers
    log = read_log(args, "parsed", size)
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
    check_fields_found(options, log)
    return EXIT_REJECTED if report.rejected else EXIT_OK


COMMAND = Command(
    "parse",
    "read article files and print them as JSON Lines",
    "Read article files (text pages, TREC, JSON Lines, CSV; .gz too), clean them,\n"
    "date them, set duplicates aside, and print one JSON object per article on\n"
    "stdout. On stderr: a progress bar on a terminal, the first 5 duplicates,\n"
    "rejections and warnings of each kind, and a summary with the time.",
    (
        "arabic-search parse articles.jsonl.gz > articles.jsonl",
        "arabic-search parse pages/ --report fates.jsonl > articles.jsonl",
        "arabic-search parse data.csv --field title=headline --field body=text",
    ),
    (
        OK,
        (EXIT_REJECTED, "finished, but records were rejected"),
        USAGE,
        (EXIT_UNAVAILABLE, "a worker process stopped (killed, out of memory)"),
        INTERRUPTED,
    ),
    add_arguments,
    run,
)
