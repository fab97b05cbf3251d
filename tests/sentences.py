"""Sentences from real Arabic text for the analyzer tests (Lucene parity, ES _analyze).

Taken from ../shared/data when it is there (news, Wikipedia paragraphs, fully
diacritized classical lines), always with the committed fixture sentences.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from helpers import ANT, ARCD, FIXTURES, SHARED

ARCD_CORPUS = ARCD / "corpus.jsonl"
TASHKEELA = SHARED / "data/tashkeela/diacritized-lines.txt"

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")


def split_sentences(text: str) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if len(sentence) >= 20:
            yield sentence


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _take(n: int, sentences: Iterable[str]) -> list[str]:
    return list(itertools.islice(sentences, n))


def fixture_sentences() -> list[str]:
    lines = (FIXTURES / "analysis_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def shared_sentences(news: int = 3500, wiki: int = 1500, classical: int = 1500) -> list[str]:
    """Sentences from ../shared, or [] where it is absent."""
    if not (ANT.is_file() and ARCD_CORPUS.is_file() and TASHKEELA.is_file()):
        return []
    news_text = (f"{d['title']}\n{d['text']}" for d in _jsonl(ANT))
    wiki_text = (f"{d['title']}\n{d['text']}" for d in _jsonl(ARCD_CORPUS))
    classical_lines = TASHKEELA.read_text(encoding="utf-8").splitlines()
    return (
        _take(news, (s for t in news_text for s in split_sentences(t)))
        + _take(wiki, (s for t in wiki_text for s in split_sentences(t)))
        + _take(classical, (s for t in classical_lines for s in split_sentences(t)))
    )
