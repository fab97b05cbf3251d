"""What a command of `arabic-search` is: its name, the words of its `--help` (what it
does, examples, its exit codes), a function adding its options and its runner. Each
command module (normalize.py, ..., mappings.py) defines its own; cli/__init__.py lists
them. The exit codes are indexer/errors.py's; the meanings shared by several commands
are here."""

from __future__ import annotations

import argparse
import difflib
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from indexer.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE

Exit = tuple[int, str]  # an exit code and what it means for this command

OK: Exit = (EXIT_OK, "ok")
USAGE: Exit = (EXIT_USAGE, "usage error: a bad option or value (the message says which)")
BACKEND_USAGE: Exit = (
    EXIT_USAGE,
    "usage or configuration error (a bad option, a setting such as ES_URL without a "
    "port), or an error the engine reported, such as credentials refused",
)
UNAVAILABLE: Exit = (
    EXIT_UNAVAILABLE,
    "the backend is unavailable: unreachable, TLS failed, no cluster of that engine at the url",
)
INTERRUPTED: Exit = (EXIT_INTERRUPTED, "interrupted (Ctrl-C)")


@dataclass(frozen=True)
class Command:
    name: str
    summary: str  # one line, in `arabic-search --help`
    description: str  # at the top of `arabic-search COMMAND --help`
    examples: tuple[str, ...]
    exits: tuple[Exit, ...]
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]

    @property
    def epilog(self) -> str:
        lines = ["examples:", *(f"  {e}" for e in self.examples), "", "exit codes:"]
        lines += [
            textwrap.fill(meaning, 79, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
            for code, meaning in self.exits
        ]
        return "\n".join(lines)

    def add_to(self, commands: argparse._SubParsersAction[Parser]) -> Parser:
        """This command's parser, with its options, among `commands`."""
        parser = commands.add_parser(
            self.name,
            help=self.summary,
            description=self.description,
            epilog=self.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.set_defaults(run=self.run)
        self.add_arguments(parser)
        return parser


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped `word` (an option compared without its dashes,
    which every option shares), or None when none is close."""
    by_name = {c.lstrip("-"): c for c in choices}
    close = difflib.get_close_matches(word.lstrip("-"), list(by_name), n=1)
    return by_name[close[0]] if close else None


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose refusal of a value outside the choices (a mistyped
    command, --format, --backend, ...) names the nearest one. Its subparsers are of
    this class too (add_subparsers makes them so)."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is None or value in choices or not isinstance(value, str):
            super()._check_value(action, value)
            return
        close = nearest(value, [str(c) for c in choices])
        guess = f"did you mean {close!r}? " if close else ""
        listed = ", ".join(repr(c) for c in choices)
        raise argparse.ArgumentError(
            action, f"invalid choice: {value!r} ({guess}choose from {listed})"
        )

    def unrecognized(self, unknown: list[str]) -> None:
        """Exit 2 with this parser's usage, naming the arguments it does not know and
        the nearest option to the first mistyped one."""
        options = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
        message = f"unrecognized arguments: {' '.join(unknown)}"
        for word in unknown:
            close = nearest(word.split("=", 1)[0], options) if word.startswith("-") else None
            if close:
                message += f" (did you mean {close}?)"
                break
        self.error(message)
