# The C extension indexer/_scan.c; indexer/_scan_py.py is its reference in Python.
from collections.abc import Callable, Sequence

SPACING: int
CHARACTERS: int
LINE_BREAK: int
COMPOSES: int
COMBINING: int
BMP_SIZE: int
MAX_PAIRS: int
MAX_WIDTH: int
TERM_SEPARATOR: str

def tidiness(text: str, flags: bytes, multiline: bool, /) -> int: ...
def collapse(text: str, flags: bytes, multiline: bool, /) -> str: ...
def unquote(text: str, /) -> str | None: ...
def fold(
    text: str, table: bytes, delete: int, pairs: Sequence[tuple[int, int, int, int]], /
) -> bytes | None: ...
def join_terms(
    text: str,
    memory: dict[str, str],
    width: int,
    longest: int,
    learn: Callable[[str], str],
    /,
) -> tuple[str, ...] | None: ...
