"""Arabic normalization: one table of named rules, applied in one pass.

The table is the single source of truth: the Python normalizer below applies it,
and `indexer.mappings` writes it into Elasticsearch's `mapping` char_filter, so a raw
query sent to Elasticsearch is normalized exactly like the indexer's own text.

Every rule maps single characters to a replacement ('' deletes), or a pair of
characters to another pair. Most text goes through `indexer.scan.fold`: one pass over
a table of the BMP (in C when the extension is built). Text it leaves to the general
path (a character beyond the BMP, a presentation form that expands to several letters),
and `normalize_with_offsets`, which also keeps, for every output character, the offset
of the input character it came from (what Lucene's MappingCharFilter calls offset
correction), take a NumPy array pass. `apply_table` is the plain reference of both.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarabic.araby as araby

from indexer.scan import fold


@dataclass(frozen=True)
class Rule:
    """A named normalization rule: each key (one character, or a pair of characters
    for a rule that depends on the next letter) becomes its value."""

    name: str
    why: str
    mapping: Mapping[str, str]


def _chars(*ranges: tuple[int, int]) -> list[str]:
    return [chr(c) for first, last in ranges for c in range(first, last + 1)]


def _to(target: str, chars: Iterable[str]) -> dict[str, str]:
    return {c: target for c in chars}


# The default policy of DESIGN.md, one rule per line of it. Order matters only for
# `expand_presentation_forms`, whose replacements are run through the rules above it.
RULES: tuple[Rule, ...] = (
    Rule(
        "strip_harakat",
        "short vowels, tanween, shadda and sukun (U+064B-U+0652)",
        _to("", [*araby.TASHKEEL]),
    ),
    Rule(
        "strip_extended_marks",
        "madda and hamza above/below as combining marks, other marks (U+0653-U+065F)",
        _to("", _chars((0x0653, 0x065F))),
    ),
    Rule("strip_superscript_alef", "dagger alef U+0670", _to("", [araby.MINI_ALEF])),
    Rule(
        "strip_quranic_marks",
        "Qur'anic annotation marks U+06D6-U+06ED",
        _to("", _chars((0x06D6, 0x06ED))),
    ),
    Rule("strip_tatweel", "kashida U+0640 only stretches a word", _to("", [araby.TATWEEL])),
    Rule(
        "strip_invisible_controls",
        "bidi and zero-width controls that copy-paste leaves inside words",
        _to("", _chars((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0xFEFF, 0xFEFF))),
    ),
    Rule(
        "fold_alef",
        "hamza, madda and wasla forms of alef are written interchangeably",
        _to(
            araby.ALEF,
            [araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW, araby.ALEF_MADDA, araby.ALEF_WASLA],
        ),
    ),
    Rule("fold_waw_hamza", "مسؤول / مسوول", {araby.WAW_HAMZA: araby.WAW}),
    Rule(
        "fold_hamza_seat_before_waw",
        "ئو is the older seat of ؤو: مسئول / مسؤول, شئون / شؤون (a pair rule)",
        {araby.YEH_HAMZA + araby.WAW: araby.WAW + araby.WAW},
    ),
    Rule("fold_yeh_hamza", "رئيس / رييس", {araby.YEH_HAMZA: araby.YEH}),
    Rule("fold_alef_maksura", "على / علي", {araby.ALEF_MAKSURA: araby.YEH}),
    Rule("fold_teh_marbuta", "القاهرة / القاهره", {araby.TEH_MARBUTA: araby.HEH}),
    Rule(
        "fold_persian_letters",
        "Persian and Urdu keyboards type these for Arabic yeh, kaf and heh",
        {
            **_to(araby.YEH, ["\u06cc", "\u06d0", "\u06d2"]),
            "\u06a9": araby.KAF,
            **_to(araby.HEH, ["\u06c0", "\u06c1"]),
        },
    ),
    Rule(
        "fold_digits",
        "Arabic-Indic and Persian digits to ASCII",
        {
            **{chr(0x0660 + d): str(d) for d in range(10)},
            **{chr(0x06F0 + d): str(d) for d in range(10)},
        },
    ),
)

PRESENTATION_FORMS = "expand_presentation_forms"
PRESENTATION_RANGES = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
RULE_NAMES: tuple[str, ...] = (*(rule.name for rule in RULES), PRESENTATION_FORMS)
RULE_REASONS: dict[str, str] = {
    **{rule.name: rule.why for rule in RULES},
    PRESENTATION_FORMS: "presentation forms and ligatures (U+FB50-U+FDFF, U+FE70-U+FEFF) "
    "to their letters (NFKC), which then go through the rules above: ﻷ -> لا",
}

# Code points above the Unicode range mark table entries that are not one character.
_MAX_CODE_POINT = 0x10FFFF
# Markers above every code point, in this order, so that one max() of a mapped text
# tells the most involved case it needs: deletions, expansions, or (for the UTF-16
# table) characters outside the BMP.
_DELETE = 0xFFFFFFFD
_EXPAND = 0xFFFFFFFE
_SURROGATE = 0xFFFFFFFF


def build_table(disabled: Iterable[str] = ()) -> dict[str, str]:
    """The character table of the enabled rules: char -> replacement ('' deletes)."""
    disabled = set(disabled)
    unknown = disabled - set(RULE_NAMES)
    if unknown:
        raise ValueError(f"unknown normalization rule(s): {', '.join(sorted(unknown))}")
    table: dict[str, str] = {}
    for rule in RULES:
        if rule.name in disabled:
            continue
        for char, replacement in rule.mapping.items():
            if table.get(char, replacement) != replacement:
                raise ValueError(f"rule {rule.name} maps {char!r} differently")
            table[char] = replacement
    if PRESENTATION_FORMS not in disabled:
        # Presentation forms become their letters, then those letters go through
        # the other rules (ﺃ -> أ -> ا), so one table look-up does both.
        for char in _chars(*PRESENTATION_RANGES):
            letters = unicodedata.normalize("NFKC", char)
            if char not in table and letters != char:
                table[char] = apply_table(table, letters)
    return table


def apply_table(table: Mapping[str, str], text: str) -> str:
    """The table applied left to right, a pair before a single character: slow, but
    plainly what the one-pass Normalizer computes (a test compares the two)."""
    out, i = [], 0
    while i < len(text):
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in table:
            out.append(table[pair])
            i += 2
        else:
            out.append(table.get(text[i], text[i]))
            i += 1
    return "".join(out)


class Normalizer:
    """Applies the rule table in one pass. Build it once and reuse it."""

    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.disabled = frozenset(disabled)
        self.table = build_table(self.disabled)
        lut = np.arange(0x110000, dtype=np.uint32)
        self._expansions: dict[int, str] = {}
        # Pair rules replace two characters by two, so offsets do not move.
        self._pairs: dict[str, tuple[int, int, int, int]] = {}
        for char, replacement in self.table.items():
            if len(char) == 2:
                if len(replacement) != 2:
                    raise ValueError(f"pair rule {char!r} must give two characters")
                self._pairs[char] = (*map(ord, char), *map(ord, replacement))
            elif replacement == "":
                lut[ord(char)] = _DELETE
            elif len(replacement) == 1:
                lut[ord(char)] = ord(replacement)
            else:
                lut[ord(char)] = _EXPAND
                self._expansions[ord(char)] = replacement
        # Pairs are replaced left to right, one after the other (as Lucene's
        # MappingCharFilter does); no pair may begin inside another, so the array
        # path, which finds them all at once, agrees.
        if any(p[1] == q[0] for p in self._pairs for q in self._pairs):
            raise ValueError("a pair rule's second character begins another pair rule")
        self._lut = lut
        # Most text is in the BMP: its UTF-16 code units index a 64K table, and
        # encoding to UTF-16 is several times cheaper than to UTF-32.
        self._lut16 = lut[:0x10000].copy()
        self._lut16[0xD800:0xE000] = _SURROGATE
        # What fold walks: the same table and pairs, as bytes and tuples.
        self._lut16_bytes = self._lut16.tobytes()
        self._pair_codes = tuple(self._pairs.values())

    def normalize(self, text: str) -> str:
        folded = fold(text, self._lut16_bytes, _DELETE, self._pair_codes)
        if folded is not None:
            return folded.decode("utf-16-le")
        # Beyond the BMP, or an expansion: the array path.
        return _decode(self._normalized_codes(text))

    def normalized_utf16(self, text: str) -> bytes:
        """The normalized text as UTF-16-LE: what a fingerprint hashes, without decoding."""
        folded = fold(text, self._lut16_bytes, _DELETE, self._pair_codes)
        if folded is not None:
            return folded
        return self.normalize(text).encode("utf-16-le", "surrogatepass")

    def _normalized_codes(self, text: str) -> np.ndarray:
        mapped, top = self._map(text)
        if top <= _MAX_CODE_POINT:  # nothing to delete or expand: the common case
            return mapped
        if top == _EXPAND:
            return _codes(self.normalize_with_offsets(text)[0])
        return mapped[mapped <= _MAX_CODE_POINT]

    def normalize_with_offsets(self, text: str) -> tuple[str, np.ndarray]:
        """The normalized text and, for each of its boundaries 0..len, the input offset.

        A boundary inside an expansion maps to the start of the expanded character, and
        a boundary after deleted characters maps past them: Lucene's MappingCharFilter
        corrects offsets the same way, so highlights line up with Elasticsearch's.
        """
        mapped, top = self._map(text)
        if top <= _MAX_CODE_POINT:
            out, origin = mapped, np.arange(len(mapped) + 1)
        elif top == _DELETE:
            keep = np.flatnonzero(mapped != _DELETE)
            out = mapped[keep]
            origin = np.append(keep, len(mapped))
        else:
            expand_at = np.flatnonzero(mapped == _EXPAND)
            out, origin = self._expand(_codes(text), mapped, expand_at)
        return _decode(out), origin

    def _map(self, text: str) -> tuple[np.ndarray, int]:
        """Each code point's replacement code point, or _DELETE or _EXPAND; and the
        largest of them."""
        codes = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
        # take() with mode="clip" skips the bounds checks (every code is in the table).
        mapped = self._lut16.take(codes, mode="clip")
        top = int(mapped.max(initial=0))
        if top == _SURROGATE:  # characters beyond the BMP: one code point per index
            codes = _codes(text)
            mapped = self._lut.take(codes, mode="clip")
            top = int(mapped.max(initial=0))
        for pair, (first, second, new_first, new_second) in self._pairs.items():
            if pair not in text:  # a fast substring test spares the array work
                continue
            # Where a pair starts, it wins over the single-character rules, as the
            # longest match does in Lucene's MappingCharFilter.
            at = np.flatnonzero(codes[:-1] == first)
            at = at[codes[at + 1] == second]
            mapped[at], mapped[at + 1] = new_first, new_second
        return mapped, top

    def _expand(
        self, codes: np.ndarray, mapped: np.ndarray, expand_at: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        # Rare path (presentation-form ligatures): input code point i yields
        # lengths[i] output code points; origin repeats i for each of them.
        lengths = (mapped != _DELETE).astype(np.int64)
        replacements = [self._expansions[int(codes[i])] for i in expand_at]
        lengths[expand_at] = [len(r) for r in replacements]
        origin = np.repeat(np.arange(len(mapped)), lengths)
        out = mapped[origin].copy()
        starts = np.cumsum(lengths) - lengths
        for i, replacement in zip(expand_at, replacements, strict=True):
            out[starts[i] : starts[i] + len(replacement)] = [ord(c) for c in replacement]
        return out, np.append(origin, len(mapped))

    def char_filter_rules(self) -> list[str]:
        """The table as Elasticsearch `mapping` char_filter rules, escaped as \\uXXXX."""
        return [f"{_escape(char)} => {_escape(repl)}" for char, repl in sorted(self.table.items())]


@functools.cache  # a Normalizer is not changed once built: one for the whole process
def default_normalizer() -> Normalizer:
    """The normalizer of the default policy (every rule on): the analyzers' char filter,
    and what fingerprints and ids are computed after."""
    return Normalizer()


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _decode(codes: np.ndarray) -> str:
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def _escape(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)
