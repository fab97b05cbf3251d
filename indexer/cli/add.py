"""arabic-search add and delete: articles into, or out of, the live version, without a
reindex (indexer/index/updates.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from indexer.backends import Backend, BackendError, no_such_alias
from indexer.cli.command import BACKEND_USAGE, OK, UNAVAILABLE, Command
from indexer.cli.options import (
    DEFAULT_DEAD_LETTERS,
    add_backend_options,
    add_dead_letters_option,
    add_read_options,
    backend_options,
    check_dead_letters,
    command_for,
    open_backend,
    read_log,
    read_options,
)
from indexer.cli.output import print_json
from indexer.errors import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from indexer.index.updates import add, delete
from indexer.ingest.sources.files import check_paths, input_bytes


def _live(args: argparse.Namespace) -> Backend:
    """The backend, when the alias has a live version to update (exit 2 when not, with
    the reindex that makes one, for the same backend and alias)."""
    backend = open_backend(
        backend_options(
            args, home=args.home, dead_letters=getattr(args, "dead_letters", DEFAULT_DEAD_LETTERS)
        )
    )
    if backend.current(args.alias) is None:
        reindex = command_for(args, "arabic-search reindex PATH...")
        raise BackendError(no_such_alias(args.alias, reindex))
    return backend


def add_add_arguments(p: argparse.ArgumentParser) -> None:
    add_read_options(p)
    add_backend_options(p)
    add_dead_letters_option(p)
    p.add_argument("--json", action="store_true", help="the summary as one JSON object on stdout")


def run_add(args: argparse.Namespace) -> int:
    check_paths(args.paths)  # before anything is written
    backend = _live(args)
    check_dead_letters(backend_options(args, home=args.home, dead_letters=args.dead_letters))
    log = read_log(args, "added", input_bytes(args.paths))
    try:
        report = add(backend, args.paths, args.alias, read_options(args), log.seen, log.position)
        log.refused(report.refused, backend.name)
    finally:
        log.close()
    log.finish(f"{report.version}: {report.summary()}")
    if args.json:
        print_json(report.to_json())
    return EXIT_REJECTED if report.rejected else EXIT_OK


ADD = Command(
    "add",
    "add or replace articles in the live version, without a reindex",
    "Read article files as reindex does and put their articles into the version the\n"
    "alias points at: an article with a new id is added, one with the id of an\n"
    "indexed article replaces it, and one whose text is indexed already is a\n"
    "duplicate. Searches see them when it returns. An add made while a reindex runs\n"
    "is carried into the new version (docs/operating.md).",
    (
        "arabic-search add today.jsonl",
        "arabic-search add pages/ --report fates.jsonl",
    ),
    (
        OK,
        (EXIT_REJECTED, "finished, but records were rejected (by the parser or the engine)"),
        BACKEND_USAGE,
        UNAVAILABLE,
    ),
    add_add_arguments,
    run_add,
)


def add_delete_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", metavar="ID", help="the ids of the articles to delete")
    p.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="also delete the ids in FILE, one a line (- for stdin)",
    )
    add_backend_options(p)
    p.add_argument("--json", action="store_true", help="the summary as one JSON object on stdout")


def _ids(args: argparse.Namespace) -> list[str]:
    ids = list(args.ids)
    if args.from_file is not None:
        try:
            text = (
                sys.stdin.read()
                if str(args.from_file) == "-"
                else args.from_file.read_text(encoding="utf-8-sig")
            )
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
            raise BackendError(
                f"--from {args.from_file}: cannot read it ({reason}); give a file of ids, "
                "one a line"
            ) from None
        ids += [line.strip() for line in text.splitlines() if line.strip()]
    if not ids:
        raise BackendError("give the ids of the articles to delete, or --from FILE")
    return ids


def run_delete(args: argparse.Namespace) -> int:
    ids = _ids(args)
    backend = _live(args)
    report = delete(backend, args.alias, ids)
    for missing in report.missing:
        print(f"not found: {missing} (not in {report.version})", file=sys.stderr)
    print(f"{report.version}: {report.summary()}", file=sys.stderr)
    if args.json:
        print_json(report.to_json())
    return EXIT_REJECTED if report.missing else EXIT_OK


DELETE = Command(
    "delete",
    "delete articles from the live version by id",
    "Take articles out of the version the alias points at, by id (as search shows\n"
    "it). Searches no longer find them when it returns. An id the version does not\n"
    "hold is named, and the exit code is 1. A delete made while a reindex runs is\n"
    "carried into the new version (docs/operating.md).",
    (
        "arabic-search delete 3f2a9c0d1e",
        "arabic-search delete --from withdrawn.txt",
    ),
    (
        OK,
        (EXIT_REJECTED, "finished, but some ids were not found"),
        (EXIT_USAGE, BACKEND_USAGE[1]),
        UNAVAILABLE,
    ),
    add_delete_arguments,
    run_delete,
)
