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
LINE_BREAK = 4  # a flag for _scan.collapse: white space where str.splitlines() breaks


@functools.cache
def _cleaner() -> tuple[Normalizer, bytes]:
    """The normalizer of the cleaning rules, and the flags of every BMP code point for
    _scan: CHARACTERS for what the table or the control removal changes, SPACING for
    other white space than a space or a newline, with LINE_BREAK where it ends a line."""
    normalizer = Normalizer(disabled=set(RULE_NAMES) - set(CLEANING_RULES))
    flags = bytearray(0x10000)
    for c in range(0x10000):
        if chr(c).isspace() and chr(c) not in " \n":
            breaks = len(f"a{chr(c)}b".splitlines()) == 2
            flags[c] = SPACING | (LINE_BREAK if breaks else 0)
    for char in {*normalizer.table, *CONTROLS}:
        flags[ord(char[0])] = CHARACTERS  # a pair rule: its first character (all BMP)
    return normalizer, bytes(flags)


def clean_text(text: str) -> str:
    """Cleaned multi-line text: lines trimmed, empty lines dropped, one space between words."""
    text = unicodedata.normalize("NFC", text)
    # Most bodies are tidy already; checking is much cheaper than rebuilding them.
    found = _scan.tidiness(text, _cleaner()[1], True)
    return text if found == TIDY else _rebuilt_text(text, found == CHARACTERS)


def clean_line(text: str) -> str:
    """Cleaned single-line text (title, category, author...): all white space is one space."""
    text = unicodedata.normalize("NFC", text)
    found = _scan.tidiness(text, _cleaner()[1], False)
    return text if found == TIDY else _rebuilt_line(text, found == CHARACTERS)


def _changed(text: str) -> str:
    """Text with the cleaning table applied and controls removed."""
    return _CONTROLS.sub("", _cleaner()[0].normalize(text))


def _rebuilt_text(text: str, characters: bool = True) -> str:
    return _scan.collapse(_changed(text) if characters else text, _cleaner()[1], True)


def _rebuilt_line(text: str, characters: bool = True) -> str:
    return _scan.collapse(_changed(text) if characters else text, _cleaner()[1], False)
