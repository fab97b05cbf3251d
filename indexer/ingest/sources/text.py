"""Scraped article pages: one article per text file, laid out like this:

    <title>                              (often repeated)
    ● <category> <date>                  (the meta line)
    <title again>
    <body paragraphs>
    المصدر: <source> الكاتب: <author>
    مشاركة: / اقرأ أيضاً: / related headlines / ــــــ separators   (the tail)

Real pages vary: any part may be missing or moved. Each rule below recognizes a
line by its own shape, and the only lines dropped are those a rule recognizes, so a
page that lacks a part loses nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from indexer.ingest.articles import Origin, RawRecord, Rejected
from indexer.ingest.dates import DateOrder, find_date
from indexer.ingest.sources.files import ReadOptions, UndecodableError, decode, read_all

META_MARKERS = "●"
# Labels of the credit line, by the field they fill.
CREDIT_LABELS = {"المصدر": "source", "الكاتب": "author", "بقلم": "author"}
# A tail line starts with one of these words and a colon, or is the word alone.
TAIL_MARKERS = ("مشاركة", "شارك", "اقرأ أيضاً", "اقرأ أيضا", "اقرأ ايضا", "إقرأ أيضاً", "تابعونا")
# Only these characters: a separator line (ـــــ, -----, =====, ***).
_SEPARATOR = re.compile(r"^[\sـ\-–—_=*•·.~]+$")
_CREDIT = re.compile("(" + "|".join(CREDIT_LABELS) + r")\s*:")
_TAIL = re.compile("^(?:" + "|".join(map(re.escape, TAIL_MARKERS)) + r")\s*(?::|$)")
# After a tail marker, a line that ends like a sentence is body text, not a headline.
_SENTENCE_END = re.compile(r"[.!؟?…][\"»”]?$")
MAX_CREDIT_LINE = 200  # a longer line starting with المصدر: is a paragraph
MAX_TITLE = 250  # a longer first line is a paragraph of a page without a title


@dataclass
class Page:
    title: str = ""
    category: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def _credit(line: str) -> dict[str, str] | None:
    """The fields of a credit line (المصدر: … الكاتب: …), or None for any other line."""
    labels = list(_CREDIT.finditer(line))
    if not labels or labels[0].start() != 0 or len(line) > MAX_CREDIT_LINE:
        return None
    ends = [m.start() for m in labels[1:]] + [len(line)]
    return {
        CREDIT_LABELS[m[1]]: value
        for m, end in zip(labels, ends, strict=True)
        if (value := line[m.end() : end].strip())
    }


def _meta(line: str, order: DateOrder | None = None) -> tuple[str | None, str | None]:
    """Category and date text of a ● line."""
    text = line.lstrip(META_MARKERS).strip()
    found = find_date(text, order)
    if found.span is None:
        return text or None, None
    start, end = found.span
    category = (text[:start] + " " + text[end:]).strip()
    return category or None, text[start:end]


def _tail_start(lines: list[str]) -> int:
    """Index of the first line of the boilerplate tail (len(lines) when there is none).

    The tail starts at a marker line (مشاركة:, اقرأ أيضاً:) after which come only
    markers, separators, credit lines and headline-like lines (no sentence end). A
    marker line followed by real paragraphs is left in the body: it is not the tail.
    """
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if _TAIL.match(line):
            start = i
        elif _SEPARATOR.match(line) or _credit(line) is not None:
            continue
        elif _SENTENCE_END.search(line):
            break
    return start


def parse_page(text: str, date_order: DateOrder | None = None) -> Page:
    lines = [line for raw in text.splitlines() if (line := raw.strip())]
    tail = _tail_start(lines)
    page = Page(paragraphs=[])
    body = page.paragraphs
    for i, line in enumerate(lines):
        if (credit := _credit(line)) is not None:
            page.source = credit.get("source", page.source)
            page.author = credit.get("author", page.author)
        elif i >= tail or _SEPARATOR.match(line):
            continue
        elif line.startswith(META_MARKERS) and page.category is None and page.date is None:
            page.category, page.date = _meta(line, date_order)
        elif not page.title and not body and len(line) <= MAX_TITLE:
            page.title = line
        elif line == page.title and not body:
            continue  # the title repeated above the body
        else:
            body.append(line)
    return page


def read_text(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[RawRecord | Rejected]:
    origin = Origin(path, 1, 1)
    try:
        text, encoding = decode(read_all(stream, options.max_bytes))
    except UndecodableError as err:
        yield Rejected(origin, str(err))
        return
    page = parse_page(text, options.date_order)
    fields = {
        "title": page.title,
        "body": "\n".join(page.paragraphs),
        "category": page.category,
        "published_at": page.date,
        "source": page.source,
        "author": page.author,
    }
    yield RawRecord(fields, Origin(path, 1, 1, encoding))
