"""arabic-search status, versions, rollback, discard and unlock: the alias and its
versions, which share the backend options and nothing else."""

from __future__ import annotations

import argparse
import sys

from indexer.backends import Backend, BackendError, Status, discard_refusal, no_such_alias
from indexer.cli.command import OK, UNAVAILABLE, Command
from indexer.cli.options import add_backend_options, backend_options, command_for, open_backend
from indexer.cli.output import (
    discard_line,
    print_json,
    rollback_line,
    status_lines,
    unlock_line,
    unlock_question,
    version_lines,
    versions_json,
)
from indexer.errors import EXIT_OK, EXIT_USAGE
from indexer.index.reindex import RESUME, interrupted_version

JSON_HELP = "one JSON object instead of text"


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def add_status_arguments(p: argparse.ArgumentParser) -> None:
    add_json(p)
    add_backend_options(p)


def existing(backend: Backend, args: argparse.Namespace) -> Status:
    """The alias's status; refused when the alias has nothing."""
    status = backend.status(args.alias)
    if not status.exists:
        raise BackendError(
            no_such_alias(args.alias, command_for(args, "arabic-search reindex PATH..."))
        )
    return status


def run_status(args: argparse.Namespace) -> int:
    backend = open_backend(backend_options(args, home=args.home))
    status = existing(backend, args)
    # A version being built is not interrupted: no advice to resume it while it runs.
    interrupted = None if status.lock else interrupted_version(backend, args.alias)
    if args.json:
        print_json({**status.to_json(), "interrupted": interrupted})
    else:
        resume = command_for(args, RESUME)
        print("\n".join(status_lines(status, interrupted, resume)))
    return EXIT_OK


def run_versions(args: argparse.Namespace) -> int:
    status = existing(open_backend(backend_options(args, home=args.home)), args)
    if args.json:
        print_json(versions_json(status))
    else:
        print("\n".join(version_lines(status)))
    return EXIT_OK


def add_rollback_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--to",
        metavar="VERSION",
        help="the complete version to point the alias at, older or newer than the live one "
        "(default: the next older complete one; 'arabic-search versions' lists them)",
    )
    add_json(p)
    add_backend_options(p)


def run_rollback(args: argparse.Namespace) -> int:
    backend = open_backend(backend_options(args, home=args.home))
    before = backend.status(args.alias).current
    after = backend.rollback(args.alias, args.to)
    if args.json:
        print_json({"alias": args.alias, "from": before, "to": after})
    else:
        print(rollback_line(args.alias, before, after))
    return EXIT_OK


def add_discard_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("version", metavar="VERSION", help="the version to delete")
    add_json(p)
    add_backend_options(p)


def run_discard(args: argparse.Namespace) -> int:
    backend = open_backend(backend_options(args, home=args.home))
    status = existing(backend, args)
    if refusal := discard_refusal(
        status, args.version, command_for(args, "arabic-search rollback")
    ):
        raise BackendError(refusal)
    backend.discard(args.version)
    if args.json:
        print_json({"alias": args.alias, "discarded": args.version, "current": status.current})
    else:
        print(discard_line(args.alias, args.version, status.current))
    return EXIT_OK


def add_unlock_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--yes",
        action="store_true",
        help="clear a lock held from another machine without asking (needed where stdin "
        "is not a terminal)",
    )
    add_json(p)
    add_backend_options(p, home=False)  # an embedded lock ends with its process


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def confirmed(question: str) -> bool:
    """The user's yes to `question`, asked on stderr, read from the terminal."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def run_unlock(args: argparse.Namespace) -> int:
    backend = open_backend(backend_options(args))
    holder = backend.lock_holder(args.alias)
    # A lock taken on another machine may belong to a reindex that still runs there,
    # which this machine cannot see: clearing it lets a second reindex start beside it.
    if holder is not None and holder.elsewhere and not args.yes:
        if not stdin_is_terminal():
            raise BackendError(
                f"the reindex lock on {args.alias!r} is held by {holder}, another machine, "
                "where a reindex may still run: not cleared; check there, then run it again "
                "with --yes"
            )
        if not confirmed(unlock_question(args.alias, holder)):
            raise BackendError(f"the reindex lock on {args.alias!r} was left as it is")
    held_by = backend.unlock(args.alias)
    if args.json:
        print_json({"alias": args.alias, "cleared": held_by is not None, "holder": held_by})
    else:
        print(unlock_line(args.alias, held_by))
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

VERSIONS = Command(
    "versions",
    "list every version of the alias: created, documents, state, which is live",
    "List every version of the alias, oldest first, a line each: * for the live one,\n"
    "its name, when it was created, its documents and its state (complete, running,\n"
    "or interrupted at its checkpoint). The names are what rollback --to and discard\n"
    "take.",
    ("arabic-search versions", "arabic-search versions --json --alias news"),
    (OK, (EXIT_USAGE, "the alias does not exist, or a usage error"), UNAVAILABLE),
    add_status_arguments,
    run_versions,
)

ROLLBACK = Command(
    "rollback",
    "point the alias back at the previous version, or at --to VERSION",
    "Point the alias at the next older complete version, one step back at a time,\n"
    "or with --to at any complete version, older or newer, and print the move.",
    (
        "arabic-search rollback",
        "arabic-search rollback --to articles-20261201t210543294456",
        "arabic-search rollback --backend opensearch --alias news --json",
    ),
    (
        OK,
        (
            EXIT_USAGE,
            "no previous version to roll back to; --to names an unknown or incomplete "
            "version, or the live one; or a usage error",
        ),
        UNAVAILABLE,
    ),
    add_rollback_arguments,
    run_rollback,
)

DISCARD = Command(
    "discard",
    "delete an old or incomplete version of the alias",
    "Delete a version of the alias that is not live: an old one, or one whose load\n"
    "was interrupted. The live version, and one a running reindex is building, are\n"
    "refused.",
    (
        "arabic-search discard articles-20261201t210543294456",
        "arabic-search discard news-20261201t210543294456 --alias news --json",
    ),
    (
        OK,
        (
            EXIT_USAGE,
            "the version is not the alias's, is live, or is being built; or a usage error",
        ),
        UNAVAILABLE,
    ),
    add_discard_arguments,
    run_discard,
)

UNLOCK = Command(
    "unlock",
    "clear the reindex lock a crashed reindex left (clusters)",
    "Clear the reindex lock of the alias on a cluster, left by a reindex that\n"
    "crashed on another machine (a lock of this machine whose process has ended is\n"
    "taken over without it). A lock held from another machine is cleared only after\n"
    "a yes on the terminal, or with --yes. The embedded lock ends with its process:\n"
    "nothing to do.",
    (
        "arabic-search unlock --backend opensearch",
        "arabic-search unlock --alias news --yes --json",
    ),
    (
        OK,
        (
            EXIT_USAGE,
            "a lock held from another machine, not confirmed (no terminal and no --yes, "
            "or no yes); a usage or configuration error, or an error the engine reported",
        ),
        UNAVAILABLE,
    ),
    add_unlock_arguments,
    run_unlock,
)
