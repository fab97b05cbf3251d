"""arabic-search: the command line. Thin: each command, in a module of its own (its
options, its help, its runner), calls the library functions; this module reads the
command line and turns errors into one line and an exit code."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import sys
from collections.abc import Callable, Sequence

from indexer.cli import add, analyze, mappings, normalize, parse, reindex, search, status
from indexer.cli.command import Command, Parser
from indexer.cli.eval import COMMAND as EVAL
from indexer.cli.options import HOME_VARIABLE
from indexer.errors import EXIT_INTERRUPTED, EXIT_OK, ArabicSearchError

COMMANDS: tuple[Command, ...] = (
    normalize.COMMAND,
    analyze.COMMAND,
    parse.COMMAND,
    reindex.COMMAND,
    add.ADD,
    add.DELETE,
    search.COMMAND,
    status.STATUS,
    status.VERSIONS,
    status.ROLLBACK,
    status.DISCARD,
    status.UNLOCK,
    EVAL,
    mappings.COMMAND,
)

MAIN_DESCRIPTION = "Arabic news search: normalize, analyze, parse, index, search."
MAIN_EPILOG = f"""\
'arabic-search COMMAND --help' describes a command, its options, examples and exit codes.

environment:
  ARABIC_SEARCH_BACKEND   the backend without --backend: embedded, elasticsearch, opensearch
  {HOME_VARIABLE:<23} the embedded index folder without --home (default .arabic-search)
  ES_URL, ES_API_KEY, ES_USERNAME, ES_PASSWORD, ES_CA_CERTS, ES_VERIFY_CERTS
  OPENSEARCH_URL, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD, OPENSEARCH_CA_CERTS,
  OPENSEARCH_VERIFY_CERTS  how to reach a cluster (docs/operating.md)

exit codes: 0 ok, 1 finished with rejects, 2 usage or refused, 3 backend unavailable,
130 interrupted"""


def package_version() -> str:
    """The installed package's version, from its metadata (pyproject.toml's)."""
    try:
        return importlib.metadata.version("arabic-search")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown (not installed)"


def build_parser() -> Parser:
    parser = Parser(
        prog="arabic-search",
        description=MAIN_DESCRIPTION,
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_to(commands)
    return parser


def command_parser(parser: Parser, name: str) -> Parser:
    """The parser of command `name`, among `parser`'s."""
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: Parser = commands.choices[name]
    return found


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line. A search QUERY may start with "-" (`search -بوتين`), which
    argparse takes for an unknown option: such arguments are the query's."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    words = [a for a in unknown if a.startswith("-") and not a.startswith("--")]
    if args.command == "search" and words == unknown:
        parts = words if args.query is None else [args.query, *words]
        if not parts:
            parser.error("search needs a QUERY ('' lists every article)")
        args.query = " ".join(parts)
    elif unknown:  # the command's usage, and the option meant
        command_parser(parser, args.command).unrecognized(unknown)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    # The clients log every failed request; what matters reaches the user as one line.
    logging.getLogger().addHandler(logging.NullHandler())
    run: Callable[[argparse.Namespace], int] = args.run  # set by Command.add_to
    try:
        return run(args)
    except ArabicSearchError as err:
        # The message and its hint on one line, then a line a note (what was left behind).
        for line in [str(err), *getattr(err, "__notes__", [])]:
            print(f"arabic-search {args.command}: {line}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as err:
        for line in ["interrupted", *getattr(err, "__notes__", [])]:
            print(f"arabic-search {args.command}: {line}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `arabic-search ... | head` is fine
        sys.stderr.close()
        return EXIT_OK
