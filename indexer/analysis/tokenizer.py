"""Word splitting as Elasticsearch's `standard` tokenizer does it (Unicode UAX#29).

The pattern is a transcription of the grammar of Lucene's StandardTokenizerImpl.jflex
(the one of Lucene 9 and 10, on Unicode 12.1), macro by macro, so that the two can be
read side by side. The word-break properties come from the `regex` module's Unicode
tables.

What it means for Arabic text: spaces and punctuation (، ؛ ؟ « » . ") split; numbers
keep their inner separators (3.5, 1,000); `_` joins (هاشتاغ_عربي); a word longer than
255 characters is cut into 255-character pieces, as in Elasticsearch.
"""

from __future__ import annotations

import functools
import itertools
import re

import regex

MAX_TOKEN_LENGTH = 255  # Elasticsearch's `max_token_length` default

# WB4: format and extend characters stick to the character before them. Since
# Unicode 11 (Lucene 9 and 10 build on 12.1) skin-tone modifiers are Extend too,
# so 7🏽1 is one word; Lucene 8 (Unicode 9) split it in three.
_EXT = r"[\p{WB=Format}\p{WB=Extend}\p{WB=ZWJ}]*"
_EXT_SANS_PRES_SEL = r"[[\p{WB=Format}\p{WB=Extend}\p{WB=ZWJ}]--[\uFE0E\uFE0F]]*"

_MACROS = {
    "AHLetterEx": rf"[\p{{WB=ALetter}}\p{{WB=Hebrew_Letter}}]{_EXT}",
    "HebrewLetterEx": rf"\p{{WB=Hebrew_Letter}}{_EXT}",
    "NumericEx": rf"\p{{WB=Numeric}}{_EXT}",
    "KatakanaEx": rf"\p{{WB=Katakana}}{_EXT}",
    "MidLetterEx": rf"[\p{{WB=MidLetter}}\p{{WB=MidNumLet}}\p{{WB=Single_Quote}}]{_EXT}",
    "MidNumericEx": rf"[\p{{WB=MidNum}}\p{{WB=MidNumLet}}\p{{WB=Single_Quote}}]{_EXT}",
    "ExtendNumLetEx": rf"\p{{WB=ExtendNumLet}}{_EXT}",
    "SingleQuoteEx": rf"\p{{WB=Single_Quote}}{_EXT}",
    "DoubleQuoteEx": rf"\p{{WB=Double_Quote}}{_EXT}",
    "HanEx": rf"\p{{Script=Han}}{_EXT}",
    "HiraganaEx": rf"\p{{Script=Hiragana}}{_EXT}",
    "ComplexContextEx": rf"\p{{LB=SA}}{_EXT}",
    "RegionalIndicatorEx": rf"\p{{WB=Regional_Indicator}}{_EXT}",
    # Emoji: the characters that are emoji but not digits, #, *, ©, ® and the like
    # ("accidental" emoji), which UAX#29 treats as ordinary characters.
    "EmojiCharEx": (
        r"(?:\p{Extended_Pictographic}|"
        r"[\p{Emoji}--[\p{WB=Regional_Indicator}0-9#*©®™\u3030\u303D\p{Emoji_Modifier}]])"
        + _EXT_SANS_PRES_SEL
    ),
    "EmojiModifierBaseEx": r"\p{Emoji_Modifier_Base}" + _EXT_SANS_PRES_SEL,
    "EmojiModifierEx": r"\p{Emoji_Modifier}" + _EXT_SANS_PRES_SEL,
    "KeyCapBaseCharEx": r"[0-9#*]" + _EXT_SANS_PRES_SEL,
    "KeyCapEx": r"\u20E3" + _EXT_SANS_PRES_SEL,
}

# One unit of a word: WB6/7 letters joined by MidLetter, WB11/12 digits joined by
# MidNum, WB7a-c Hebrew quotes, WB13 katakana runs.
_WORD_UNIT = r"""
    (?: {KatakanaEx} (?: {ExtendNumLetEx}* {KatakanaEx} )*
      | (?: {HebrewLetterEx} (?: {SingleQuoteEx} | {DoubleQuoteEx} {HebrewLetterEx} )
          | {NumericEx} (?: (?: {ExtendNumLetEx}* | {MidNumericEx} ) {NumericEx} )*
          | {AHLetterEx} (?: (?: {ExtendNumLetEx}* | {MidLetterEx} ) {AHLetterEx} )*
        )+
    )
"""

# WB13a/b: units chained by ExtendNumLet (underscore).
_WORD = (
    "{ExtendNumLetEx}*" + _WORD_UNIT + "(?: {ExtendNumLetEx}+" + _WORD_UNIT + ")* {ExtendNumLetEx}*"
)

_EMOJI_SEQ = r"""
    (?: (?: \p{WB=ZWJ}* {EmojiModifierBaseEx} )? {EmojiModifierEx}
      | \p{WB=ZWJ}* {EmojiCharEx} \uFE0F? )
"""

_EMOJI = (
    _EMOJI_SEQ
    + r"(?: [\U000E0020-\U000E007E]+ \U000E007F | (?: \p{WB=ZWJ}"
    + _EMOJI_SEQ
    + r")* )"
    + r"| {KeyCapBaseCharEx} \uFE0F? {KeyCapEx} | {RegionalIndicatorEx}{2}"
)

# Alternatives in the order that gives the longest match on real text: a word
# (which also covers numbers, hangul and katakana), an emoji sequence, a run of
# Thai-like script, one Han or Hiragana character. Anything else is skipped.
_TOKEN = f"(?:{_WORD}) | (?:{_EMOJI}) | {{ComplexContextEx}}+ | {{HanEx}} | {{HiraganaEx}}"


def _expand_macros(pattern: str) -> str:
    """Replace each {MacroName} by its definition; {2} and \\p{..} stay as they are."""
    return regex.sub(
        r"\{(\w+)\}", lambda m: f"(?:{_MACROS[m[1]]})" if m[1] in _MACROS else m[0], pattern
    )


TOKEN_PATTERN = regex.compile(_expand_macros(_TOKEN), regex.VERBOSE | regex.V1)
# JFlex takes the longest match, a backtracking regex the first one found; the two
# differ where Hebrew quote rules (WB7a-c) overlap other units, and where an emoji's
# trailing ZWJ (WB4) could also start the next element of a ZWJ sequence (👨‍👩‍👧 is
# one token). Text with a Hebrew letter or a ZWJ gets POSIX (leftmost-longest)
# matching, which is slower; the analyzers' char_filter deletes ZWJ before this.
LONGEST_TOKEN_PATTERN = regex.compile(
    _expand_macros(_TOKEN), regex.VERBOSE | regex.V1 | regex.POSIX
)
_NEEDS_LONGEST = regex.compile(r"[\p{WB=Hebrew_Letter}\p{WB=ZWJ}]")

# What a word may hold besides letters, marks and digits: the separators of the word
# grammar (3.5, 1,000, it's, U.S), its joiner (_), the Arabic decimal separator and
# number signs (WB=Numeric), and format characters; in the BMP, as Java's char tables go.
_INNER_PUNCTUATION = regex.compile(
    r"[[\p{WB=MidLetter}\p{WB=MidNum}\p{WB=MidNumLet}\p{WB=Single_Quote}\p{WB=Double_Quote}"
    r"\p{WB=ExtendNumLet}\p{WB=Numeric}\p{WB=Format}\p{WB=ZWJ}]--[\p{L}\p{M}\p{N}]]",
    regex.V1,
)


@functools.cache
def inner_punctuation() -> str:
    """The characters (BMP) a word may hold that are no letter, mark or digit, in order."""
    bmp = "".join(map(chr, itertools.chain(range(0xD800), range(0xE000, 0x10000))))
    return "".join(_INNER_PUNCTUATION.findall(bmp))


# Fast path. Most Arabic news text uses only the characters below. For them the
# grammar above reduces to a few plain classes that the standard `re` engine runs
# several times faster: letters (AHLetter), ASCII digits (Numeric), `_`
# (ExtendNumLet), `: . ' ‘ ’` between letters (MidLetter, MidNumLet, Single_Quote)
# and `, ; ، . ' ‘ ’` between digits (MidNum, MidNumLet, Single_Quote). The other
# characters of the set never join anything. A chunk (run of non-space text) with
# any other character takes the full pattern; test_tokenizer checks both agree.
_LETTERS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0620-\u064a\u066e\u066f\u0671-\u06d3\u06d5"
)
_SPACE = " \t\n\r"
_PUNCTUATION = ".,:;!?'\"()[]{}<>«»،؛؟…-–—/\\|%$@&+=~^`٪#*\xa0•“”×‘’"
_UNUSUAL = re.compile(f"[^{_LETTERS}0-9_{_SPACE}{re.escape(_PUNCTUATION)}]")
_SPACE_CHAR = re.compile(f"[{_SPACE}]")
_LONG_CHUNK = re.compile(f"[^{_SPACE}]{{{MAX_TOKEN_LENGTH + 1}}}")
_MID_LETTER = ":.'‘’"
_MID_NUMBER = ",;،.'‘’"
_PLAIN_UNIT = (
    f"(?:[0-9]+(?:[{_MID_NUMBER}]?[0-9]+)*|[{_LETTERS}]+(?:[{_MID_LETTER}]?[{_LETTERS}]+)*)"
)
_PLAIN_WORD = re.compile(f"_*(?:{_PLAIN_UNIT})+(?:_+(?:{_PLAIN_UNIT})+)*_*")


def split_words(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each word of `text`, as the standard tokenizer finds them."""
    if _LONG_CHUNK.search(text):
        return uax29_words(text)
    spans: list[tuple[int, int]] = []
    pos = 0
    while unusual := _UNUSUAL.search(text, pos):
        # The chunk of non-space text around the unusual character.
        start = max(text.rfind(c, pos, unusual.start()) for c in _SPACE) + 1
        start = max(start, pos)
        after = _SPACE_CHAR.search(text, unusual.end())
        end = after.start() if after else len(text)
        spans += [m.span() for m in _PLAIN_WORD.finditer(text, pos, start)]
        spans += uax29_words(text, start, end)
        pos = end
    spans += [m.span() for m in _PLAIN_WORD.finditer(text, pos)]
    return spans


def uax29_words(text: str, pos: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Word spans of text[pos:end] by the full UAX#29 pattern (no fast path)."""
    end = len(text) if end is None else end
    pattern = LONGEST_TOKEN_PATTERN if _NEEDS_LONGEST.search(text, pos, end) else TOKEN_PATTERN
    spans = []
    while pos < end:
        match = pattern.search(text, pos, end)
        if match is None:
            break
        start, stop = match.span()
        if stop - start > MAX_TOKEN_LENGTH:
            # Lucene's scanner buffer holds 255 chars: it matches within that window.
            window = pattern.match(text, start, start + MAX_TOKEN_LENGTH)
            assert window is not None  # a longer token begins here: so does a shorter one
            stop = window.end()
        spans.append((start, stop))
        pos = stop
    return spans


# The fast path again, for indexing where only the words are needed (no offsets).
# In plain text a run of non-space characters that is letters and digits once its
# edge punctuation is stripped is one word (punctuation at an edge joins nothing);
# any other run goes through the plain pattern. Same words as split_words
# (test_tokenizer checks it).


def is_plain(text: str) -> bool:
    """Whether `text` holds only the characters the fast paths handle."""
    return _UNUSUAL.search(text) is None


def plain_words(text: str) -> list[str] | None:
    """The words of `text` if it holds only plain characters (else None: use split_words)."""
    if not is_plain(text):
        return None
    words = []
    for chunk in text.split():
        word = chunk.strip(_PUNCTUATION)
        if len(word) > MAX_TOKEN_LENGTH:
            return None
        words += _stripped_chunk_words(word)
    return words


def chunk_words(chunk: str) -> list[str]:
    """The words of one run of non-space characters of plain text, at most
    MAX_TOKEN_LENGTH long: what plain_words finds in it (it never looks further)."""
    return _stripped_chunk_words(chunk.strip(_PUNCTUATION))


def _stripped_chunk_words(word: str) -> list[str]:
    """The words of a chunk whose edge punctuation is stripped off."""
    if word.isalnum():
        return [word]
    return _PLAIN_WORD.findall(word) if word else []
