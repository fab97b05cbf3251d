"""Token filters: Python twins of Elasticsearch's built-in token filters.

Each filter knows its Elasticsearch definition and does in Python what the
Elasticsearch filter does, so an analyzer is written once (see analyzers.py) and
both the index settings and the Python analysis come from it.

All of these filters look at one term at a time (no context), so a filter is a
function of (term, keyword flag) -> (term or None to drop it, keyword flag).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from indexer.analysis.stemmer import lucene_arabic_normalize, stem

Filtered = tuple[str | None, bool]


class TokenFilter(Protocol):
    @property
    def name(self) -> str:
        """The name the analyzer lists (read-only: the filters are frozen dataclasses)."""

    def definition(self) -> dict[str, Any] | None:
        """The entry for the index's `analysis.filter` section; None for a built-in."""

    def filter(self, term: str, keyword: bool) -> Filtered:
        """The term after this filter (None: removed) and whether it is a keyword."""


# Java's Character.toLowerCase is the simple (one-to-one) case mapping; Python's
# str.lower is the full one. They differ on these two letters only.
_JAVA_LOWER_FIXES = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3"})


def java_lower(term: str) -> str:
    if "\u0130" in term or "\u03a3" in term:
        term = term.translate(_JAVA_LOWER_FIXES)
    return term.lower()


@dataclass(frozen=True)
class Lowercase:
    name: str = "lowercase"

    def definition(self) -> dict[str, Any] | None:
        return None

    def filter(self, term: str, keyword: bool) -> Filtered:
        return java_lower(term), keyword


_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


@functools.cache
def _digits_to_ascii() -> dict[int, str]:
    """Every non-ASCII decimal digit (built on first need: such digits are rare after
    the char filter, and the scan of all code points costs a fifth of a second)."""
    return {
        c: str(unicodedata.decimal(chr(c)))
        for c in range(0x80, 0x110000)
        if unicodedata.category(chr(c)) == "Nd"
    }


@dataclass(frozen=True)
class DecimalDigit:
    """Every Unicode decimal digit (category Nd) to 0-9."""

    name: str = "decimal_digit"

    def definition(self) -> dict[str, Any] | None:
        return None

    def filter(self, term: str, keyword: bool) -> Filtered:
        if _NON_ASCII_DIGIT.search(term):
            term = term.translate(_digits_to_ascii())
        return term, keyword


@dataclass(frozen=True)
class ArabicNormalization:
    """Lucene's ArabicNormalizer (the stock `arabic` analyzer uses it)."""

    name: str = "arabic_normalization"

    def definition(self) -> dict[str, Any] | None:
        return None

    def filter(self, term: str, keyword: bool) -> Filtered:
        return lucene_arabic_normalize(term), keyword


@dataclass(frozen=True)
class ArabicStem:
    name: str = "arabic_stem"

    def definition(self) -> dict[str, Any] | None:
        return None

    def filter(self, term: str, keyword: bool) -> Filtered:
        return (term if keyword else stem(term)), keyword


@dataclass(frozen=True)
class Stop:
    """Removes the listed words; the others keep their positions (gaps stay)."""

    name: str
    words: frozenset[str] = field(default_factory=frozenset)

    def definition(self) -> dict[str, Any] | None:
        return {"type": "stop", "stopwords": sorted(self.words), "ignore_case": False}

    def filter(self, term: str, keyword: bool) -> Filtered:
        return (None if term in self.words else term), keyword


@dataclass(frozen=True)
class KeywordMarker:
    """Marks the listed words as keywords, which the stemmer then leaves whole."""

    name: str
    words: frozenset[str] = field(default_factory=frozenset)

    def definition(self) -> dict[str, Any] | None:
        return {"type": "keyword_marker", "keywords": sorted(self.words), "ignore_case": False}

    def filter(self, term: str, keyword: bool) -> Filtered:
        return term, keyword or term in self.words


@dataclass(frozen=True)
class StemmerOverride:
    """Gives listed words a fixed stem and marks them as keywords (Elasticsearch's
    stemmer_override): the stemmer after it leaves them alone."""

    name: str
    stems: Mapping[str, str] = field(default_factory=dict)

    def definition(self) -> dict[str, Any] | None:
        rules = [f"{word} => {stem}" for word, stem in sorted(self.stems.items())]
        return {"type": "stemmer_override", "rules": rules}

    def filter(self, term: str, keyword: bool) -> Filtered:
        stem = None if keyword else self.stems.get(term)
        return (stem, True) if stem is not None else (term, keyword)


class TermSplitter(Protocol):
    """A token filter that turns one term into several; an analyzer runs it after its
    one-to-one filters (AnalyzerSpec.split)."""

    @property
    def name(self) -> str:
        """The name the analyzer lists."""

    @property
    def own_positions(self) -> bool:
        """Does each part take a position of its own (else all keep the term's)?"""

    def definition(self) -> dict[str, Any] | None:
        """The entry for the index's `analysis.filter` section."""

    def split(self, term: str) -> list[str]:
        """The term's parts, in order (none: the term is dropped, its position kept)."""


@dataclass(frozen=True)
class NGram:
    """Elasticsearch's `ngram` token filter (Lucene's NGramTokenFilter) with one gram
    size: every run of `size` characters (code points) of a term, in order; a term
    shorter than `size` gives none. The grams of a word keep the word's position and
    offsets, as in Lucene."""

    name: str
    size: int = 3

    @property
    def own_positions(self) -> bool:
        return False

    def definition(self) -> dict[str, Any] | None:
        return {"type": "ngram", "min_gram": self.size, "max_gram": self.size}

    def split(self, term: str) -> list[str]:
        return [term[i : i + self.size] for i in range(len(term) - self.size + 1)]


@dataclass(frozen=True)
class WordDelimiterGraph:
    """Elasticsearch's `word_delimiter_graph` token filter set to split only at
    delimiters (not at case changes, nor between letters and digits, no catenation, no
    original kept): each run of word characters of a term is a part, at a position of
    its own, with the term's offsets (adjust_offsets false). A term of delimiters only
    is dropped, its position kept.

    Word characters are letters, marks and numbers (Java's Character.getType), the
    characters of the type table (`word_chars`, ALPHA), and any character outside the
    BMP (Java reads a surrogate, which never splits). With a type table the engines
    build the whole table from getType, so no special case applies below U+0100."""

    name: str
    word_chars: str  # the type table's characters (BMP): word characters

    def __post_init__(self) -> None:
        if not self.word_chars or max(map(ord, self.word_chars)) > 0xFFFF:
            raise ValueError("a type table of characters of the BMP is needed")

    @property
    def own_positions(self) -> bool:
        return True

    def definition(self) -> dict[str, Any] | None:
        return {
            "type": "word_delimiter_graph",
            "generate_word_parts": True,
            "generate_number_parts": True,
            "catenate_words": False,
            "catenate_numbers": False,
            "catenate_all": False,
            "preserve_original": False,
            "split_on_case_change": False,
            "split_on_numerics": False,
            "stem_english_possessive": False,
            "adjust_offsets": False,
            "type_table": [f"\\u{ord(c):04X} => ALPHA" for c in self.word_chars],
        }

    def split(self, term: str) -> list[str]:
        return _splitter(self.word_chars).split(term)


@functools.cache
def _splitter(word_chars: str) -> _Splitter:
    return _Splitter(word_chars)


class _Splitter:
    """Splits a term at its delimiters, each character's kind looked up once."""

    def __init__(self, word_chars: str) -> None:
        self.word_chars = frozenset(word_chars)
        self.kinds: dict[str, bool] = {}  # character -> is a delimiter

    def is_delimiter(self, char: str) -> bool:
        kind = self.kinds.get(char)
        if kind is None:
            kind = self.kinds[char] = not (
                char in self.word_chars
                or ord(char) > 0xFFFF
                or unicodedata.category(char)[0] in "LMN"
            )
        return kind

    def split(self, term: str) -> list[str]:
        runs = itertools.groupby(term, self.is_delimiter)
        return ["".join(run) for delimiter, run in runs if not delimiter]


@dataclass(frozen=True)
class Length:
    """Elasticsearch's `length` token filter: keeps terms of `low` to `high` characters,
    counted as Java counts them (UTF-16 units: a character outside the BMP is two)."""

    name: str
    low: int
    high: int

    def definition(self) -> dict[str, Any] | None:
        return {"type": "length", "min": self.low, "max": self.high}

    def filter(self, term: str, keyword: bool) -> Filtered:
        length = len(term.encode("utf-16-le")) // 2
        return (term if self.low <= length <= self.high else None), keyword


# java.lang.Character.isWhitespace, which Lucene's TrimFilter uses.
JAVA_WHITESPACE = "".join(
    chr(c)
    for c in range(0x3000 + 1)
    if (unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp") and c not in (0xA0, 0x2007, 0x202F))
    or c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F)
)


@dataclass(frozen=True)
class Trim:
    name: str = "trim"

    def definition(self) -> dict[str, Any] | None:
        return None

    def filter(self, term: str, keyword: bool) -> Filtered:
        return term.strip(JAVA_WHITESPACE), keyword


def _java_class(chars: str) -> str:
    """A regular expression character class of `chars`, each as \\uXXXX (BMP only), which
    Python's re and Java's Pattern read alike."""
    return "[" + "".join(f"\\u{ord(c):04X}" for c in chars) + "]"


@dataclass(frozen=True)
class _PatternReplacement:
    """Elasticsearch's `pattern_replace`: every match of `pattern` replaced. The pattern
    is a Java regular expression that Python's re reads alike (a `.` differs only on
    line terminators, which no word holds: the tokenizer breaks words there)."""

    name: str
    pattern: str
    replacement: str  # Java's: $1 for the first group, no other escapes

    def definition(self) -> dict[str, Any]:
        return {"type": "pattern_replace", "pattern": self.pattern, "replacement": self.replacement}

    def apply(self, text: str) -> str:
        pattern, replacement = _compiled(self.pattern, self.replacement)
        return pattern.sub(replacement, text)


@functools.cache
def _compiled(pattern: str, java_replacement: str) -> tuple[re.Pattern[str], str]:
    """The pattern compiled, and the replacement in Python's syntax (\\g<1> for $1)."""
    if "\\" in java_replacement:
        raise ValueError(f"a replacement with escapes needs translating: {java_replacement!r}")
    return re.compile(pattern), re.sub(r"\$(\d)", r"\\g<\1>", java_replacement)


@dataclass(frozen=True)
class PatternReplaceChars(_PatternReplacement):
    """The `pattern_replace` char filter, run after the mapping char filter of a keyword
    normalizer (a normalizer may use it; OpenSearch 2 allows no `pattern_replace` token
    filter there). On a whole value, the only offsets are its ends, which a replacement
    does not move, so only normalizers use it."""


@dataclass(frozen=True)
class PatternReplace(_PatternReplacement):
    """The `pattern_replace` token filter, on each term."""

    def filter(self, term: str, keyword: bool) -> Filtered:
        return self.apply(term), keyword


# Runs of white space (Java's, as `trim` sees it) as one space. A keyword value is
# cleaned to single spaces, but the char filter then deletes what stood alone between
# two of them (a tatweel used as a dash: "دبي ـ العربية.نت"), which would leave two.
COLLAPSE_SPACE = PatternReplaceChars("collapse_space", _java_class(JAVA_WHITESPACE) + "+", " ")


def custom_definitions(filters: Iterable[TokenFilter | TermSplitter]) -> dict[str, dict[str, Any]]:
    return {f.name: d for f in filters if (d := f.definition()) is not None}
