"""Cleaning before indexing: the text is stored as written, minus what is noise.

Kept: letters, diacritics, tatweel, digits as written (the analyzers normalize
those at search time, and highlights show the original). Changed: NFC
composition; presentation forms and lam-alef ligatures to their letters; bidi and
zero-width controls and other control characters removed; white space collapsed
(one space between words, one newline between paragraphs, none at the ends).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from indexer.analysis.normalize import PRESENTATION_FORMS, RULE_NAMES, Normalizer
from indexer.scan import Flag, collapse, tidiness

# The two normalization rules that cleaning shares with the analyzers; with only
# these on, ﺃ becomes أ (its letter), not ا (the analyzers' folding).
CLEANING_RULES = ("strip_invisible_controls", PRESENTATION_FORMS)

# C0 and C1 controls that are not white space (str.split() handles those).
CONTROLS = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace())
_CONTROLS = re.compile("[" + "".join(map(re.escape, sorted(CONTROLS))) + "]")

# Hangul vowels and final consonants join the syllable before by rule, not by table.
HANGUL_JOINING = (range(0x1161, 0x1176), range(0x11A8, 0x11C3))

# The flags as plain ints: an IntFlag operation costs a microsecond, and cleaning tests
# every field of every record (and builds the table over every BMP code point).
_SPACING, _CHARACTERS, _LINE_BREAK, _COMPOSES, _COMBINING = (
    Flag.SPACING.value,
    Flag.CHARACTERS.value,
    Flag.LINE_BREAK.value,
    Flag.COMPOSES.value,
    Flag.COMBINING.value,
)


class Cleaner(NamedTuple):
    """What cleaning applies: the normalizer of the cleaning rules, and the flags of every
    BMP code point that tidiness() and collapse() read (indexer.scan.Flag)."""

    normalizer: Normalizer
    flags: bytes


class Scanned(NamedTuple):
    """A text in NFC, and what cleaning still has to do to it."""

    text: str
    tidy: bool  # nothing to do: the text is clean already
    characters: bool  # characters to change or remove (else only white space to collapse)


@functools.cache  # immutable, and built once: the flags take a pass over the BMP
def _cleaner() -> Cleaner:
    """Flags: CHARACTERS for what the table or the control removal changes, SPACING for
    other white space than a space or a newline (LINE_BREAK where it ends a line),
    COMPOSES and COMBINING for the NFC check."""
    normalizer = Normalizer(disabled=set(RULE_NAMES) - set(CLEANING_RULES))
    flags = bytearray(0x10000)
    for c in range(0x10000):
        char = chr(c)
        if char.isspace() and char not in " \n":
            breaks = len(f"a{char}b".splitlines()) == 2
            flags[c] = _SPACING | (_LINE_BREAK if breaks else 0)
        if unicodedata.combining(char):
            flags[c] |= _COMBINING
        if decomposition := unicodedata.decomposition(char):
            if unicodedata.normalize("NFC", char) != char:
                flags[c] |= _COMPOSES  # NFC never leaves it as it is
            elif (second := _joined_second(decomposition)) is not None:
                flags[second] |= _COMPOSES  # NFC joins it to the character before
    for c in (c for hangul in HANGUL_JOINING for c in hangul):
        flags[c] |= _COMPOSES
    for char in {*normalizer.table, *CONTROLS}:
        flags[ord(char[0])] |= _CHARACTERS  # a pair rule: its first character (all BMP)
    return Cleaner(normalizer, bytes(flags))


def _joined_second(decomposition: str) -> int | None:
    """The second character of a canonical decomposition into two, in the BMP (the
    scan takes any character beyond it for one NFC may change)."""
    parts = decomposition.split()
    if len(parts) == 2 and not parts[0].startswith("<") and int(parts[1], 16) < 0x10000:
        return int(parts[1], 16)
    return None


def clean_text(text: str) -> str:
    """Cleaned multi-line text: lines trimmed, empty lines dropped, one space between words."""
    # Most bodies are clean and in NFC already: one scan says so, and nothing is built.
    if not tidiness(text, _cleaner().flags, True):
        return text
    return _cleaned(scan(text, multiline=True), multiline=True)


def clean_line(text: str) -> str:
    """Cleaned single-line text (title, category, author...): all white space is one space."""
    if not tidiness(text, _cleaner().flags, False):
        return text
    return _cleaned(scan(text, multiline=False), multiline=False)


def scan(text: str, multiline: bool) -> Scanned:
    """The text in NFC, and what cleaning still has to do to it."""
    flags = _cleaner().flags
    found = tidiness(text, flags, multiline)
    if found & _COMPOSES:
        text = unicodedata.normalize("NFC", text)
        found = tidiness(text, flags, multiline)
    return Scanned(text, not found & (_SPACING | _CHARACTERS), bool(found & _CHARACTERS))


def _cleaned(scanned: Scanned, multiline: bool) -> str:
    if scanned.tidy:
        return scanned.text
    return _rebuilt(scanned.text, multiline, scanned.characters)


def _changed(text: str) -> str:
    """Text with the cleaning table applied and controls removed."""
    return _CONTROLS.sub("", _cleaner().normalizer.normalize(text))


def _rebuilt(text: str, multiline: bool, characters: bool = True) -> str:
    """The text cleaned whatever the scan found: changed (unless `characters` is False:
    only white space to collapse), then collapsed."""
    return collapse(_changed(text) if characters else text, _cleaner().flags, multiline)
