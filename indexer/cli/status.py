"""arabic-search status, rollback and unlock: the alias and its versions, which share
the backend options and nothing else."""

from __future__ import annotations

import argparse
import json

from indexer.backends import BackendError, no_such_alias
from indexer.cli.command import BACKEND_USAGE, OK, UNAVAILABLE, Command
from indexer.cli.options import add_backend_options, backend_options, command_for, open_backend
from indexer.cli.output import rollback_line, status_lines, unlock_line
from indexer.errors import EXIT_OK, EXIT_USAGE
from indexer.index.reindex import RESUME, interrupted_version


def add_status_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    add_backend_options(p)


def run_status(args: argparse.Namespace) -> int:
    backend = open_backend(backend_options(args, home=args.home))
    status = backend.status(args.alias)
    if not status.exists:
        raise BackendError(
            no_such_alias(args.alias, command_for(args, "arabic-search reindex PATH..."))
        )
    # A version being built is not interrupted: no advice to resume it while it runs.
    interrupted = None if status.lock else interrupted_version(backend, args.alias)
    if args.json:
        print(json.dumps({**status.to_json(), "interrupted": interrupted}, ensure_ascii=False))
    else:
        resume = command_for(args, RESUME)
        print("\n".join(status_lines(status, interrupted, resume)))
    return EXIT_OK


def run_rollback(args: argparse.Namespace) -> int:
    backend = open_backend(backend_options(args, home=args.home))
    before = backend.status(args.alias).current
    after = backend.rollback(args.alias)
    print(rollback_line(args.alias, before, after))
    return EXIT_OK


def add_unlock_arguments(p: argparse.ArgumentParser) -> None:
    add_backend_options(p, home=False)  # an embedded lock ends with its process


def run_unlock(args: argparse.Namespace) -> int:
    holder = open_backend(backend_options(args)).unlock(args.alias)
    print(unlock_line(args.alias, holder))
    return EXIT_OK


STATUS = Command(
    "status",
    "the alias, its versions and their document counts",
    "Show where the alias points, its health, its document count and mapping\n"
    "version, who holds its reindex lock, every version of it with its count and\n"
    "state (complete, running, or interrupted at its checkpoint), and an\n"
    "interrupted reindex that --resume would continue.",
    ("arabic-search status", "arabic-search status --json --alias news"),
    (OK, (EXIT_USAGE, "the alias does not exist, or a usage error"), UNAVAILABLE),
    add_status_arguments,
    run_status,
)

ROLLBACK = Command(
    "rollback",
    "point the alias back at the previous version",
    "Point the alias at the next older complete version, one step back at a time,\n"
    "and print the move.",
    ("arabic-search rollback", "arabic-search rollback --backend opensearch --alias news"),
    (OK, (EXIT_USAGE, "no previous version to roll back to, or a usage error"), UNAVAILABLE),
    add_backend_options,
    run_rollback,
)

UNLOCK = Command(
    "unlock",
    "clear the reindex lock a crashed reindex left (clusters)",
    "Clear the reindex lock of the alias on a cluster, left by a reindex that\n"
    "crashed on another machine (a lock of this machine whose process has ended is\n"
    "taken over without it). The embedded lock ends with its process: nothing to do.",
    ("arabic-search unlock --backend opensearch", "arabic-search unlock --alias news"),
    (OK, BACKEND_USAGE, UNAVAILABLE),
    add_unlock_arguments,
    run_unlock,
)
