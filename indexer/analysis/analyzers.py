"""The three analyzers of the index contract, defined once as data.

`text` (arabic_text) matches: normalize, split words, lowercase, ASCII digits, drop
stopwords, protect known words, stem. `exact` (arabic_exact) is the same without
stopwords and stemming. `keyword` (the arabic_keyword normalizer) normalizes a whole
value such as a category or an author name into one token.

The same definitions produce the Elasticsearch analysis settings (`es_analysis`),
so Python and Elasticsearch analyze alike; the Lucene parity test checks it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

from indexer.analysis.filters import (
    ArabicStem,
    DecimalDigit,
    KeywordMarker,
    Lowercase,
    Stop,
    TokenFilter,
    Trim,
    custom_definitions,
)
from indexer.analysis.normalize import Normalizer
from indexer.analysis.tokenizer import MAX_TOKEN_LENGTH, split_words

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


# Terms remembered per analyzer: news vocabulary repeats, so most words are seen before.
_TERM_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Analyzer:
    name: str  # the CLI's name: text, exact, keyword
    es_name: str  # the name in mappings/articles.json
    char_filter: Normalizer
    filters: tuple[TokenFilter, ...]
    whole_value: bool = False  # a keyword normalizer: the whole text is one token
    _terms: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    def analyze(self, text: str) -> list[Token]:
        normalized, origin = self.char_filter.normalize_with_offsets(text)
        offsets = origin.tolist()
        spans = [(0, len(normalized))] if self.whole_value else split_words(normalized)
        tokens = []
        for position, (start, end) in enumerate(spans):
            term = self.filter_term(normalized[start:end])
            if term is not None:
                tokens.append(Token(term, offsets[start], offsets[end], position))
        return tokens

    def filter_term(self, word: str) -> str | None:
        """A word after the token filters (None: removed). Each filter sees one term
        at a time, so the result depends on the word alone and is remembered."""
        if word in self._terms:
            return self._terms[word]
        term: str | None = word
        keyword = False
        for token_filter in self.filters:
            term, keyword = token_filter.filter(term, keyword)
            if term is None:
                break
        if len(self._terms) >= _TERM_CACHE_SIZE:
            self._terms.clear()
        self._terms[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        return [tok.token for tok in self.analyze(text)]

    def es_definition(self) -> dict:
        definition = {
            "type": "custom",
            "char_filter": [CHAR_FILTER_NAME],
            "filter": [f.name for f in self.filters],
        }
        if not self.whole_value:
            definition["tokenizer"] = "standard"
        return definition


@functools.cache
def default_analyzers() -> dict[str, Analyzer]:
    """The analyzers with the default normalization policy, by CLI name."""
    return build_analyzers(Normalizer())


def build_analyzers(normalizer: Normalizer) -> dict[str, Analyzer]:
    # The stop list is Lucene's (Elasticsearch's `_arabic_`), which is written
    # unnormalized; the stop filter sees normalized words, so normalize the list too.
    stopwords = frozenset(normalizer.normalize(w) for w in read_word_list("stopwords_ar.txt"))
    protected = frozenset(normalizer.normalize(w) for w in read_word_list("protected_words_ar.txt"))
    text_filters = (
        Lowercase(),
        DecimalDigit(),
        Stop("arabic_stop", stopwords),
        KeywordMarker("arabic_protected", protected),
        ArabicStem(),
    )
    analyzers = (
        Analyzer("text", "arabic_text", normalizer, text_filters),
        Analyzer("exact", "arabic_exact", normalizer, (Lowercase(), DecimalDigit())),
        Analyzer(
            "keyword", "arabic_keyword", normalizer, (Lowercase(), DecimalDigit(), Trim()), True
        ),
    )
    return {a.name: a for a in analyzers}


def es_analysis(analyzers: dict[str, Analyzer]) -> dict:
    """The `settings.analysis` section of the index, from the analyzers above."""
    normalizer = next(iter(analyzers.values())).char_filter
    return {
        "char_filter": {
            CHAR_FILTER_NAME: {"type": "mapping", "mappings": normalizer.char_filter_rules()}
        },
        "filter": custom_definitions(f for a in analyzers.values() for f in a.filters),
        "analyzer": {a.es_name: a.es_definition() for a in analyzers.values() if not a.whole_value},
        "normalizer": {a.es_name: a.es_definition() for a in analyzers.values() if a.whole_value},
    }


__all__ = ["MAX_TOKEN_LENGTH", "Analyzer", "build_analyzers", "default_analyzers", "es_analysis"]
