"""Arabic normalization: one table of named rules, applied in one pass.

The table is the single source of truth: the Python normalizer below applies it,
and `indexer.index.mappings` writes it into Elasticsearch's `mapping` char_filter, so a raw
query sent to Elasticsearch is normalized exactly like the indexer's own text.

Every rule maps single characters to a replacement ('' deletes), or a pair of
characters to another pair. Text goes through `indexer.scan.fold`: one pass over a
table of the BMP (in C when the extension is built). What it leaves to the general
path (a character beyond the BMP, a presentation form that expands to several
letters: 0.1% of the ANT articles) goes through str.translate. `normalize_with_offsets`
also gives, for every output character, the offset of the input character it came from
(what Lucene's MappingCharFilter calls offset correction), from the places where
offsets move. `apply_table` is the plain reference of all of it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyarabic.araby as araby

from indexer.scan import BMP_SIZE, fold


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

# Markers in fold's table, above every code point: a character to delete, and ones that
# send the text to the general path (an expansion; a lone surrogate, as UTF-16 cannot
# write one apart from a pair).
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
        # What fold walks: each BMP code point's replacement, or a marker.
        lut = array("I", range(BMP_SIZE))
        lut[0xD800:0xE000] = array("I", [_SURROGATE]) * 0x800
        singles: dict[int, str] = {}  # for str.translate, on the general path
        moving = []  # the characters after which offsets move: deleted or expanded
        # Pair rules replace two characters by two, so offsets do not move.
        pairs: dict[str, str] = {}
        for char, replacement in self.table.items():
            if len(char) == 2:
                if len(replacement) != 2:
                    raise ValueError(f"pair rule {char!r} must give two characters")
                pairs[char] = replacement
                continue
            singles[ord(char)] = replacement
            if len(replacement) != 1:
                moving.append(char)
            if ord(char) >= BMP_SIZE:
                continue  # fold sends any text beyond the BMP to the general path
            if not replacement:
                lut[ord(char)] = _DELETE
            elif len(replacement) == 1:
                lut[ord(char)] = ord(replacement)
            else:
                lut[ord(char)] = _EXPAND
        # Pairs are replaced left to right, one after the other, as Lucene's
        # MappingCharFilter does; no pair may begin inside another, so that its longest
        # match (a pair before a single character) never has two readings.
        if any(p[1] == q[0] for p in pairs for q in pairs):
            raise ValueError("a pair rule's second character begins another pair rule")
        self._lut16_bytes = lut.tobytes()
        self._pair_codes = tuple(
            (ord(a[0]), ord(a[1]), ord(b[0]), ord(b[1])) for a, b in pairs.items()
        )
        self._pairs = pairs
        self._singles = singles
        # A pair, or a character after which offsets move: what normalize_with_offsets
        # walks (a pair first, as fold takes it first).
        alternatives = [*map(re.escape, pairs), *map(re.escape, moving)]
        self._moves = re.compile("|".join(alternatives)) if alternatives else None
        self._pair_pattern = re.compile(f"({'|'.join(map(re.escape, pairs))})") if pairs else None

    def normalize(self, text: str) -> str:
        folded = fold(text, self._lut16_bytes, _DELETE, self._pair_codes)
        if folded is not None:
            return folded.decode("utf-16-le")
        return self._general(text)

    def normalized_utf16(self, text: str) -> bytes:
        """The normalized text as UTF-16-LE: what a fingerprint hashes, without decoding."""
        folded = fold(text, self._lut16_bytes, _DELETE, self._pair_codes)
        if folded is not None:
            return folded
        return self._general(text).encode("utf-16-le", "surrogatepass")

    def _general(self, text: str) -> str:
        """What fold leaves (a character beyond the BMP, an expansion: 0.1% of the ANT
        articles): the pairs replaced left to right, the rest through str.translate."""
        pieces = self._pair_pattern.split(text) if self._pair_pattern else [text]
        return "".join(
            self._pairs[piece] if i % 2 else piece.translate(self._singles)
            for i, piece in enumerate(pieces)
        )

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int]]:
        """The normalized text and, for each of its boundaries 0..len, the input offset.

        A boundary inside an expansion maps to the start of the expanded character, and
        a boundary after deleted characters maps past them: Lucene's MappingCharFilter
        corrects offsets the same way, so highlights line up with Elasticsearch's.
        """
        return self.normalize(text), self.offsets(text)

    def offsets(self, text: str) -> list[int]:
        """normalize_with_offsets(text)[1] alone."""
        origin: list[int] = []
        done = 0  # the input offset up to which origin is written
        for move in self._moves.finditer(text) if self._moves else ():
            start, piece = move.start(), move[0]
            origin += range(done, start)  # one output character each
            if len(piece) == 2:  # a pair: two for two
                origin += (start, start + 1)
            else:  # deleted (none) or expanded (all at its start)
                origin += [start] * len(self._singles[ord(piece)])
            done = move.end()
        origin += range(done, len(text) + 1)
        return origin

    def char_filter_rules(self) -> list[str]:
        """The table as Elasticsearch `mapping` char_filter rules, escaped as \\uXXXX."""
        return [f"{_escape(char)} => {_escape(repl)}" for char, repl in sorted(self.table.items())]


@functools.cache  # a Normalizer is not changed once built: one for the whole process
def default_normalizer() -> Normalizer:
    """The normalizer of the default policy (every rule on): the analyzers' char filter,
    and what fingerprints and ids are computed after."""
    return Normalizer()


def _escape(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)
