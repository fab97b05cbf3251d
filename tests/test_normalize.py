"""The normalization policy of DESIGN.md, rule by rule, on real words."""

from __future__ import annotations

import pytest
from es_rules import parse_es_mapping_rule
from hypothesis import given
from hypothesis import strategies as st

from indexer.analysis.normalize import RULE_NAMES, RULES, Normalizer, apply_table, build_table

NORMALIZER = Normalizer()
normalize = NORMALIZER.normalize


@pytest.mark.parametrize(
    ("written", "normalized", "rule"),
    [
        ("أحمد", "احمد", "fold_alef"),
        ("إسلام", "اسلام", "fold_alef"),
        ("آخر", "اخر", "fold_alef"),
        ("ٱلحمد", "الحمد", "fold_alef"),
        ("مسؤول", "مسوول", "fold_waw_hamza"),
        ("رئيس", "رييس", "fold_yeh_hamza"),
        ("مسئول", "مسوول", "fold_hamza_seat_before_waw"),
        ("شئون", "شوون", "fold_hamza_seat_before_waw"),
        ("على", "علي", "fold_alef_maksura"),
        ("القاهرة", "القاهره", "fold_teh_marbuta"),
        ("هٰذا", "هذا", "strip_superscript_alef"),
        ("أَحْمَدُ", "احمد", "strip_harakat"),
        ("مُحَمَّدٌ", "محمد", "strip_harakat"),
        ("تـــــم", "تم", "strip_tatweel"),
        ("ٱلْعَٰلَمِينَ ۝", "العلمين ", "strip_quranic_marks"),
        ("ﻻ", "لا", "expand_presentation_forms"),
        ("ﻷ", "لا", "expand_presentation_forms"),
        ("ﺃﺣﻤﺪ", "احمد", "expand_presentation_forms"),
        ("ﷲ", "الله", "expand_presentation_forms"),
        ("٢٠٢١", "2021", "fold_digits"),
        ("۱۴۰۲", "1402", "fold_digits"),
        ("فارسی", "فارسي", "fold_persian_letters"),
        ("کتاب", "كتاب", "fold_persian_letters"),
        ("خانۀ", "خانه", "fold_persian_letters"),
        ("\u200fكلمة\u200f", "كلمه", "strip_invisible_controls"),
        ("مي\u200cخواهم", "ميخواهم", "strip_invisible_controls"),
        ("\ufeffبداية", "بدايه", "strip_invisible_controls"),
        ("\u202bنص\u202c \u2067عزل\u2069", "نص عزل", "strip_invisible_controls"),
    ],
)
def test_rule_on_real_words(written: str, normalized: str, rule: str) -> None:
    assert normalize(written) == normalized
    # With the rule switched off, the word keeps what that rule would change.
    assert Normalizer(disabled={rule}).normalize(written) != normalized


def test_text_outside_the_policy_is_untouched() -> None:
    text = "Elasticsearch 9, «الأخبار» (2021) — ok? ء"
    assert normalize(text) == "Elasticsearch 9, «الاخبار» (2021) — ok? ء"
    assert normalize("\ud800أ") == "\ud800ا"  # a lone surrogate passes through


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_every_rule_can_be_switched_off(rule: str) -> None:
    on, off = build_table(), build_table(disabled={rule})
    changed = {c for c in on if on[c] != off.get(c, c)}
    assert changed, f"switching off {rule} changed nothing"


def test_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="no_such_rule"):
        Normalizer(disabled={"no_such_rule"})


def test_table_is_built_from_pyarabic_constants() -> None:
    import pyarabic.araby as araby

    table = build_table()
    for mark in araby.TASHKEEL:
        assert table[mark] == ""
    for alef in (araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW, araby.ALEF_MADDA):
        assert table[alef] == araby.ALEF


def test_does_not_collapse_hamza_like_pyarabic_default() -> None:
    # pyarabic's normalize_hamza() default turns أحمد into ءحمد; the policy must not.
    assert normalize("أحمد") == "احمد"
    assert normalize("سماء") == "سماء"


def test_offsets_follow_lucene_mapping_char_filter() -> None:
    text = "\u200fكتبَ ﻻ"
    out, origin = NORMALIZER.normalize_with_offsets(text)
    assert out == "كتب لا"
    # Boundary 0 skips the deleted RLM; boundary 3 (end of كتب) lies past the fatha;
    # the boundary inside the expanded ligature maps back to the ligature's start.
    assert origin == [1, 2, 3, 5, 6, 6, 7]


def test_char_filter_rules_read_by_elasticsearch_give_the_table() -> None:
    rules = NORMALIZER.char_filter_rules()
    assert dict(parse_es_mapping_rule(r) for r in rules) == NORMALIZER.table
    # A deletion is written with an empty right-hand side, which Elasticsearch accepts.
    assert "\\u0640 => " in rules


# Every code point, lone surrogates included: the normalizer must take any str.
any_text = st.text(st.characters(codec=None, categories=None), max_size=200)
arabic_text = st.text(
    st.sampled_from(sorted({*"".join(build_table()), *"ابتثجحخدرسعفقكلمنهوي 0123456789.,"})),
    max_size=80,
)
DELETED = {c for c, r in NORMALIZER.table.items() if r == ""}
assert all(len(c) == 1 for c in DELETED)


def reference_normalize(text: str) -> str:
    """The table applied character by character: what the one-pass version must equal."""
    return apply_table(NORMALIZER.table, text)


@given(st.one_of(any_text, arabic_text))
def test_normalize_equals_the_table_applied_char_by_char(text: str) -> None:
    assert normalize(text) == reference_normalize(text)


@given(st.one_of(any_text, arabic_text))
def test_normalized_utf16_is_the_reference_encoded(text: str) -> None:
    # What fingerprints hash, from the C loop or, beyond the BMP, the array path.
    expected = reference_normalize(text).encode("utf-16-le", "surrogatepass")
    assert NORMALIZER.normalized_utf16(text) == expected


@given(st.one_of(any_text, arabic_text))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.one_of(any_text, arabic_text))
def test_leaves_no_character_the_policy_deletes(text: str) -> None:
    assert not DELETED & set(normalize(text))


def reference_offsets(text: str) -> list[int]:
    """For each output character, the input offset of the character it comes from (a
    pair's two characters their own), then the end: as apply_table walks the text."""
    table, origin, i = NORMALIZER.table, [], 0
    while i < len(text):
        if text[i : i + 2] in table and len(text[i : i + 2]) == 2:
            origin += [i, i + 1]
            i += 2
        else:
            origin += [i] * len(table.get(text[i], text[i]))
            i += 1
    return [*origin, len(text)]


@given(st.one_of(any_text, arabic_text))
def test_offsets_follow_the_table_character_by_character(text: str) -> None:
    expected = (reference_normalize(text), reference_offsets(text))
    assert NORMALIZER.normalize_with_offsets(text) == expected


@given(st.one_of(any_text, arabic_text))
def test_offsets_are_monotonic_and_in_range(text: str) -> None:
    out, origin = NORMALIZER.normalize_with_offsets(text)
    offsets = origin
    assert len(offsets) == len(out) + 1
    assert offsets[-1] == len(text)
    assert offsets == sorted(offsets)
    assert all(0 <= o <= len(text) for o in offsets)


def test_rules_have_unique_names_and_reasons() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert all(r.why for r in RULES)
