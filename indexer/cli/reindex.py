"""arabic-search reindex: index files into a new version, then move the alias to it."""

from __future__ import annotations

import argparse
import sys

from indexer.backends import BackendError
from indexer.backends.cluster.settings import CHECKPOINT_EVERY as CLUSTER_CHECKPOINT_EVERY
from indexer.backends.embedded.backend import CHECKPOINT_EVERY as EMBEDDED_CHECKPOINT_EVERY
from indexer.cli.command import OK, UNAVAILABLE, Command
from indexer.cli.options import (
    add_backend_options,
    add_dead_letters_option,
    add_layout_options,
    add_read_options,
    at_least,
    backend_options,
    check_dead_letters,
    command_for,
    open_backend,
    read_log,
    read_options,
)
from indexer.cli.output import print_json
from indexer.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE
from indexer.index.reindex import dry_run, interrupted_load, reindex, reindex_from_index
from indexer.ingest.progress import CopyLog
from indexer.ingest.sources.files import STDIN, check_paths, input_bytes, stdin_is_empty


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_read_options(p, paths="*")
    add_backend_options(p, keep_versions=True)
    add_layout_options(p)
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
    add_dead_letters_option(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="read and check the input as a reindex does and report the counts, without "
        "building a version or moving the alias (exit codes as a reindex's)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="at the end, one JSON object on stdout: alias, version, dry_run, from_index, "
        "counts read, indexed, duplicates, rejected, resumed_from",
    )


def run(args: argparse.Namespace) -> int:
    opening = backend_options(
        args,
        home=args.home,
        keep_versions=args.keep_versions,
        checkpoint_every=args.checkpoint_every,
        dead_letters=args.dead_letters,
        shards=args.shards,
        replicas=args.replicas,
    )
    check_paths(args.paths)  # before anything is built (and --resume's own, below)
    backend = open_backend(opening)
    if args.from_index:
        if args.dry_run:
            raise BackendError(
                "--dry-run reads files, and --from-index reads none: run --from-index "
                "without --dry-run, or give the files to check"
            )
        copying = CopyLog(args.command)
        try:
            version, count, replayed = reindex_from_index(backend, args.alias, copying.update)
        finally:
            copying.close()
        meanwhile = f" (+ {replayed} updates made meanwhile)" if replayed else ""
        print(f"alias {args.alias} -> {version} ({count} documents{meanwhile})", file=sys.stderr)
        if args.json:
            print_json(from_index_json(args.alias, version, count))
        return EXIT_OK
    paths, options = args.paths, read_options(args)
    if args.resume and not paths:  # the interrupted load's own paths and options
        version, checkpoint = interrupted_load(backend, args.alias)
        paths, options = checkpoint.paths, checkpoint.read_options()
        doing = "would resume" if args.dry_run else "resuming"
        print(f"{doing} {version} after {checkpoint.where}", file=sys.stderr)
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
    # A dry run indexes nothing: its report says parsed, as parse's does.
    log = read_log(args, "parsed" if args.dry_run else "indexed", input_bytes(paths))
    try:
        report = (dry_run if args.dry_run else reindex)(
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
    if not report.dry_run:
        print(f"alias {args.alias} -> {report.version}", file=sys.stderr)
    log.finish(report.summary())
    if args.json:
        print_json(report.to_json(args.alias))
    return EXIT_REJECTED if report.rejected else EXIT_OK


def from_index_json(alias: str, version: str, count: int) -> dict[str, object]:
    """--json for --from-index: the same keys as a load's, every document copied."""
    return {
        "alias": alias,
        "version": version,
        "dry_run": False,
        "from_index": True,
        "read": count,
        "indexed": count,
        "duplicates": 0,
        "rejected": 0,
        "resumed_from": None,
    }


COMMAND = Command(
    "reindex",
    "index article files into a new version, then switch the alias to it",
    "Read article files as parse does and index them into a new version of the\n"
    "alias. The alias moves to it in one step only after a complete load; a\n"
    "version that indexed nothing, or under half the live documents (without\n"
    "--allow-shrink), is deleted and the alias stays. --resume continues an\n"
    "interrupted load; --from-index rebuilds on the server (clusters only).\n"
    "--dry-run reads and checks without building anything.",
    (
        "arabic-search reindex articles.jsonl.gz pages/",
        "arabic-search reindex articles.jsonl.gz --report fates.jsonl --verbose",
        "arabic-search reindex articles.jsonl.gz --dry-run --json",
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
