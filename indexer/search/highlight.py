"""Highlights: fragments of the original text (diacritics and all) with the matched
words marked, found through the analyzers' offsets, as Elasticsearch's unified
highlighter finds them through the index's."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

from indexer.analysis.analyzers import Analyzer
from indexer.analysis.tokenizer import is_plain, plain_words

OPEN, CLOSE = "<em>", "</em>"
FRAGMENT_CHARS = 160
MAX_ANALYZED_CHARS = 20_000  # look for matches in the first 20,000 characters


@dataclass(frozen=True)
class Terms:
    stems: frozenset[str]  # the query's `text` analyzer terms
    exact: frozenset[str]  # the query's `exact` analyzer terms


class Match(NamedTuple):
    start: int  # offsets into the original text
    end: int


# Plain text's chunks are separated by " \n\t\r"; tabs and carriage returns become
# spaces first (same length), so that two finds give a chunk's ends.
_AS_SPACE = str.maketrans("\t\r", "  ")


def _chunk_around(text: str, at: int) -> tuple[int, int]:
    """The run of non-space characters of `text` (only " " and "\n" in it) at `at`."""
    start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
    end, newline = text.find(" ", at), text.find("\n", at)
    if end < 0 or 0 <= newline < end:
        end = newline
    return start, end if end >= 0 else len(text)


def matches(text: str, terms: Terms, analyzers: dict[str, Analyzer]) -> list[Match]:
    """The words of `text` that the query matches, with offsets into `text`, by the
    `exact` and `text` analyzers of `analyzers` (the caller's: they remember words)."""
    exact, stemmer = analyzers["exact"], analyzers["text"]
    text = text[:MAX_ANALYZED_CHARS]
    normalized = exact.char_filter.normalize(text)
    if not is_plain(normalized):  # unusual characters: the full analysis
        return [
            Match(token.start, token.end)
            for token in exact.analyze(text)
            if token.token in terms.exact or stemmer.filter_term(token.token) in terms.stems
        ]
    # Plain text. A matching word contains one of the query's terms: its exact term
    # is the word lowercased, and its stem a piece of it. So only the runs of
    # non-space text where a term occurs are tokenized (they split independently).
    lowered = normalized.lower()
    if "\t" in lowered or "\r" in lowered:  # rare: translate() is slow on Arabic text
        lowered = lowered.translate(_AS_SPACE)
    chunks = set()
    for needle in terms.exact | terms.stems:
        at = lowered.find(needle) if needle else -1
        while at >= 0:
            start, end = _chunk_around(lowered, at)
            chunks.add((start, end))
            at = lowered.find(needle, end)  # the rest of this chunk is done
    found = []
    offsets = exact.char_filter.offsets(text) if chunks else []
    for start, end in sorted(chunks):
        chunk = normalized[start:end]
        pos = 0
        for word in plain_words(chunk) or []:
            at = chunk.find(word, pos)
            pos = at + len(word)
            term = exact.filter_term(word)
            if term is None:  # the exact analysis drops no word, but says it may
                continue
            if term in terms.exact or stemmer.filter_term(term) in terms.stems:
                found.append(Match(offsets[start + at], offsets[start + pos]))
    return found


def mark(text: str, tokens: list[Match], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    out, pos = [], start
    for token in tokens:
        if start <= token.start and token.end <= end:
            out += [text[pos : token.start], OPEN, text[token.start : token.end], CLOSE]
            pos = token.end
    out.append(text[pos:end])
    return "".join(out)


def _window(text: str, tokens: list[Match], starts: list[int], first: int) -> tuple[int, int, int]:
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


def fragments(text: str, terms: Terms, analyzers: dict[str, Analyzer], count: int = 2) -> list[str]:
    """Up to `count` fragments with the most matched words, in text order."""
    tokens = matches(text, terms, analyzers)
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


def highlight(
    title: str, body: str, terms: Terms, analyzers: dict[str, Analyzer]
) -> dict[str, list[str]]:
    found = {}
    if title_tokens := matches(title, terms, analyzers):
        found["title"] = [mark(title, title_tokens)]
    if body_fragments := fragments(body, terms, analyzers):
        found["body"] = body_fragments
    return found
