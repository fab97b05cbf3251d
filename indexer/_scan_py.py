"""The per-character loops of ingestion and indexing in plain Python: the reference.

Each function here does what its twin in indexer/_scan.c does, with the same arguments
and results (hypothesis tests in tests/test_scan.py hold the two equal), and runs
wherever the C extension is not built (`pip install` without a compiler) or when
ARABIC_SEARCH_PURE_PYTHON=1 forces it (indexer/scan.py chooses). The constants of
the contract between the two live here, once: the C module exports its own, and
indexer/scan.py checks them against these when it loads it.

The loops are written with str methods and `re`, which walk a text in C too, so this
path is slower than the extension by a small factor, not by a hundredfold.
"""

from __future__ import annotations

import enum
import functools
import re
import urllib.parse
from collections.abc import Callable, Sequence
from typing import NamedTuple

BMP_SIZE = 0x10000
MAX_PAIRS = 8  # fold(): the most pair rules at once
MAX_WIDTH = 8  # join_terms(): the most fields at once
# join_terms(): the fields of one chunk's terms in the memory (no term holds white space).
TERM_SEPARATOR = "\t"


class Flag(enum.IntFlag):
    """The bits of the flag table (one byte per BMP code point) that tidiness() and
    collapse() read; SPACING, CHARACTERS and COMPOSES are also what tidiness() finds."""

    SPACING = 1  # white space other than " " and "\n"; found: white space to collapse
    CHARACTERS = 2  # a character cleaning changes or removes; found: the same
    LINE_BREAK = 4  # white space where str.splitlines() breaks, other than "\n"
    COMPOSES = 8  # NFC may change it or join it to the character before; found: the same
    COMBINING = 16  # a combining mark: NFC may reorder two in a row


class _FlagPatterns(NamedTuple):
    """What a flag table says, as patterns that `re` runs over a whole text."""

    characters: re.Pattern[str]  # a character flagged CHARACTERS
    spacing: re.Pattern[str]  # a character flagged SPACING
    composes: re.Pattern[str]  # flagged COMPOSES, or beyond the BMP
    combining: re.Pattern[str]  # flagged COMBINING (two in a row: NFC may reorder them)
    white_run: re.Pattern[str]  # a run of white space: " ", "\n", SPACING or LINE_BREAK
    line_break: re.Pattern[str]  # "\n" or LINE_BREAK
    space_run: re.Pattern[str]  # a run of white space without a line break


def _ranges(codes: Sequence[int]) -> str:
    """The code points (sorted) as the inside of a `re` character class, in ranges."""
    parts, start = [], codes[0] if codes else 0
    for previous, code in zip(codes, [*codes[1:], -1], strict=True):
        if code != previous + 1:
            first, last = re.escape(chr(start)), re.escape(chr(previous))
            parts.append(first if start == previous else f"{first}-{last}")
            start = code
    return "".join(parts)


def _char_class(codes: Sequence[int]) -> str:
    """A `re` character class of the code points (sorted; none: one that never matches)."""
    return f"[{_ranges(codes)}]" if codes else "[^\\s\\S]"


@functools.lru_cache(maxsize=4)  # derived from the flags alone: one table in practice
def _flag_patterns(flags: bytes) -> _FlagPatterns:
    if len(flags) != BMP_SIZE:
        raise ValueError(f"flags must have {BMP_SIZE} bytes")

    def having(bit: Flag) -> list[int]:
        value = bit.value  # an int: IntFlag's own & costs a microsecond a call
        return [code for code, byte in enumerate(flags) if byte & value]

    breaks = {0x0A, *having(Flag.LINE_BREAK)}
    spaces = {0x20, *having(Flag.SPACING)} - breaks
    white, line_break = _char_class(sorted(spaces | breaks)), _char_class(sorted(breaks))
    return _FlagPatterns(
        characters=re.compile(_char_class(having(Flag.CHARACTERS))),
        spacing=re.compile(_char_class(having(Flag.SPACING))),
        # One class each: `re` scans for a class fast, and for an alternation slowly.
        composes=re.compile(f"[{_ranges(having(Flag.COMPOSES))}\\U00010000-\\U0010ffff]"),
        combining=re.compile(_char_class(having(Flag.COMBINING))),
        white_run=re.compile(f"{white}+"),
        line_break=re.compile(line_break),
        space_run=re.compile(f"{_char_class(sorted(spaces))}+"),
    )


def tidiness(text: str, flags: bytes, multiline: bool) -> int:
    """What cleaning would change in `text`: CHARACTERS when a character is flagged so;
    else SPACING when one is flagged so, or the white space is not yet one space
    between words and, with `multiline`, one newline between lines (without it, no
    newline at all); else 0. Plus COMPOSES when NFC may change the text."""
    patterns = _flag_patterns(flags)
    found = 0
    if patterns.characters.search(text):
        found = Flag.CHARACTERS.value
    elif patterns.spacing.search(text) or _untidy_space(text, multiline):
        found = Flag.SPACING.value
    if patterns.composes.search(text) or _combining_pair(patterns.combining, text):
        found |= Flag.COMPOSES.value
    return found


def _combining_pair(combining: re.Pattern[str], text: str) -> bool:
    """Whether two combining marks stand in a row (found from each mark: a search for
    the pair itself is several times slower, and most texts have few marks)."""
    mark = combining.search(text)
    while mark is not None:
        if combining.match(text, mark.end()):
            return True
        mark = combining.search(text, mark.end() + 1)
    return False


def _untidy_space(text: str, multiline: bool) -> bool:
    """Whether spaces and newlines are other than one between words (or lines)."""
    if not multiline and "\n" in text:
        return True
    return bool(text) and (
        text[0] in " \n"
        or text[-1] in " \n"
        or "  " in text
        or " \n" in text
        or "\n " in text
        or "\n\n" in text
    )


def collapse(text: str, flags: bytes, multiline: bool) -> str:
    """`text` with each run of white space one space, or, with `multiline`, one newline
    where the run holds a line break; none at the ends."""
    patterns = _flag_patterns(flags)
    if not multiline:
        return patterns.white_run.sub(" ", text).strip(" ")
    # Runs that hold a break become one newline: the lines, each collapsed, and the
    # empty ones dropped.
    lines = (
        patterns.space_run.sub(" ", line).strip(" ") for line in patterns.line_break.split(text)
    )
    return "\n".join(filter(None, lines))


class _FoldTable(NamedTuple):
    """A fold() table as `re` uses it, and what sends a text elsewhere."""

    replacements: dict[str, str]  # each character the table changes: its replacement
    changed: re.Pattern[str]  # one of those characters
    general: re.Pattern[str]  # beyond the BMP, or mapped to a marker other than `delete`


@functools.lru_cache(maxsize=8)  # derived from the table alone: a few normalizers at most
def _fold_table(table: bytes, delete: int) -> _FoldTable:
    if len(table) != BMP_SIZE * 4:
        raise ValueError(f"table must have {BMP_SIZE} uint32 entries")
    entries = memoryview(table).cast("I")
    replacements: dict[str, str] = {}
    general = []
    for code, entry in enumerate(entries):
        if entry == delete:
            replacements[chr(code)] = ""
        elif entry >= BMP_SIZE:
            general.append(code)
        elif entry != code:
            replacements[chr(code)] = chr(entry)
    changed = re.compile(_char_class([ord(char) for char in replacements]))
    general_pattern = re.compile(f"[{_ranges(general)}\\U00010000-\\U0010ffff]")
    return _FoldTable(replacements, changed, general_pattern)


def fold(
    text: str, table: bytes, delete: int, pairs: Sequence[tuple[int, int, int, int]]
) -> bytes | None:
    """The text through `table` (native uint32, one per BMP code point) as UTF-16-LE:
    entries equal to `delete` dropped, and each (first, second, new_first, new_second)
    of `pairs` replacing those two characters where they meet, left to right. None when
    the text needs the general path: anything beyond the BMP, in or out, or another
    marker."""
    if len(pairs) > MAX_PAIRS:
        raise ValueError(f"at most {MAX_PAIRS} pairs")
    folding = _fold_table(table, delete)
    if folding.general.search(text):
        return None
    # The first of two pairs with the same characters wins, as in the C loop.
    replacing = {chr(a) + chr(b): chr(c) + chr(d) for a, b, c, d in reversed(pairs)}
    present = [pair for pair in replacing if pair in text]
    if any(max(map(ord, replacing[pair])) >= BMP_SIZE for pair in present):
        return None
    # Split at the pairs, left to right: they are at the odd places.
    pieces = re.split(f"({'|'.join(map(re.escape, present))})", text) if present else [text]
    # A sub() calls back for each changed character only: str.translate() costs ten
    # times as much on Arabic text (a lookup for every character).
    replace = _replacer(folding.replacements)
    out = [
        replacing[piece] if i % 2 else folding.changed.sub(replace, piece)
        for i, piece in enumerate(pieces)
    ]
    return "".join(out).encode("utf-16-le", "surrogatepass")


def _replacer(replacements: dict[str, str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return replacements[match[0]]

    return replace


_SURROGATE = re.compile("[\ud800-\udfff]")


def unquote(text: str) -> str | None:
    """urllib.parse.unquote(text); None for text that is not UTF-8 (lone surrogates)."""
    if _SURROGATE.search(text):
        return None
    return urllib.parse.unquote(text)


def join_terms(
    text: str,
    memory: dict[str, str],
    width: int,
    longest: int,
    learn: Callable[[str], str],
) -> tuple[str, ...] | None:
    """The indexed terms of a normalized text for `width` fields at once: each chunk of
    text.split() looked up in `memory` (`width` fields separated by TERM_SEPARATOR,
    each field's terms by spaces), or given by `learn(chunk)`, and field i of every
    chunk joined by single spaces. None when a chunk is longer than `longest`."""
    if not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"width must be 1 to {MAX_WIDTH}")
    if not isinstance(memory, dict):
        raise TypeError("memory must be a dict")
    fields: list[list[str]] = [[] for _ in range(width)]
    for chunk in text.split():
        if len(chunk) > longest:
            return None
        terms = memory.get(chunk)
        if terms is None:
            terms = learn(chunk)
        if not isinstance(terms, str):
            raise TypeError("memory values must be str")
        parts = terms.split(TERM_SEPARATOR)
        if len(parts) != width:
            raise ValueError(f"memory values must hold {width} tab-separated fields")
        for field, part in zip(fields, parts, strict=True):
            if part:
                field.append(part)
    return tuple(" ".join(field) for field in fields)
