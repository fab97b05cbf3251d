"""The six analyzers of the index contract, defined once as data.

`text` (arabic_text) matches: normalize, split words, lowercase, ASCII digits, drop
stopwords, protect known words, stem. `exact` (arabic_exact) is the same without
stopwords and stemming; `exact_search` (arabic_exact_search) analyzes queries on the
exact fields, dropping stopwords. `grams` (arabic_grams) cuts the unstemmed words,
stopwords out, into character trigrams: a partial match for spellings and affixes the
stemmer does not join (بعزيز / عزيز); `grams_search` (arabic_grams_search) cuts a
query the same way, each trigram at a position of its own. `keyword` (the
arabic_keyword normalizer) normalizes a whole value such as a category or an author
name into one token.

The same definitions produce the Elasticsearch analysis settings (`es_analysis`),
so Python and Elasticsearch analyze alike; the Lucene parity test checks it.

A definition (`AnalyzerSpec`) is immutable data. An `Analyzer` runs one and remembers
the terms it found; whoever analyzes text owns its analyzers (a backend, a command),
so no memory is shared through the process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from indexer.analysis.filters import (
    COLLAPSE_SPACE,
    ArabicNormalization,
    ArabicStem,
    DecimalDigit,
    KeywordMarker,
    Length,
    Lowercase,
    NGram,
    PatternReplace,
    PatternReplaceChars,
    StemmerOverride,
    Stop,
    TermSplitter,
    TokenFilter,
    Trim,
    WordDelimiterGraph,
    custom_definitions,
)
from indexer.analysis.normalize import RULE_NAMES, Normalizer, default_normalizer
from indexer.analysis.tokenizer import (
    MAX_TOKEN_LENGTH,
    chunk_words,
    inner_punctuation,
    is_plain,
    plain_words,
    split_words,
)
from indexer.scan import TERM_SEPARATOR, join_terms

CHAR_FILTER_NAME = "arabic_char_map"


def read_word_list(name: str) -> list[str]:
    """A packaged word list: one word a line, '#' comments and blank lines skipped."""
    text = resources.files("indexer.analysis").joinpath(name).read_text(encoding="utf-8")
    return [w for line in text.splitlines() if (w := line.strip()) and not w.startswith("#")]


@dataclass(frozen=True, slots=True)
class Token:
    token: str
    start: int  # offsets into the original text, end exclusive
    end: int
    position: int


# Terms remembered per analyzer: news vocabulary repeats, so most words are seen
# before. About 150 bytes an entry; the 31k ANT articles have ~125k distinct words.
_TERM_CACHE_SIZE = 500_000
_REMOVED = ""  # what the cache holds for a word the filters drop (a stopword)
GRAM_SIZE = 3
# Each character followed by two more becomes its trigram and a space ("abcde" gives
# "abc bcd cde de"); the split at the spaces and a length of 3 then leave the trigrams.
# The split keeps what a word holds besides letters and digits (3.5, U.S), so the
# trigrams are the ngram filter's, but for those of characters outside the BMP (the
# length counts UTF-16 units) and of symbols that the tokenizer takes for letters.
TRIGRAMS_SPACED = PatternReplace("arabic_trigrams_spaced", "(.)(?=(.)(.))", "$1$2$3 ")


class _Positions:
    """Positions of parts that each take one of their own (word_delimiter_graph): a
    word's first part moves on by the word's increment (holes of dropped words kept),
    the next parts by one each."""

    def __init__(self) -> None:
        self.last = -1  # the last part's position
        self.word = -1  # the position of the last word that reached the split
        self.pending = 0  # increments not yet taken by a part

    def place(self, word: int, parts: int) -> range:
        self.pending += word - self.word
        self.word = word
        if not parts:  # a word of delimiters only: its increment goes to the next
            return range(0)
        first = self.last + self.pending
        self.last, self.pending = first + parts - 1, 0
        return range(first, first + parts)


def _through(filters: tuple[TokenFilter, ...], term: str) -> str | None:
    """A term after `filters`, in order (None: one removed it)."""
    keyword = False
    for token_filter in filters:
        filtered, keyword = token_filter.filter(term, keyword)
        if filtered is None:
            return None
        term = filtered
    return term


@dataclass(frozen=True)
class AnalyzerSpec:
    """What an analyzer does, as data: its char filters and token filters."""

    name: str  # the CLI's name: text, exact, keyword
    es_name: str  # the name in mappings/articles.json
    char_filter: Normalizer
    filters: tuple[TokenFilter, ...]
    whole_value: bool = False  # a keyword normalizer: the whole text is one token
    split: TermSplitter | None = None  # after the filters: each term as several parts
    part_filters: tuple[TokenFilter, ...] = ()  # after the split, on each part
    # After char_filter, for whole values only (a replacement would move word offsets).
    more_char_filters: tuple[PatternReplaceChars, ...] = ()

    def __post_init__(self) -> None:
        if self.more_char_filters and not self.whole_value:
            raise ValueError(f"{self.name}: a replacing char filter would move word offsets")

    def run_filters(self, word: str) -> str | None:
        """A word after the token filters (None: removed). Each filter sees one term at
        a time, so the result depends on the word alone."""
        return _through(self.filters, word)

    def analyze(self, text: str, filter_term: Callable[[str], str | None]) -> list[Token]:
        """Tokens with offsets into `text` and positions, as Elasticsearch gives them;
        each word's term from `filter_term` (run_filters, or a memory of it)."""
        normalized, offsets = self.char_filter.normalize_with_offsets(text)
        if self.whole_value:
            for char_filter in self.more_char_filters:
                normalized = char_filter.apply(normalized)
            term = self.run_filters(normalized)
            return [] if term is None else [Token(term, offsets[0], offsets[-1], 0)]
        tokens = []
        positions = _Positions()
        for position, (start, end) in enumerate(split_words(normalized)):
            term = filter_term(normalized[start:end])
            if term is None:
                continue
            parts = self.split.split(term) if self.split else [term]
            if self.split and self.split.own_positions:
                places: Sequence[int] = positions.place(position, len(parts))
            else:
                places = [position] * len(parts)
            for part, place in zip(parts, places, strict=True):
                if (kept := self.filter_part(part)) is not None:
                    tokens.append(Token(kept, offsets[start], offsets[end], place))
        return tokens

    def parts(self, term: str) -> list[str]:
        """A term after the filters as the split and the part filters leave it."""
        if self.split is None:
            return [term]
        parts = self.split.split(term)
        if not self.part_filters:
            return parts
        return [kept for part in parts if (kept := self.filter_part(part)) is not None]

    def filter_part(self, part: str) -> str | None:
        """A part of a split term after the part filters (None: removed)."""
        return _through(self.part_filters, part)

    def words(self, text: str) -> list[str]:
        """The words of `text` after the char filter, before the token filters. Plain
        text takes the fast tokenizer. Analyzers with the same char filter share them."""
        normalized = self.char_filter.normalize(text)
        words = plain_words(normalized)
        if words is None:
            words = [normalized[start:end] for start, end in split_words(normalized)]
        return words

    @property
    def all_filters(self) -> tuple[TokenFilter | TermSplitter, ...]:
        split = (self.split,) if self.split else ()
        return (*self.filters, *split, *self.part_filters)

    def es_definition(self) -> dict[str, Any]:
        # A baseline normalizes nothing: no char filter (the engines refuse an empty map).
        mapped = [CHAR_FILTER_NAME] if self.char_filter.char_filter_rules() else []
        definition = {
            "type": "custom",
            "char_filter": [*mapped, *(c.name for c in self.more_char_filters)],
            "filter": [f.name for f in self.all_filters],
        }
        if not self.whole_value:
            definition["tokenizer"] = "standard"
        return definition


class Analyzer:
    """An analyzer at work: its definition (`spec`) and the terms it has found, each
    word's remembered after its first time (news vocabulary repeats: most words are seen
    before). Owned by whoever analyzes text with it; not shared through the process."""

    __slots__ = ("_terms", "_values", "spec")

    def __init__(self, spec: AnalyzerSpec) -> None:
        self.spec = spec
        self._terms: dict[str, str] = {}  # word -> term ("" for a removed word)
        self._values: dict[str, list[str]] = {}  # whole value -> its terms (keyword)

    def __repr__(self) -> str:
        return f"Analyzer({self.spec.name!r})"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def es_name(self) -> str:
        return self.spec.es_name

    @property
    def char_filter(self) -> Normalizer:
        return self.spec.char_filter

    def analyze(self, text: str) -> list[Token]:
        """Tokens with offsets into `text` and positions, as Elasticsearch gives them."""
        return self.spec.analyze(text, self.filter_term)

    def terms(self, text: str) -> list[str]:
        """The terms alone, as analyze() gives them, for indexing and queries."""
        if self.spec.whole_value:
            # Keyword values (categories, sources, authors) repeat: each analyzed once.
            if (terms := self._values.get(text)) is None:
                if len(self._values) >= _TERM_CACHE_SIZE:
                    self._values.clear()
                terms = self._values[text] = [t.token for t in self.analyze(text)]
            return list(terms)
        return self.filter_words(self.spec.words(text))

    def words(self, text: str) -> list[str]:
        """The words of `text` after the char filter, before the token filters."""
        return self.spec.words(text)

    def filter_words(self, words: list[str]) -> list[str]:
        """The words through the token filters, each remembered after its first time."""
        found = list(map(self._terms.get, words))
        if None in found:  # words not seen before
            found = [
                term if term is not None else self.filter_term(word) or _REMOVED
                for term, word in zip(found, words, strict=True)
            ]
        if self.spec.split:
            return [part for term in found if term for part in self.spec.parts(term)]
        return list(filter(None, found))  # removed words are "" (_REMOVED)

    def filter_term(self, word: str) -> str | None:
        """A word after the token filters (None: removed), remembered."""
        term = self._terms.get(word)
        if term is None:
            if len(self._terms) >= _TERM_CACHE_SIZE:
                self._terms.clear()
            term = self._terms[word] = self.spec.run_filters(word) or _REMOVED
        return term or None


@dataclass
class IndexTerms:
    """The terms of a text for several indexed fields at once (stemmed, exact,
    trigrams...), each as one space-separated string (what the embedded index takes).

    The same terms as the analyzers give, found faster: in plain text a chunk (a run
    of non-space characters after the char filter) has the same words wherever it
    stands, so each distinct chunk is analyzed once and remembered, and a text is
    then one pass over its chunks (`indexer.scan.join_terms`, in C when built), which
    calls back only for chunks not seen before. Other text, and text with a chunk too long for one
    token, takes the analyzers' own path."""

    analyzers: tuple[Analyzer, ...]  # all with the same char filter
    # Each chunk's terms for every analyzer in one string, the analyzers' parts
    # separated by TERM_SEPARATOR (no term holds white space): one lookup and one object read
    # per chunk (a dictionary this large is read at the speed of memory, not of the CPU).
    _chunks: dict[str, str] = field(default_factory=dict, repr=False)
    _chain: tuple[TokenFilter, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        specs = [a.spec for a in self.analyzers]
        assert len({id(spec.char_filter) for spec in specs}) == 1  # one normalization
        # The analyzers' filters are stretches of one chain from its start (exact:
        # lowercase, digits; grams: and stopwords; text: and stemming), so a word goes
        # through the chain once, and each analyzer takes it where its filters end.
        self._chain = max((spec.filters for spec in specs), key=len)
        if any(spec.filters != self._chain[: len(spec.filters)] for spec in specs):
            raise ValueError("IndexTerms needs analyzers whose filters begin one chain")

    def __call__(self, value: str) -> tuple[str, ...]:
        normalized = self.analyzers[0].char_filter.normalize(value)
        if is_plain(normalized):
            width = len(self.analyzers)
            memory = self._chunks
            joined = join_terms(normalized, memory, width, MAX_TOKEN_LENGTH, self._learn)
            if joined is not None:  # None: a chunk too long for one token
                return joined
        return self._joined(self.analyzers[0].words(value))  # rare: the general path

    def _learn(self, chunk: str) -> str:
        """A chunk's terms (one field per analyzer), remembered. Most chunks are one word, often
        with punctuation at an edge ("الروسية،"): the word's terms, remembered under the
        word too (a word is a chunk of itself), so its other spellings cost a lookup."""
        memory = self._chunks
        if len(memory) >= _TERM_CACHE_SIZE:
            memory.clear()
        words = chunk_words(chunk)
        if len(words) == 1 and (word := words[0]).isalnum():
            if (terms := memory.get(word)) is None:
                terms = memory[word] = TERM_SEPARATOR.join(self._word_terms(word))
        else:
            terms = TERM_SEPARATOR.join(self._joined(words))
        memory[chunk] = terms
        return terms

    def _joined(self, words: list[str]) -> tuple[str, ...]:
        """The terms of several words, for each analyzer."""
        columns = zip(*map(self._word_terms, words), strict=True)
        return tuple(" ".join(filter(None, c)) for c in columns) or ("",) * len(self.analyzers)

    def _word_terms(self, word: str) -> list[str]:
        """One word's terms for each analyzer ("" where its filters drop the word)."""
        # The term after each filter of the chain (None once dropped).
        after: list[str | None] = [word]
        term: str | None = word
        keyword = False
        for token_filter in self._chain:
            if term is not None:
                term, keyword = token_filter.filter(term, keyword)
            after.append(term)
        found = []
        for analyzer in self.analyzers:
            spec = analyzer.spec
            term = after[len(spec.filters)]
            if term and spec.split:
                term = " ".join(spec.parts(term))
            found.append(term or "")
        return found


@functools.cache  # definitions are immutable: built once (reading the word lists)
def default_specs() -> dict[str, AnalyzerSpec]:
    """The definitions of the analyzers with the default normalization policy."""
    return build_specs(default_normalizer())


def default_analyzers() -> dict[str, Analyzer]:
    """New analyzers with the default normalization policy, by CLI name (the caller
    owns their memory)."""
    return {name: Analyzer(spec) for name, spec in default_specs().items()}


def build_analyzers(normalizer: Normalizer) -> dict[str, Analyzer]:
    """New analyzers over `normalizer`, by CLI name."""
    return {name: Analyzer(spec) for name, spec in build_specs(normalizer).items()}


def build_specs(normalizer: Normalizer) -> dict[str, AnalyzerSpec]:
    # The stop list is Lucene's (Elasticsearch's `_arabic_`), which is written
    # unnormalized; the stop filter sees normalized words, so normalize the list too.
    stop_list = read_word_list("stopwords_ar.txt") + read_word_list("question_words_ar.txt")
    stopwords = frozenset(normalizer.normalize(w) for w in stop_list)
    protected = frozenset(normalizer.normalize(w) for w in read_word_list("protected_words_ar.txt"))
    overrides = {
        normalizer.normalize(word): normalizer.normalize(stem)
        for word, stem in (line.split("\t") for line in read_word_list("stem_overrides_ar.txt"))
    }
    stop = Stop("arabic_stop", stopwords)
    text_filters = (
        Lowercase(),
        DecimalDigit(),
        stop,
        KeywordMarker("arabic_protected", protected),
        StemmerOverride("arabic_stem_overrides", overrides),
        ArabicStem(),
    )
    specs = (
        AnalyzerSpec("text", "arabic_text", normalizer, text_filters),
        AnalyzerSpec("exact", "arabic_exact", normalizer, (Lowercase(), DecimalDigit())),
        # The exact fields' search analyzer: a query's stopwords match no exact word
        # (they are in most documents: slow to match, and they add nothing to the rank).
        AnalyzerSpec(
            "exact_search", "arabic_exact_search", normalizer, (Lowercase(), DecimalDigit(), stop)
        ),
        AnalyzerSpec(
            "grams",
            "arabic_grams",
            normalizer,
            text_filters[:3],  # lowercase, decimal_digit, arabic_stop
            split=NGram("arabic_trigrams", GRAM_SIZE),
        ),
        # The trigram field's search analyzer: the same trigrams, each at a position of
        # its own, so that a match query asks each one as a term query (grams sharing a
        # position would make one SynonymQuery of a word, which scores otherwise).
        AnalyzerSpec(
            "grams_search",
            "arabic_grams_search",
            normalizer,
            (*text_filters[:3], TRIGRAMS_SPACED),
            split=WordDelimiterGraph("arabic_trigrams_split", inner_punctuation()),
            part_filters=(Length("arabic_trigrams_only", GRAM_SIZE, GRAM_SIZE),),
        ),
        AnalyzerSpec(
            "keyword",
            "arabic_keyword",
            normalizer,
            (Lowercase(), DecimalDigit(), Trim()),
            whole_value=True,
            more_char_filters=(COLLAPSE_SPACE,),
        ),
    )
    return {spec.name: spec for spec in specs}


def baseline_analyzers(name: str) -> dict[str, Analyzer]:
    """The baselines the relevance evaluation compares with (same names as ours):

    - "standard": Elasticsearch's `standard` analyzer, no Arabic processing at all;
    - "arabic": Elasticsearch's stock `arabic` analyzer (lowercase, decimal_digit,
      the `_arabic_` stopwords as written, arabic_normalization, arabic_stem).
    Both use one chain for every field (no separate exact analysis, no grams)."""
    identity = Normalizer(disabled=RULE_NAMES)
    if name == "standard":
        filters: tuple[TokenFilter, ...] = (Lowercase(),)
    elif name == "arabic":
        stopwords = frozenset(read_word_list("stopwords_ar.txt"))
        filters = (
            Lowercase(),
            DecimalDigit(),
            Stop("arabic_stop_stock", stopwords),
            ArabicNormalization(),
            ArabicStem(),
        )
    else:
        raise ValueError(f"unknown baseline {name!r}")
    chain = Analyzer(AnalyzerSpec("text", f"baseline_{name}", identity, filters))
    keyword = Analyzer(AnalyzerSpec("keyword", "keyword", identity, (Lowercase(),), True))
    return {"text": chain, "exact": chain, "exact_search": chain, "keyword": keyword}


def es_analysis(analyzers: dict[str, Analyzer]) -> dict[str, Any]:
    """The `settings.analysis` section of the index, from the analyzers above."""
    specs = [a.spec for a in analyzers.values()]
    rules = specs[0].char_filter.char_filter_rules()
    mapped = {CHAR_FILTER_NAME: {"type": "mapping", "mappings": rules}} if rules else {}
    return {
        "char_filter": {
            **mapped,
            **{c.name: c.definition() for spec in specs for c in spec.more_char_filters},
        },
        "filter": custom_definitions(f for spec in specs for f in spec.all_filters),
        "analyzer": {s.es_name: s.es_definition() for s in specs if not s.whole_value},
        "normalizer": {s.es_name: s.es_definition() for s in specs if s.whole_value},
    }


__all__ = [
    "MAX_TOKEN_LENGTH",
    "Analyzer",
    "AnalyzerSpec",
    "build_analyzers",
    "default_analyzers",
    "es_analysis",
]
