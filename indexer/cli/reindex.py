"""arabic-search reindex: index files into a new version, then move the alias to it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from indexer.backends import BackendError
from indexer.backends.cluster.settings import CHECKPOINT_EVERY as CLUSTER_CHECKPOINT_EVERY
from indexer.backends.embedded.backend import CHECKPOINT_EVERY as EMBEDDED_CHECKPOINT_EVERY
from indexer.cli.command import OK, UNAVAILABLE, Command
from indexer.cli.options import (
    DEFAULT_DEAD_LETTERS,
    add_backend_options,
    add_read_options,
    at_least,
    backend_options,
    check_dead_letters,
    command_for,
    open_backend,
    read_log,
    read_options,
)
from indexer.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE
from indexer.index.reindex import interrupted_load, reindex
from indexer.ingest.sources.files import STDIN, check_paths, input_bytes, stdin_is_empty


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_read_options(p, paths="*")
    add_backend_options(p, keep_versions=True)
    p.add_argument(
        "--from-index",
        action="store_true",
        help="cluster only: rebuild from the current index on the server, re-analyzed "
        "(after an analyzer change), instead of from files",
    )
    p.add_argument(
        "--checkpoint-every",
        type=at_least(1),
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


def run(args: argparse.Namespace) -> int:
    opening = backend_options(
        args,
        home=args.home,
        keep_versions=args.keep_versions,
        checkpoint_every=args.checkpoint_every,
        dead_letters=args.dead_letters,
    )
    check_paths(args.paths)  # before anything is built (and --resume's own, below)
    backend = open_backend(opening)
    if args.from_index:
        version, count = backend.reindex_from_index(args.alias)
        print(f"alias {args.alias} -> {version} ({count} documents)", file=sys.stderr)
        return EXIT_OK
    paths, options = args.paths, read_options(args)
    if args.resume and not paths:  # the interrupted load's own paths and options
        version, checkpoint = interrupted_load(backend, args.alias)
        paths, options = checkpoint.paths, checkpoint.read_options()
        print(f"resuming {version} after {checkpoint.where}", file=sys.stderr)
    if not paths:
        raise BackendError("give the files to index, or --from-index, or --resume")
    if args.resume and STDIN in paths and stdin_is_empty():
        # Read once: only the user can give it again. Read empty, the resume would say
        # the input changed (or delete the version) where it only was not piped again.
        raise BackendError(
            "--resume: the interrupted reindex read standard input, and none is given now; "
            "pipe the same input again "
            f"('... | {command_for(args, 'arabic-search reindex --resume')}')"
        )
    check_paths(paths)
    check_dead_letters(opening)
    log = read_log(args, "indexed", input_bytes(paths))
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


COMMAND = Command(
    "reindex",
    "index article files into a new version, then switch the alias to it",
    "Read article files as parse does and index them into a new version of the\n"
    "alias. The alias moves to it in one step only after a complete load; a\n"
    "version that indexed nothing, or under half the live documents (without\n"
    "--allow-shrink), is deleted and the alias stays. --resume continues an\n"
    "interrupted load; --from-index rebuilds on the server (clusters only).",
    (
        "arabic-search reindex articles.jsonl.gz pages/",
        "arabic-search reindex articles.jsonl.gz --report fates.jsonl --verbose",
        "OPENSEARCH_URL=http://127.0.0.1:9200 arabic-search reindex --resume",
    ),
    (
        OK,
        (EXIT_REJECTED, "finished, but records were rejected (by the parser or the engine)"),
        (
            EXIT_USAGE,
            "usage or configuration error, or refused: the alias did not move (it "
            "indexed nothing or shrank, another reindex runs, nothing to resume, no "
            "_reindex on the engine for --from-index)",
        ),
        (EXIT_UNAVAILABLE, f"{UNAVAILABLE[1]}, or bulk requests failing after the retries"),
        (EXIT_INTERRUPTED, "interrupted (Ctrl-C): run the same reindex with --resume"),
    ),
    add_arguments,
    run,
)
