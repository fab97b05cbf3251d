"""The text, exact, grams and keyword analyzers: what matching relies on."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import FIXTURES
from hypothesis import given
from hypothesis import strategies as st
from sentences import fixture_sentences, shared_sentences

from indexer.analysis.analyzers import Analyzer, IndexTerms, default_analyzers
from indexer.analysis.filters import java_lower
from indexer.analysis.normalize import Normalizer, build_table
from indexer.scan import join_terms

ANALYZERS = default_analyzers()
TEXT, EXACT, KEYWORD = ANALYZERS["text"], ANALYZERS["exact"], ANALYZERS["keyword"]
GRAMS, GRAMS_SEARCH = ANALYZERS["grams"], ANALYZERS["grams_search"]


@pytest.mark.parametrize(
    "variants",
    [
        ["أحمد", "احمد", "أَحْمَد", "أحـــمد"],
        ["مسؤول", "مسئول", "مسوول", "مَسْؤُول"],
        ["القاهرة", "القاهره", "القاهـرة"],
        ["إسرائيل", "اسرائيل", "إسرائيلُ"],
        ["٢٠٢١", "2021", "۲۰۲۱"],
        ["كتاب", "کتاب", "ﻛﺘﺎﺏ"],
        ["لاعب", "ﻻعب"],
        ["هذا", "هٰذا"],
    ],
)
def test_spelling_variants_give_the_same_terms(variants: list[str]) -> None:
    for analyzer in (TEXT, EXACT, GRAMS, KEYWORD):
        assert len({tuple(analyzer.terms(v)) for v in variants}) == 1, analyzer.name


def test_text_analyzer_removes_stopwords_and_keeps_positions() -> None:
    tokens = TEXT.analyze("ذهب الوفد إلى طهران في الصباح")
    assert [(t.token, t.position) for t in tokens] == [
        ("ذهب", 0),
        ("وفد", 1),
        ("طهر", 3),  # stock light stemming cuts ان
        ("صباح", 5),
    ]


def test_stopwords_match_in_any_spelling() -> None:
    # Lucene's list has إلى and على unnormalized; the index normalizes first.
    assert TEXT.terms("إلى الى على علي عليٰ") == []


def test_protected_words_are_not_stemmed() -> None:
    assert TEXT.terms("وزير فلسطين") == ["وزير", "فلسطين"]
    # The stemmer still takes affixes off other forms down to the protected word.
    assert TEXT.terms("ووزير فلسطينيين") == ["وزير", "فلسطين"]


def test_exact_analyzer_normalizes_without_stemming() -> None:
    assert EXACT.terms("الخارجيّة الروسية في Moscow") == ["الخارجيه", "الروسيه", "في", "moscow"]


def test_grams_analyzer_cuts_unstemmed_words_into_trigrams() -> None:
    # Stopwords out, then every three letters of the normalized word; a shorter word
    # gives nothing. The grams keep the word's position and offsets (Lucene's filter).
    tokens = GRAMS.analyze("من بعزيز أب")
    assert [(t.token, t.start, t.end, t.position) for t in tokens] == [
        ("بعز", 3, 8, 1),
        ("عزي", 3, 8, 1),
        ("زيز", 3, 8, 1),
    ]
    assert set(GRAMS.terms("عزيز")) <= set(GRAMS.terms("بعزيز"))


def test_grams_search_gives_the_trigrams_each_at_a_position_of_its_own() -> None:
    # A match query on the trigram field asks each as a term query: they may not share
    # a position. What a word holds besides letters (3.5) stays in its trigrams.
    tokens = GRAMS_SEARCH.analyze("من بعزيز أب القاهرة 3.5")
    assert [(t.token, t.start, t.end, t.position) for t in tokens] == [
        ("بعز", 3, 8, 1),
        ("عزي", 3, 8, 2),
        ("زيز", 3, 8, 3),
        ("الق", 12, 19, 6),  # the holes of يز and اب, which the length leaves out
        ("لقا", 12, 19, 7),
        ("قاه", 12, 19, 8),
        ("اهر", 12, 19, 9),
        ("هره", 12, 19, 10),
        ("3.5", 20, 23, 12),
    ]


def test_grams_search_gives_the_grams_analyzers_trigrams_on_real_sentences() -> None:
    sentences = fixture_sentences() + shared_sentences(news=500, wiki=200, classical=200)
    differing = [s for s in sentences if GRAMS_SEARCH.terms(s) != GRAMS.terms(s)]
    assert differing == []


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("𝐀𝐁𝐂𝐃", ["𝐀𝐁𝐂", "𝐁𝐂𝐃"]),  # outside the BMP: two UTF-16 units each, over the length
        ("ab˂cd", ["ab˂", "b˂c", "˂cd"]),  # a modifier symbol, a letter to the tokenizer
    ],
)
def test_grams_search_leaves_out_trigrams_of_some_rare_characters(
    text: str, grams: list[str]
) -> None:
    assert GRAMS.terms(text) == grams
    assert GRAMS_SEARCH.terms(text) == []


def test_keyword_normalizer_gives_one_trimmed_token() -> None:
    [token] = KEYWORD.analyze("  أخبار سورية ")
    assert (token.token, token.start, token.end) == ("اخبار سوريه", 0, 14)
    assert KEYWORD.terms("BBC عربي") == ["bbc عربي"]


def test_offsets_point_into_the_original_text() -> None:
    text = "قالت الخارجيّة الرُّوسية"
    assert [text[t.start : t.end] for t in TEXT.analyze(text)] == [
        "قالت",
        "الخارجيّة",
        "الرُّوسية",
    ]


def test_multi_word_ligature_keeps_elasticsearch_offsets() -> None:
    # ﷺ expands to four words; like Lucene's MappingCharFilter, the words inside the
    # expansion point at the ligature's start and the last one ends after it.
    tokens = EXACT.analyze("محمد ﷺ")
    assert [(t.token, t.start, t.end) for t in tokens] == [
        ("محمد", 0, 4),
        ("صلي", 5, 5),
        ("الله", 5, 5),
        ("عليه", 5, 5),
        ("وسلم", 5, 6),
    ]


_TABLE = build_table()
_EXPANDS_TO_WORDS = {c for c, r in _TABLE.items() if " " in r}
_NORMALIZER = Normalizer()


def _surface(text: str) -> str:
    return java_lower(_NORMALIZER.normalize(text))


arabic_like = st.text(
    st.sampled_from(
        sorted(
            (set("".join(_TABLE)) - _EXPANDS_TO_WORDS)
            | set("ابتثجحخدذرسشصضطظعغفقكلمنهويء abcXYZ0123456789.,،؛؟«»_\n")
        )
    ),
    max_size=80,
)


@given(arabic_like)
def test_exact_offsets_slice_the_surface_form(text: str) -> None:
    for token in EXACT.analyze(text):
        assert 0 <= token.start < token.end <= len(text)
        assert _surface(text[token.start : token.end]) == token.token


@given(arabic_like)
def test_text_tokens_are_the_stemmed_exact_tokens(text: str) -> None:
    exact = {t.position: t for t in EXACT.analyze(text)}
    for token in TEXT.analyze(text):
        assert (token.start, token.end) == (exact[token.position].start, exact[token.position].end)


@given(st.text(st.characters(codec=None, categories=None), max_size=200))
def test_any_string_analyzes_without_error(text: str) -> None:
    for analyzer in ANALYZERS.values():
        for token in analyzer.analyze(text):
            assert 0 <= token.start <= token.end <= len(text)


@given(arabic_like)
def test_terms_fast_path_equals_analyze(text: str) -> None:
    for analyzer in ANALYZERS.values():
        assert analyzer.terms(text) == [t.token for t in analyzer.analyze(text)]


# One for all examples: its chunk memory is tested too.
INDEX_TERMS = IndexTerms((TEXT, EXACT, GRAMS))


def _index_terms_by_analyze(text: str) -> tuple[str, ...]:
    return tuple(" ".join(t.token for t in a.analyze(text)) for a in (TEXT, EXACT, GRAMS))


@given(st.one_of(arabic_like, st.text(max_size=300)))
def test_index_terms_equal_the_analyzers_terms(text: str) -> None:
    assert INDEX_TERMS(text) == _index_terms_by_analyze(text)


def test_index_terms_equal_the_analyzers_terms_on_real_sentences() -> None:
    sentences = (FIXTURES / "analysis_sentences.txt").read_text(encoding="utf-8").splitlines()
    long_word = "ب" * 300  # longer than one token: the analyzers' own path
    for text in [*sentences, f"{sentences[0]} {long_word}", " ".join(sentences[:50])]:
        assert INDEX_TERMS(text) == _index_terms_by_analyze(text)


def _join_terms_reference(text: str, memory: dict[str, str], width: int) -> tuple[str, ...]:
    fields = zip(*(memory.get(c, "L\tL\tL").split("\t") for c in text.split()), strict=True)
    return tuple(" ".join(filter(None, f)) for f in fields) or ("",) * width


# Chunks of any characters (beyond the BMP too), and any white space between them.
_chunk = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=6).filter(
    lambda c: not any(ch.isspace() for ch in c)
)
_space = st.sampled_from([" ", "  ", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\t"])
_field = st.lists(_chunk, max_size=3).map(" ".join)
_terms = st.tuples(_field, _field, _field).map("\t".join)


@given(st.lists(st.tuples(_chunk, _space, _terms), max_size=12), st.integers(0, 12))
def test_join_terms_equals_split_lookup_and_join(
    pieces: list[tuple[str, str, str]], unknown: int
) -> None:
    """Each chunk's terms known, or (with an `unknown` chunk left out) learned."""
    text = "".join(chunk + space for chunk, space, _ in pieces)
    memory = {chunk: terms for i, (chunk, _, terms) in enumerate(pieces) if i != unknown}
    expected = _join_terms_reference(text, memory, 3)
    learned: list[str] = []

    def learn(chunk: str) -> str:
        learned.append(chunk)
        return "L\tL\tL"

    assert join_terms(text, memory, 3, 6, learn) == expected
    assert learned == [c for c in text.split() if c not in memory]
    if any(len(chunk) > 2 for chunk, _, _ in pieces):
        assert join_terms(text, memory, 3, 2, lambda c: "\t\t") is None  # too long


def test_join_terms_refuses_values_with_the_wrong_fields() -> None:
    with pytest.raises(ValueError, match="3 tab-separated fields"):
        join_terms("a", {"a": "x\ty"}, 3, 255, str)
    with pytest.raises(TypeError, match="must be str"):
        join_terms("a", {"a": ("x", "y", "z")}, 3, 255, str)  # type: ignore[dict-item]

    def learn(chunk: str) -> str:
        raise ZeroDivisionError(chunk)

    with pytest.raises(ZeroDivisionError):  # learn's error comes through
        join_terms("a b", {"a": "x\ty\tz"}, 3, 255, learn)
    with pytest.raises(ValueError, match="width must be 1 to 8"):
        join_terms("a", {}, 9, 255, str)


def test_index_terms_need_analyzers_along_one_filter_chain() -> None:
    stemmed_only = Analyzer(dataclasses.replace(TEXT.spec, filters=TEXT.spec.filters[-1:]))
    with pytest.raises(ValueError, match="one chain"):
        IndexTerms((TEXT, stemmed_only))


@given(st.one_of(arabic_like, arabic_like.map(lambda t: t.replace(" ", "\t").replace("،", "\r"))))
def test_highlight_matches_agree_with_the_full_analysis(text: str) -> None:
    from indexer.search.highlight import Terms, matches

    exact = [t.token for t in EXACT.analyze(text)]
    terms = Terms(frozenset(TEXT.terms(text)[:3]), frozenset(exact[-2:]))
    expected = [
        (t.start, t.end)
        for t in EXACT.analyze(text)
        if t.token in terms.exact or TEXT.filter_term(t.token) in terms.stems
    ]
    assert [(t.start, t.end) for t in matches(text, terms, ANALYZERS)] == expected
