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

from indexer.analysis.normalize import PRESENTATION_FORMS, RULE_NAMES, Normalizer

# The two normalization rules that cleaning shares with the analyzers; with only
# these on, ﺃ becomes أ (its letter), not ا (the analyzers' folding).
CLEANING_RULES = ("strip_invisible_controls", PRESENTATION_FORMS)

# C0 and C1 controls other than the line breaks, which the line splitting handles.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


@functools.cache
def _cleaner() -> tuple[Normalizer, re.Pattern[str]]:
    """The normalizer of the cleaning rules, and one character class of everything
    cleaning may change: a class scan is far cheaper than doing the work."""
    normalizer = Normalizer(disabled=set(RULE_NAMES) - set(CLEANING_RULES))
    odd_spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]  # none above U+3000
    special = {*normalizer.table, *odd_spaces, *(chr(c) for c in range(0x20)), *"\x7f\x85"}
    special -= {" ", "\n"}
    return normalizer, re.compile("[" + "".join(map(re.escape, sorted(special))) + "]")


def _without_special(text: str) -> tuple[str, bool]:
    """NFC text with the cleaning table applied and controls removed; and whether
    anything special (odd white space included) was there at all."""
    normalizer, special = _cleaner()
    text = unicodedata.normalize("NFC", text)
    if not special.search(text):
        return text, False
    return _CONTROLS.sub("", normalizer.normalize(text)), True


def clean_text(text: str) -> str:
    """Cleaned multi-line text: lines trimmed, empty lines dropped, one space between words."""
    text, had_special = _without_special(text)
    lines = text.split("\n")
    # Most bodies are tidy already; checking is much cheaper than rebuilding them.
    if (
        not had_special
        and "  " not in text
        and all(line and line.strip(" ") == line for line in lines)
    ):
        return text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def clean_line(text: str) -> str:
    """Cleaned single-line text (title, category, author...): all white space is one space."""
    return " ".join(_without_special(text)[0].split())
