"""The option groups several commands share, each defined once: reading files (parse,
and reindex but for --workers) and choosing and reaching a backend (reindex, search,
status, rollback, unlock); and what they open."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer.backends import (
    BACKEND_NAMES,
    DEFAULT_ALIAS,
    DEFAULT_HOME,
    KEEP_OLD_VERSIONS,
    Backend,
    Unsupported,
    choose_backend,
)
from indexer.backends.cluster.settings import (
    AUTO_REPLICAS,
    DEFAULT_RETRIES,
    DEFAULT_SHARDS,
    DEFAULT_TIMEOUT,
    REPLICAS_VARIABLE,
    SHARDS_VARIABLE,
)
from indexer.backends.embedded.backend import CHECKPOINT_EVERY as EMBEDDED_CHECKPOINT_EVERY
from indexer.backends.embedded.backend import EmbeddedBackend
from indexer.errors import ArabicSearchError
from indexer.ingest.articles import DEFAULT_MAX_CHARS
from indexer.ingest.dates import DATE_ORDERS
from indexer.ingest.progress import SHOWN_EACH, ReadLog
from indexer.ingest.sources import FORMATS
from indexer.ingest.sources.fieldmap import (
    FieldMap,
    FieldMapError,
    parse_field_options,
    unfound_overrides,
)
from indexer.ingest.sources.files import ReadOptions, ReadPosition

HOME_VARIABLE = "ARABIC_SEARCH_HOME"
DEFAULT_DEAD_LETTERS = Path("dead-letters")


def at_least(low: float, kind: Callable[[str], float] = int) -> Callable[[str], float]:
    """An argparse type: a number of `kind`, `low` or more."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {low} or more, not {text}")
        return value

    return parse


def add_read_options(p: argparse.ArgumentParser, paths: str = "+") -> None:
    """How files are read: parse's options, which reindex shares (but for --workers)."""
    p.add_argument("paths", nargs=paths, metavar="PATH", help="files, directories, or - for stdin")
    p.add_argument(
        "--format",
        default="auto",
        choices=FORMATS,
        help="the files' format (default %(default)s: by extension, else by content)",
    )
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=SOURCE_FIELD",
        help="take article field NAME from SOURCE_FIELD (a JSON key, CSV column or TREC tag); "
        "repeatable (default: the built-in aliases, such as text for body); id=SOURCE_FIELD "
        "takes the article id from the input, such as TREC's DOCNO (default: computed)",
    )
    p.add_argument(
        "--max-chars",
        type=at_least(1),
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help="reject records with more text than N characters (1 or more; default %(default)s)",
    )
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help="how a numeric date such as 01/05/2024 reads: dmy (day first) or mdy "
        "(default: only when one reading is possible; 05/06/2021 is left empty, with a warning)",
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="write every record's fate to PATH, one JSON line each: parsed (reindex: "
        "indexed), duplicate or rejected, with its origin and reason (default: none)",
    )
    p.add_argument(
        "--verbose",
        action="store_true",
        help=f"show every duplicate, rejection and warning (default: the first {SHOWN_EACH} "
        "of each)",
    )


def read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(
        format=args.format,
        field_map=FieldMap(parse_field_options(args.field)),
        max_chars=args.max_chars,
        date_order=args.date_order,
    )


def check_fields_found(options: ReadOptions, log: ReadLog) -> None:
    """After a reading: a --field whose source no file had is a usage error (exit 2),
    not a field left empty in silence."""
    unfound = unfound_overrides(options.field_map.overrides, log.position.files)
    if unfound:
        raise FieldMapError(
            f"--field {unfound[0]}: no file read has that key; give one of the keys "
            "the files have (their records were rejected, each naming them)"
        )


def read_log(args: argparse.Namespace, kept: str, size: int | None) -> ReadLog:
    """The progress bar, the first duplicates, rejections and warnings, and --report."""
    return ReadLog(args.command, kept, size, ReadPosition(), args.verbose, args.report)


def default_home() -> str:
    return os.environ.get(HOME_VARIABLE) or DEFAULT_HOME


def add_backend_options(
    p: argparse.ArgumentParser, home: bool = True, keep_versions: bool = False
) -> None:
    """The options that choose and reach a backend; `home` and `keep_versions` only
    where they apply (what is left out gets its default)."""
    p.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        help="default: $ARABIC_SEARCH_BACKEND, else elasticsearch when $ES_URL is set, "
        "opensearch when $OPENSEARCH_URL is, else embedded",
    )
    p.add_argument("--alias", default=DEFAULT_ALIAS, help="the index alias (default %(default)s)")
    if home:
        p.add_argument(
            "--home",
            default=default_home(),
            metavar="DIR",
            help=f"embedded only: the folder of the index (default ${HOME_VARIABLE}, else "
            f"{DEFAULT_HOME})",
        )
    p.add_argument(
        "--timeout",
        type=at_least(0.001, float),
        metavar="SECONDS",
        help="cluster only: how long one request may take (more than 0; default "
        f"{DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--retries",
        type=at_least(0),
        metavar="N",
        help="cluster only: retries of a request or bulk chunk that failed for a passing "
        f"reason (0 or more; default {DEFAULT_RETRIES})",
    )
    if keep_versions:
        p.add_argument(
            "--keep-versions",
            type=at_least(1),
            default=KEEP_OLD_VERSIONS,
            metavar="N",
            help="old versions of the alias kept after a reindex (1 or more; default %(default)s)",
        )


def add_dead_letters_option(p: argparse.ArgumentParser) -> None:
    """Where a cluster's refused documents go (the commands that index: reindex, add)."""
    p.add_argument(
        "--dead-letters",
        type=Path,
        default=DEFAULT_DEAD_LETTERS,
        metavar="DIR",
        help="cluster only: where documents the engine refuses are written (default %(default)s)",
    )


def add_layout_options(p: argparse.ArgumentParser) -> None:
    """A new version's shards and replicas (reindex): cluster only."""
    p.add_argument(
        "--shards",
        type=at_least(1),
        metavar="N",
        help=f"cluster only: primary shards of the new version (1 or more; default "
        f"${SHARDS_VARIABLE}, else {DEFAULT_SHARDS}); fixed once it is created",
    )
    p.add_argument(
        "--replicas",
        type=at_least(0),
        metavar="N",
        help=f"cluster only: replicas of each shard once loaded (0 or more; default "
        f"${REPLICAS_VARIABLE}, else one where a second node exists: auto_expand_replicas "
        f"{AUTO_REPLICAS})",
    )


def same_backend(args: argparse.Namespace) -> str:
    """The options that reach the backend and alias `args` reached, as a command
    printed for the user needs them: --backend when it was given, --alias when not the
    default, --home (embedded) when not the default."""
    flags = []
    if args.backend:
        flags += ["--backend", args.backend]
    if args.alias != DEFAULT_ALIAS:
        flags += ["--alias", args.alias]
    home = getattr(args, "home", DEFAULT_HOME)
    if choose_backend(args.backend) == "embedded" and home != DEFAULT_HOME:
        flags += ["--home", home]
    return shlex.join(flags)


def command_for(args: argparse.Namespace, command: str) -> str:
    """`command` (such as "arabic-search reindex --resume") for the same backend and
    alias as `args`."""
    flags = same_backend(args)
    return f"{command} {flags}" if flags else command


@dataclass(frozen=True)
class BackendOptions:
    """What opens a backend. Each command's parser has only the options that apply to
    it (add_backend_options); the others keep these defaults."""

    backend: str | None  # None: choose_backend decides
    timeout: float | None  # None: ClusterSettings' own
    retries: int | None
    home: str = field(default_factory=default_home)
    keep_versions: int = KEEP_OLD_VERSIONS
    checkpoint_every: int | None = None  # None: the backend's own interval
    dead_letters: Path = DEFAULT_DEAD_LETTERS
    shards: int | None = None  # None: the environment's, else ClusterSettings'
    replicas: int | None = None


def backend_options(args: argparse.Namespace, **specific: Any) -> BackendOptions:
    """The options every backend command has, and those this one adds (`specific`)."""
    return replace(BackendOptions(args.backend, args.timeout, args.retries), **specific)


class DeadLettersError(ArabicSearchError, ValueError):
    """--dead-letters names a place where the refused documents cannot be written."""


def check_dead_letters(options: BackendOptions) -> None:
    """Before a load, as --report is: a cluster writes the documents it refuses under
    --dead-letters, and a folder it cannot write would stop the load half way."""
    if choose_backend(options.backend) == "embedded":
        return  # the embedded backend refuses nothing after parsing
    folder = options.dead_letters
    existing = next(p for p in (folder, *folder.absolute().parents) if p.exists())
    if not existing.is_dir():
        reason = f"{existing} is not a folder"
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = f"cannot write in {existing}"
    else:
        return
    raise DeadLettersError(
        f"--dead-letters {folder}: {reason}; give a folder you can write to (nothing was loaded)"
    )


def open_backend(options: BackendOptions) -> Backend:
    """The chosen backend, named on stderr."""
    engine = choose_backend(options.backend)
    if engine == "embedded":
        if refusal := embedded_layout_refusal(options):
            raise Unsupported(refusal)
        print(f"backend: embedded (home {options.home})", file=sys.stderr)
        return EmbeddedBackend(
            options.home,
            keep_old_versions=options.keep_versions,
            checkpoint_every=options.checkpoint_every or EMBEDDED_CHECKPOINT_EVERY,
        )
    # Imported here: the clients take a third of a second to import.
    from indexer.backends.cluster.backend import open_cluster
    from indexer.backends.cluster.settings import ClusterSettings

    settings = ClusterSettings.from_env(
        engine=engine,
        request_timeout=options.timeout,
        max_retries=options.retries,
        keep_old_versions=options.keep_versions,
        checkpoint_every=options.checkpoint_every,
        shards=options.shards,
        replicas=options.replicas,
    )
    print(f"backend: {engine} ({settings.safe_url})", file=sys.stderr)
    return open_cluster(engine, settings, dead_letters=options.dead_letters)


def embedded_layout_refusal(options: BackendOptions) -> str | None:
    """Why the embedded backend refuses the --shards or --replicas asked for: its index
    is one folder, one shard with no replica; those two values it takes."""
    asked = [
        f"--{name} {value}"
        for name, value, holds in (
            ("shards", options.shards, 1),
            ("replicas", options.replicas, 0),
        )
        if value not in (None, holds)
    ]
    if not asked:
        return None
    return (
        f"{' and '.join(asked)}: the embedded backend's index is one folder on this machine, "
        "one shard with no replica; leave them out, or reindex into a cluster "
        "(--backend elasticsearch or opensearch)"
    )
