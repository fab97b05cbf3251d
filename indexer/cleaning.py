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

# C0 and C1 controls other than the line breaks, which the line splitting handles.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


@functools.cache
def _cleaner() -> tuple[Normalizer, re.Pattern[str], bytes]:
    """The normalizer of the cleaning rules; one character class of everything
    cleaning may change (odd white space included); and the same class as one flag
    byte per BMP code point, for _scan.is_tidy."""
    normalizer = Normalizer(disabled=set(RULE_NAMES) - set(CLEANING_RULES))
    odd_spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]  # none above U+3000
    special = {*normalizer.table, *odd_spaces, *(chr(c) for c in range(0x20)), *"\x7f\x85"}
    special -= {" ", "\n"}
    flags = bytearray(0x10000)
    for char in special:
        flags[ord(char)] = 1  # every one is a BMP character: ord() > 0xFFFF would raise
    pattern = re.compile("[" + "".join(map(re.escape, sorted(special))) + "]")
    return normalizer, pattern, bytes(flags)


def _without_special(text: str) -> str:
    """Text with the cleaning table applied and controls removed."""
    normalizer, special, _ = _cleaner()
    if not special.search(text):
        return text
    return _CONTROLS.sub("", normalizer.normalize(text))


def clean_text(text: str) -> str:
    """Cleaned multi-line text: lines trimmed, empty lines dropped, one space between words."""
    text = unicodedata.normalize("NFC", text)
    # Most bodies are tidy already; checking is much cheaper than rebuilding them.
    return text if _scan.is_tidy(text, _cleaner()[2], True) else rebuilt_text(text)


def clean_line(text: str) -> str:
    """Cleaned single-line text (title, category, author...): all white space is one space."""
    text = unicodedata.normalize("NFC", text)
    return text if _scan.is_tidy(text, _cleaner()[2], False) else rebuilt_line(text)


def rebuilt_text(text: str) -> str:
    """What clean_text makes of NFC text, always rebuilt."""
    lines = [" ".join(line.split()) for line in _without_special(text).splitlines()]
    return "\n".join(line for line in lines if line)


def rebuilt_line(text: str) -> str:
    """What clean_line makes of NFC text, always rebuilt."""
    return " ".join(_without_special(text).split())
