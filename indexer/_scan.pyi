"""The types of indexer/_scan.c (each function is described there)."""

from collections.abc import Callable, Iterable

# Arguments parsed as "y#" (flags, table) take a read-only bytes-like object; "p"
# (multiline) takes any object for its truth; "O!" (memory) a dict or a subclass.

def tidiness(text: str, flags: bytes, multiline: bool, /) -> int: ...
def unquote(text: str, /) -> str | None: ...
def collapse(text: str, flags: bytes, multiline: bool, /) -> str: ...
def fold(
    text: str, table: bytes, delete: int, pairs: Iterable[tuple[int, int, int, int]], /
) -> bytes | None: ...
def join_terms(
    text: str,
    memory: dict[str, str],
    width: int,
    longest: int,
    learn: Callable[[str], str],
    /,
) -> tuple[str, ...] | None: ...
