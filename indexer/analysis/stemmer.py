"""Lucene's Arabic light stemmer and Arabic normalizer, as tables.

These are exact ports of org.apache.lucene.analysis.ar.ArabicStemmer and
ArabicNormalizer (the `arabic_stem` and `arabic_normalization` token filters of
Elasticsearch), so the Python analyzer and Elasticsearch stem identically.
"""

from __future__ import annotations

# Checked in this order; only the first matching prefix is removed.
PREFIXES: tuple[str, ...] = ("ال", "وال", "بال", "كال", "فال", "لل", "و")

# Checked in this order; every one that matches is removed in turn (كتابيها -> كتاب).
SUFFIXES: tuple[str, ...] = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")

# What must be left after removing an affix.
MIN_STEM_LENGTH = 2
MIN_LENGTH_FOR_WAW = 4  # the one-letter prefix و needs a word of at least 4 letters


def stem(word: str) -> str:
    """Lucene ArabicStemmer.stem: one prefix, then any number of suffixes."""
    length = java_length(word)
    for prefix in PREFIXES:
        too_short = length < MIN_LENGTH_FOR_WAW if len(prefix) == 1 else False
        if not too_short and length >= len(prefix) + MIN_STEM_LENGTH and word.startswith(prefix):
            word = word[len(prefix) :]
            break
    return stem_suffixes(word)


def stem_suffixes(word: str) -> str:
    """Lucene ArabicStemmer.stemSuffix: every suffix that matches, in table order."""
    length = java_length(word)
    for suffix in SUFFIXES:
        if length >= len(suffix) + MIN_STEM_LENGTH and word.endswith(suffix):
            word = word[: -len(suffix)]
            length -= len(suffix)
    return word


def java_length(word: str) -> int:
    """The length the stemmer's checks see: Java counts UTF-16 units, so a character
    beyond U+FFFF counts twice (since Lucene 9, a skin tone 🏽 sticks to the word
    before it: ال🏽 loses its ال)."""
    if word and max(word) > "\uffff":
        return len(word.encode("utf-16-le")) // 2
    return len(word)


# Lucene ArabicNormalizer: alef forms, dotless yeh, teh marbuta; tatweel and the
# eight harakat deleted.
LUCENE_ARABIC_NORMALIZATION = str.maketrans(
    {
        "\u0622": "\u0627",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
        **{chr(c): None for c in (0x0640, *range(0x064B, 0x0653))},
    }
)


def lucene_arabic_normalize(word: str) -> str:
    return word.translate(LUCENE_ARABIC_NORMALIZATION)
