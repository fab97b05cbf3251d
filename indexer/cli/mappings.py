"""arabic-search mappings: print, write or check the generated index files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer.analysis.analyzers import build_analyzers
from indexer.analysis.normalize import Normalizer
from indexer.cli.command import OK, USAGE, Command
from indexer.errors import EXIT_OK, EXIT_REJECTED
from indexer.index import mappings


def add_arguments(p: argparse.ArgumentParser) -> None:
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
    p.add_argument(
        "--json",
        action="store_true",
        help="--check and --write: one JSON object instead of lines (the mappings are JSON "
        "already)",
    )


def run(args: argparse.Namespace) -> int:
    analyzers = build_analyzers(Normalizer())
    path: Path = args.path
    if args.check:
        stale = mappings.stale(path, analyzers)
        if args.json:
            files = mappings.generated(path, analyzers)
            current = [str(f) for f in files if f not in stale]
            print(json.dumps({"up_to_date": current, "stale": [str(f) for f in stale]}))
        for file in stale:
            print(f"{file} is stale: run 'arabic-search mappings --write'", file=sys.stderr)
        if stale:
            return EXIT_REJECTED
        if not args.json:
            print(f"{path} and {mappings.template_path(path)} are up to date")
        return EXIT_OK
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        written = []
        for file, text in mappings.generated(path, analyzers).items():
            file.write_text(text, encoding="utf-8")
            written.append(str(file))
        print(
            json.dumps({"wrote": written})
            if args.json
            else "\n".join(f"wrote {f}" for f in written)
        )
        return EXIT_OK
    sys.stdout.write(mappings.render(analyzers))
    return EXIT_OK


COMMAND = Command(
    "mappings",
    "print, write or check mappings/articles.json and search-request.json",
    "The index settings and mappings, generated from the Python analyzers and the\n"
    "field table, and beside them the search body of the index contract\n"
    "(search-request.json): print the mappings, write both files, or check that\n"
    "they are current.",
    (
        "arabic-search mappings --check",
        "arabic-search mappings --write --json",
        "arabic-search mappings > /tmp/articles.json",
    ),
    (OK, (EXIT_REJECTED, "--check: a file is stale"), USAGE),
    add_arguments,
    run,
)
