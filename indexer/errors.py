"""The one base of the package's errors, and the exit codes they map to.

Every error a user can meet derives from `ArabicSearchError`: its class says the exit
code, its message says what went wrong, its `hint` the next step (printed after the
message, on the same line), and its notes (`add_note`) what else the user should know,
such as what a failed reindex left behind (printed a line each). `cli.main` catches
the base once. The exit codes are the contract of the README's exit-code table."""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0  # done (a search that finds nothing is done too)
EXIT_REJECTED = 1  # finished, but something was rejected (and reported)
EXIT_USAGE = 2  # a usage or configuration error, or an operation refused with its reason
EXIT_UNAVAILABLE = 3  # the backend (or a worker process) is not there to do it
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it


class ArabicSearchError(Exception):
    """What the user can act on: the message says what and why, `hint` what to do."""

    exit_code: ClassVar[int] = EXIT_USAGE
    hint: str | None = None  # the next step; a class may give its own

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        if hint is not None:
            self.hint = hint

    def add_hint(self, hint: str) -> None:
        """Add a next step, after any the error has (found out where it is caught)."""
        self.hint = f"{self.hint}; {hint}" if self.hint else hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message}; {self.hint}" if self.hint else message
