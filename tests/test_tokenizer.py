"""Word splitting as Elasticsearch's standard tokenizer (UAX#29) does it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis.tokenizer import MAX_TOKEN_LENGTH, split_words, uax29_words


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in split_words(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قالت الوزارة، إن الوفد؛ زار طهران؟", ["قالت", "الوزارة", "إن", "الوفد", "زار", "طهران"]),
        ('«الخارجية» (الروسية) "بيان"', ["الخارجية", "الروسية", "بيان"]),
        ("نسبة 3.5 من 1,000 دولار", ["نسبة", "3.5", "من", "1,000", "دولار"]),
        ("٣٫٥ و١٬٠٠٠", ["٣٫٥", "و١٬٠٠٠"]),
        ("#هاشتاغ_عربي و_بداية", ["هاشتاغ_عربي", "و_بداية"]),
        ("و2021 عام2021", ["و2021", "عام2021"]),
        ("U.S.A. it's e-mail", ["U.S.A", "it's", "e", "mail"]),
        ("23/11/2021 21:35", ["23", "11", "2021", "21", "35"]),
        ("اليوم... غداً", ["اليوم", "غداً"]),
        ("😀 👍🏽 🇸🇦 1⃣ 中文 ไทย", ["😀", "👍🏽", "🇸🇦", "1⃣", "中", "文", "ไทย"]),
        # Unicode 11+ (Lucene 9 and 10): a skin tone is Extend, and sticks to any word
        ("7🏽1 ب🏽", ["7🏽1", "ب🏽"]),
        # a ZWJ sequence is one emoji, however the ZWJ could also attach (WB4)
        ("👨\u200d👩\u200d👧 👍🏽\u200d😀", ["👨\u200d👩\u200d👧", "👍🏽\u200d😀"]),
        ("  \n\t ", []),
        ("", []),
    ],
)
def test_splits_like_the_standard_tokenizer(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_long_words_are_cut_at_255_characters() -> None:
    assert [e - s for s, e in split_words("ب" * 600)] == [255, 255, 90]
    assert [e - s for s, e in split_words("x " + "ب" * 256 + "،")] == [1, 255, 1]


def test_diacritics_stay_inside_words() -> None:
    # Harakat are Extend characters: they never split a word (WB4).
    assert words("مُحَمَّدٌ رَسُولُ") == ["مُحَمَّدٌ", "رَسُولُ"]


# An alphabet where the fast path and the full UAX#29 pattern must agree: the plain
# characters the fast path handles plus characters that force the full pattern.
_PLAIN = "ابتثجحخدذرسشصضطظعغفقكلمنهويءةىabcXYZé0123456789 \n\t._,:;'\"،؛؟«»-#*’"
_UNUSUAL = "\u064e\u0651٫٬٠\u200d\ufe0f\u20e3😀🏽中ไ\u05d0_"


@settings(max_examples=400)
@given(st.text(st.sampled_from(_PLAIN + _UNUSUAL), max_size=60))
def test_fast_path_agrees_with_the_full_pattern(text: str) -> None:
    assert split_words(text) == uax29_words(text)


@given(st.text(max_size=100))
def test_spans_are_ordered_non_empty_and_bounded(text: str) -> None:
    spans = split_words(text)
    assert all(0 <= s < e <= len(text) and e - s <= MAX_TOKEN_LENGTH for s, e in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@settings(max_examples=500)
@given(st.text(st.sampled_from(_PLAIN + "ـ_.'’"), max_size=80))
def test_plain_words_are_the_uax29_words(text: str) -> None:
    from indexer.analysis.tokenizer import plain_words

    words = plain_words(text)
    assert words is not None
    assert words == [text[s:e] for s, e in uax29_words(text)]


def test_plain_words_declines_unusual_text() -> None:
    from indexer.analysis.tokenizer import plain_words

    assert plain_words("كلمة 😀") is None
    assert plain_words("ب" * 300) is None
    assert plain_words("قال: 3.5 و1,000 U.S.A") == ["قال", "3.5", "و1,000", "U.S.A"]
