"""Highlights: fragments of the original text (diacritics and all) with the matched
words marked, found through the analyzers' offsets, as Elasticsearch's unified
highlighter finds them through the index's."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from indexer.analysis.analyzers import Token, default_analyzers
from indexer.analysis.tokenizer import plain_words

OPEN, CLOSE = "<em>", "</em>"
FRAGMENT_CHARS = 160
MAX_ANALYZED_CHARS = 20_000  # look for matches in the first 20,000 characters


@dataclass(frozen=True)
class Terms:
    stems: frozenset[str]  # the query's `text` analyzer terms
    exact: frozenset[str]  # the query's `exact` analyzer terms


def matches(text: str, terms: Terms) -> list[Token]:
    """The words of `text` that the query matches, with offsets into `text`."""
    analyzers = default_analyzers()
    exact, stemmer = analyzers["exact"], analyzers["text"]
    text = text[:MAX_ANALYZED_CHARS]
    normalized, origin = exact.char_filter.normalize_with_offsets(text)
    words = plain_words(normalized)
    if words is None:  # unusual characters: the full analysis, with its offsets
        return [
            token
            for token in exact.analyze(text)
            if token.token in terms.exact or stemmer.filter_term(token.token) in terms.stems
        ]
    # Plain text: find the matching words by their (remembered) terms first, then
    # their places, walking the normalized text in order (only separators lie
    # between two words); offsets map back through `origin` as the char filter's do.
    exact_terms = exact.filter_words(words)  # the exact chain drops no word
    stems = [s or "" for s in map(stemmer.filter_term, exact_terms)]
    wanted = {
        i
        for i, (term, stem) in enumerate(zip(exact_terms, stems, strict=True))
        if term in terms.exact or stem in terms.stems
    }
    found, pos = [], 0
    offsets = origin.tolist() if wanted else []
    for i, word in enumerate(words[: max(wanted, default=-1) + 1]):
        start = normalized.find(word, pos)
        if start < 0:  # cannot happen with plain text; be safe rather than wrong
            return [t for t in exact.analyze(text) if t.token in terms.exact]
        pos = start + len(word)
        if i in wanted:
            found.append(Token(exact_terms[i], offsets[start], offsets[pos], i))
    return found


def mark(text: str, tokens: list[Token], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    out, pos = [], start
    for token in tokens:
        if start <= token.start and token.end <= end:
            out += [text[pos : token.start], OPEN, text[token.start : token.end], CLOSE]
            pos = token.end
    out.append(text[pos:end])
    return "".join(out)


def _window(text: str, tokens: list[Token], starts: list[int], first: int) -> tuple[int, int, int]:
    """The fragment that starts near tokens[first]: (start, end, tokens inside)."""
    start = max(0, tokens[first].start - FRAGMENT_CHARS // 4)
    end = min(len(text), start + FRAGMENT_CHARS)
    # Widen to whole words.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    # Tokens are in text order: the ones inside are a contiguous run of them.
    low, high = bisect.bisect_left(starts, start), bisect.bisect_right(starts, end)
    if high > low and tokens[high - 1].end > end:
        high -= 1  # starts inside, ends past the fragment
    return start, end, high - low


def fragments(text: str, terms: Terms, count: int = 2) -> list[str]:
    """Up to `count` fragments with the most matched words, in text order."""
    tokens = matches(text, terms)
    if not tokens:
        return []
    starts = [t.start for t in tokens]
    windows = sorted(
        (_window(text, tokens, starts, i) for i in range(len(tokens))),
        key=lambda w: (-w[2], w[0]),
    )
    chosen: list[tuple[int, int, int]] = []
    for window in windows:
        if len(chosen) == count:
            break
        if all(window[1] <= c[0] or window[0] >= c[1] for c in chosen):
            chosen.append(window)
    out = []
    for start, end, _ in sorted(chosen):
        fragment = mark(text, tokens, start, end).strip()
        out.append(("…" if start > 0 else "") + fragment + ("…" if end < len(text) else ""))
    return out


def highlight(title: str, body: str, terms: Terms) -> dict[str, list[str]]:
    found = {}
    if title_tokens := matches(title, terms):
        found["title"] = [mark(title, title_tokens)]
    if body_fragments := fragments(body, terms):
        found["body"] = body_fragments
    return found
