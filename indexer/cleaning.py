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

from indexer import _scan
from indexer.analysis.normalize import PRESENTATION_FORMS, RULE_NAMES, Normalizer

# The two normalization rules that cleaning shares with the analyzers; with only
# these on, ﺃ becomes أ (its letter), not ا (the analyzers' folding).
CLEANING_RULES = ("strip_invisible_controls", PRESENTATION_FORMS)

# C0 and C1 controls that are not white space (str.split() handles those).
CONTROLS = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace())
_CONTROLS = re.compile("[" + "".join(map(re.escape, sorted(CONTROLS))) + "]")

# What _scan.tidiness finds in a text, from its flag table: nothing to do; only white
# space to collapse; characters to change or remove (then white space too, maybe).
TIDY, SPACING, CHARACTERS = 0, 1, 2
# More flags: white space where str.splitlines() breaks (for _scan.collapse); what NFC
# may change or join to the character before (Unicode's NFC_Quick_Check No or Maybe),
# also a bit of what _scan.tidiness finds; and combining marks (NFC may reorder two).
LINE_BREAK, COMPOSES, COMBINING = 4, 8, 16
# Hangul vowels and final consonants join the syllable before by rule, not by table.
HANGUL_JOINING = (range(0x1161, 0x1176), range(0x11A8, 0x11C3))


@functools.cache
def _cleaner() -> tuple[Normalizer, bytes]:
    """The normalizer of the cleaning rules, and the flags of every BMP code point for
    _scan: CHARACTERS for what the table or the control removal changes, SPACING for
    other white space than a space or a newline (LINE_BREAK where it ends a line),
    COMPOSES and COMBINING for the NFC check."""
    normalizer = Normalizer(disabled=set(RULE_NAMES) - set(CLEANING_RULES))
    flags = bytearray(0x10000)
    for c in range(0x10000):
        char = chr(c)
        if char.isspace() and char not in " \n":
            breaks = len(f"a{char}b".splitlines()) == 2
            flags[c] = SPACING | (LINE_BREAK if breaks else 0)
        if unicodedata.combining(char):
            flags[c] |= COMBINING
        if decomposition := unicodedata.decomposition(char):
            if unicodedata.normalize("NFC", char) != char:
                flags[c] |= COMPOSES  # NFC never leaves it as it is
            elif (second := _joined_second(decomposition)) is not None:
                flags[second] |= COMPOSES  # NFC joins it to the character before
    for c in (c for hangul in HANGUL_JOINING for c in hangul):
        flags[c] |= COMPOSES
    for char in {*normalizer.table, *CONTROLS}:
        flags[ord(char[0])] |= CHARACTERS  # a pair rule: its first character (all BMP)
    return normalizer, bytes(flags)


def _joined_second(decomposition: str) -> int | None:
    """The second character of a canonical decomposition into two, in the BMP (the
    scan takes any character beyond it for one NFC may change)."""
    parts = decomposition.split()
    if len(parts) == 2 and not parts[0].startswith("<") and int(parts[1], 16) < 0x10000:
        return int(parts[1], 16)
    return None


def clean_text(text: str) -> str:
    """Cleaned multi-line text: lines trimmed, empty lines dropped, one space between words."""
    # Most bodies are clean already; checking is much cheaper than rebuilding them.
    text, found = _scanned(text, multiline=True)
    return text if found == TIDY else _rebuilt_text(text, found == CHARACTERS)


def clean_line(text: str) -> str:
    """Cleaned single-line text (title, category, author...): all white space is one space."""
    text, found = _scanned(text, multiline=False)
    return text if found == TIDY else _rebuilt_line(text, found == CHARACTERS)


def _scanned(text: str, multiline: bool) -> tuple[str, int]:
    """The text in NFC, and what cleaning still has to do (TIDY, SPACING, CHARACTERS)."""
    flags = _cleaner()[1]
    found = _scan.tidiness(text, flags, multiline)
    if found & COMPOSES:
        text = unicodedata.normalize("NFC", text)
        found = _scan.tidiness(text, flags, multiline) & ~COMPOSES
    return text, found


def _changed(text: str) -> str:
    """Text with the cleaning table applied and controls removed."""
    return _CONTROLS.sub("", _cleaner()[0].normalize(text))


def _rebuilt_text(text: str, characters: bool = True) -> str:
    return _scan.collapse(_changed(text) if characters else text, _cleaner()[1], True)


def _rebuilt_line(text: str, characters: bool = True) -> str:
    return _scan.collapse(_changed(text) if characters else text, _cleaner()[1], False)
