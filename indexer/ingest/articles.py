"""Article records: built from a reader's raw fields, cleaned, identified, checked."""

from __future__ import annotations

import hashlib
import operator
import re
import urllib.parse
from dataclasses import dataclass, field, fields
from typing import Any

import orjson

from indexer.analysis.normalize import default_normalizer
from indexer.index.fields import CUT_FIELDS, DOCUMENT_FIELDS, MAX_KEYWORD_BYTES
from indexer.ingest.cleaning import clean_line, clean_text
from indexer.ingest.dates import AMBIGUOUS, DateOrder, parse_date
from indexer.scan import unquote

DEFAULT_MAX_CHARS = 1_000_000  # text of one article; larger records are rejected


# The records every input line makes are slotted, not frozen, dataclasses: a frozen
# one takes four times as long to build, and parsing builds several per article.
# Nothing changes them once built.


@dataclass(slots=True)
class Origin:
    """Where a record came from, for messages: file, line, record number in the file."""

    path: str
    line: int | None = None
    record: int | None = None
    encoding: str = "utf-8"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        elif self.record is not None:
            where += f" record {self.record}"
        return where


@dataclass(slots=True)
class RawRecord:
    """A reader's output: source text by article field name, not yet cleaned."""

    fields: dict[str, str | None]
    origin: Origin
    warnings: tuple[str, ...] = ()  # what the reader noticed (the article keeps them)
    # The record's own keys (JSON keys, CSV columns, TREC tags), for the file's check
    # (sources/fieldmap.py: file_fields); None where a format has none (text pages).
    keys: tuple[str, ...] | None = None


@dataclass(slots=True)
class Rejected:
    origin: Origin
    reason: str


@dataclass(slots=True)
class Article:
    # The fields of DOCUMENT_FIELDS (indexer/index/fields.py), in the order `parse` writes them.
    id: str
    title: str
    body: str
    published_at: str | None
    category: str | None
    source: str | None
    author: str | None
    url: str | None
    lead: str | None
    fingerprint: str
    origin: Origin = field(compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        """The `parse` output line (the CLI contract), plus lead and fingerprint."""
        return dict(zip(ARTICLE_JSON, _document_values(self), strict=True))

    @classmethod
    def from_json(cls, data: dict[str, Any], origin: Origin) -> Article:
        """An article as to_json wrote it (an update journal keeps them so)."""
        values: dict[str, Any] = {name: data.get(name) for name in ARTICLE_JSON}
        return cls(**values, origin=origin)


ARTICLE_JSON = tuple(f.name for f in fields(Article) if f.name in DOCUMENT_FIELDS)
_document_values = operator.attrgetter(*ARTICLE_JSON)


@dataclass(slots=True)
class Written:
    """An article as `parse` writes it: its output line, with what tells it apart from
    other articles and where it came from (all that duplicates, messages and the
    report need). A worker process of `parse` sends these, not the article's text."""

    id: str
    fingerprint: str
    origin: Origin
    warnings: tuple[str, ...]
    line: bytes  # the article's to_json(), one line of JSON in UTF-8

    @classmethod
    def of(cls, article: Article) -> Written:
        # orjson writes an article in three fifths of json.dumps's time.
        line = orjson.dumps(article.to_json(), option=orjson.OPT_APPEND_NEWLINE)
        return cls(article.id, article.fingerprint, article.origin, article.warnings, line)


_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//([^/?#]*)([^#]*)")


def _unquoted(url: str) -> str:
    """urllib.parse.unquote(url), by indexer.scan; urllib's own for text that is not UTF-8."""
    if "%" not in url:
        return url
    decoded = unquote(url)
    return decoded if decoded is not None else urllib.parse.unquote(url)


def canonical_url(url: str) -> str:
    """The url as an identity: percent-decoded, scheme and fragment dropped, host lowercased
    (the same article is linked over http and https, encoded and not)."""
    url = _unquoted(url.strip())
    parts = _URL.match(url)
    return f"//{parts[1].lower()}{parts[2]}" if parts else url.partition("#")[0]


_PUNCTUATION = re.compile(r"[^\w\s]+")


def _words(text: str) -> str:
    """Text reduced to its normalized words, so spelling, diacritics and punctuation
    differences do not make two copies of a story look different."""
    normalized = default_normalizer().normalize(text)
    return " ".join(_PUNCTUATION.sub(" ", normalized).lower().split())


def _digest(key: str | bytes) -> str:
    data = key if isinstance(key, bytes) else key.encode("utf-8", "surrogatepass")
    # SHA-256 runs in hardware on current CPUs: twice blake2b's speed here.
    return hashlib.sha256(data).hexdigest()[:24]


def article_id(url: str | None, source: str | None, title: str, published_at: str | None) -> str:
    if url:
        return _digest("url " + canonical_url(url))
    return _digest(f"doc {_words(source or '')}|{_words(title)}|{published_at or ''}")


# A body of this many words identifies its article whatever the title: the same story
# republished under another headline is a duplicate. A shorter one may be a footer that
# many articles share (opinion pieces scraped as "** جميع المقالات المنشورة تمثل رأي
# كتابها فقط.", 7 words), so it counts only with the title. In the ANT corpus such
# boilerplate has 7 words; the shortest story repeated under another title, 20.
IDENTIFYING_WORDS = 15


def fingerprint(title: str, body: str) -> str:
    """Hash of what makes two records the same article: the cleaned body when it has
    IDENTIFYING_WORDS words or more, else the title and the body. After the default
    normalization (the analyzers' char filter), so copies that differ in hamza,
    diacritics, tatweel or digits match. It hashes the text as it comes out of the
    table (UTF-16), without decoding it."""
    # The title is one line, so title + newline + body cannot be another pair's key.
    long_enough = len(body.split(maxsplit=IDENTIFYING_WORDS - 1)) == IDENTIFYING_WORDS
    key = body if long_enough else f"{title}\n{body}"
    return _digest(default_normalizer().normalized_utf16(key))


def _line(value: str | None) -> str | None:
    return clean_line(value) or None if value else None


# A keyword of this many characters or fewer fits MAX_KEYWORD_BYTES whatever they are
# (UTF-8 takes 4 bytes at most): only a longer one is encoded to be measured.
_FITS_CHARS = MAX_KEYWORD_BYTES // 4


def cut_keyword(value: str, limit: int = MAX_KEYWORD_BYTES) -> str:
    """`value` cut to at most `limit` bytes of UTF-8, at a character boundary."""
    data = value.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return value
    # The bytes of a character cut in two are dropped: "ignore" drops only those.
    return data[:limit].decode("utf-8", "ignore")


def _cut_keywords(keywords: dict[str, str | None]) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """The keywords, each cut to MAX_KEYWORD_BYTES, and a warning for each one cut."""
    warnings: tuple[str, ...] = ()
    for name, value in keywords.items():
        if value and len(value) > _FITS_CHARS and (cut := cut_keyword(value)) != value:
            keywords[name] = cut
            size = len(value.encode("utf-8", "surrogatepass"))
            warnings += (
                f"{name} cut from {size:,} to {MAX_KEYWORD_BYTES:,} bytes (an engine's limit "
                "for a keyword, kept on every backend)",
            )
    return keywords, warnings


# Elasticsearch refuses a document _id longer than this (OpenSearch too).
MAX_ID_BYTES = 512


def _given_id(value: str | None, key: str) -> str:
    """An id taken from the input (--field id=KEY), as given but for the spaces around
    it; ValueError says why it cannot be one."""
    given = (value or "").strip()
    if not given:
        raise ValueError(f"no id: no value for {key} (--field id={key})")
    if len(given.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise ValueError(f"id longer than {MAX_ID_BYTES} bytes (--field id={key})")
    return given


def build_article(
    raw: RawRecord,
    max_chars: int = DEFAULT_MAX_CHARS,
    date_order: DateOrder | None = None,
    id_key: str | None = None,
) -> Article | Rejected:
    """Clean and check one record. Every failure is a Rejected with its reason.
    `id_key`: the source key of the id (--field id=KEY); None: the id is computed."""
    fields = raw.fields
    size = sum(map(len, filter(None, fields.values())))
    if size > max_chars:
        return Rejected(raw.origin, f"oversized: {size:,} characters (limit {max_chars:,})")
    title = _line(fields.get("title")) or ""
    body = clean_text(fields.get("body") or "")
    if not title and not body:
        return Rejected(raw.origin, "no title and no body")
    # Without an abstract, the lead is the first paragraph (stored and shown by parse; not
    # searched: `content` is the title and the body).
    lead = clean_text(fields.get("lead") or "") or body.partition("\n")[0] or None
    warnings = raw.warnings
    published_at = None
    if date_text := _line(fields.get("published_at")):
        parsed = parse_date(date_text, date_order)
        published_at = parsed.iso
        if parsed.iso is None:
            ambiguous = (parsed.problem or "").startswith(AMBIGUOUS)
            advice = " (--date-order dmy or mdy says which)" if ambiguous else ""
            warnings += (f"date left empty: {parsed.problem}{advice}",)
    keywords = {name: _line(fields.get(name)) for name in CUT_FIELDS}
    url, source = keywords["url"], keywords["source"]
    if id_key is not None:  # --field id=KEY: the collection's own id (TREC DOCNO)
        try:
            identity = _given_id(fields.get("id"), id_key)
        except ValueError as err:
            return Rejected(raw.origin, str(err))
    else:  # from the url and source as given: a cut one could be another article's
        identity = article_id(url, source, title, published_at)
    if any(value and len(value) > _FITS_CHARS for value in keywords.values()):
        keywords, cut = _cut_keywords(keywords)
        warnings += cut
    return Article(
        id=identity,
        title=title,
        body=body,
        lead=lead,
        published_at=published_at,
        category=keywords["category"],
        source=keywords["source"],
        author=keywords["author"],
        url=keywords["url"],
        fingerprint=fingerprint(title, body),
        origin=raw.origin,
        warnings=warnings,
    )
